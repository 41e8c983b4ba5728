#include <doctest/doctest.h>

#include <string>

#include "cora/db/server_error.hpp"
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

TEST_CASE("privilege_advice: which privilege on which object, from the message and the statement") {
  using cora::privilege_advice;
  CHECK_CONTAINS(privilege_advice("permission denied for schema cora_migrate", "SELECT h.version FROM x"),
                 "the role lacks USAGE on schema cora_migrate: GRANT USAGE ON SCHEMA cora_migrate");
  CHECK_CONTAINS(privilege_advice("permission denied for table schema_history", "SELECT 1 FROM t"),
                 "lacks SELECT on table schema_history");
  CHECK_CONTAINS(privilege_advice("permission denied for table schema_history", "INSERT INTO t"),
                 "lacks INSERT on table schema_history");
  CHECK_CONTAINS(privilege_advice("permission denied for function f", "SELECT f()"), "lacks EXECUTE on function f");
  CHECK_CONTAINS(privilege_advice("permission denied for database app", "CREATE SCHEMA s"),
                 "lacks CREATE on database app");
  CHECK_CONTAINS(privilege_advice("must be owner of table users", "ALTER TABLE auth.users"),
                 "must be run by the owner of table users");
  CHECK(privilege_advice("permission denied to create role", "CREATE ROLE r").empty());
  CHECK(privilege_advice("relation \"t\" does not exist", "SELECT 1").empty());
}

TEST_CASE("statement_head: one line, cut before any literal and at 60 characters") {
  using cora::statement_head;
  CHECK(statement_head("  SELECT a,\n       b\tFROM t  ") == "SELECT a, b FROM t");
  CHECK(statement_head("CREATE ROLE x PASSWORD 'hunter2'") == "CREATE ROLE x PASSWORD …");
  CHECK(statement_head("DO $$ BEGIN PERFORM 'secret'; END $$") == "DO …");
  const std::string long_sql(200, 'x');
  CHECK(statement_head(long_sql) == std::string(60, 'x') + "…");
  // Never cut inside a character: the head goes into JSON.
  std::string accents;
  for (int i = 0; i < 40; ++i) accents += "é";
  const auto head = statement_head(accents);
  CHECK(head.size() == 60 + std::string("…").size());
}
