// The SQL text cora-migrate builds from names and values (cli/cora/db/sql_text.hpp).

#include <doctest/doctest.h>

#include "cora/db/sql_text.hpp"

TEST_CASE("sql text: identifiers are quoted and their quotes doubled") {
  CHECK(cora::quote_identifier("user_sessions") == "\"user_sessions\"");
  CHECK(cora::quote_identifier("a\"b") == "\"a\"\"b\"");
  CHECK(cora::quote_identifier_if_needed("user_sessions") == "user_sessions");
  CHECK(cora::quote_identifier_if_needed("Orgs") == "\"Orgs\"");
  CHECK(cora::quote_identifier_if_needed("1st") == "\"1st\"");
  CHECK(cora::quote_identifier_if_needed("") == "\"\"");
  CHECK(cora::quote_qualified("public.user_auth_log") == "\"public\".\"user_auth_log\"");
  CHECK(cora::quote_qualified("t") == "\"t\"");
}

TEST_CASE("sql text: literals and text[] parameters") {
  CHECK(cora::quote_literal("it's") == "'it''s'");
  CHECK(cora::quote_literal("a\\b") == "'a\\b'");  // standard_conforming_strings: no escape
  CHECK(cora::text_array_literal({}) == "{}");
  CHECK(cora::text_array_literal({"public", "a\"b", "c\\d"}) == "{\"public\",\"a\\\"b\",\"c\\\\d\"}");
}
