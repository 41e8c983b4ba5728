#include <doctest/doctest.h>

#include <string>

#include "cora/db/sqlstate_advice.hpp"
#include "unit_helpers.hpp"

using cora::sqlstate_advice;

TEST_CASE("sqlstate_advice: privileges only for a privilege error") {
  CHECK_CONTAINS(sqlstate_advice("42501"), "privilege");
  for (const char* code : {"42703", "42P01", "42883", "3F000", "23505", "23503", "23502", "23514", "55P03", "57014",
                           "40001", "40P01", "22P02", "P0001", "42601", "XX000", "", "99999"}) {
    CAPTURE(code);
    CHECK_NOT_CONTAINS(sqlstate_advice(code), "privilege");
    CHECK_NOT_CONTAINS(sqlstate_advice(code), "grant");
  }
}

TEST_CASE("sqlstate_advice: the exact code first, then its class") {
  CHECK_CONTAINS(sqlstate_advice("42703"), "a column it names does not exist");
  CHECK_CONTAINS(sqlstate_advice("42P01"), "a table or view it names does not exist");
  CHECK_CONTAINS(sqlstate_advice("23505"), "unique key");
  CHECK_CONTAINS(sqlstate_advice("23P01"), "exclusion constraint");
  CHECK_CONTAINS(sqlstate_advice("23999"), "a row would break a constraint");
  CHECK_CONTAINS(sqlstate_advice("55P03"), "lock_timeout");
  CHECK_CONTAINS(sqlstate_advice("57014"), "statement_timeout");
  CHECK_CONTAINS(sqlstate_advice("42P99"), "the SQL does not fit the schema");
  CHECK_CONTAINS(sqlstate_advice("22012"), "invalid for its type or out of range");
}

TEST_CASE("sqlstate_advice: an unknown code says where to look it up") {
  CHECK(sqlstate_advice("99999") == "look up SQLSTATE 99999 in PostgreSQL's error codes");
  CHECK(sqlstate_advice("4") == "look up SQLSTATE 4 in PostgreSQL's error codes");
  CHECK(sqlstate_advice("") == "look up SQLSTATE (none) in PostgreSQL's error codes");
}
