// A file goes to the parser a bounded chunk of statements at a time (so that memory stays in
// proportion to the chunk, not the file): every chunk size gives what one parse of the whole
// text gives, including where the scanner alone would cut a statement in two, and errors name
// the line in the whole text.

#include <doctest/doctest.h>

#include <string>

#include "cora/sql/parse_tree.hpp"
#include "cora/sql/script.hpp"

using cora::parse_statements_in_chunks;

namespace {

// Statements whose semicolons are not all statement ends: the scanner splits at each of them.
const std::string kAwkwardStatements =
    "-- leading comment\n"
    "CREATE TABLE public.t (id int PRIMARY KEY, note text);\n"
    "CREATE FUNCTION public.add_one(i int) RETURNS int LANGUAGE sql\n"
    "BEGIN ATOMIC\n"
    "  SELECT i + 1;\n"
    "  SELECT i + 2;\n"
    "END;\n"
    "CREATE RULE t_log AS ON INSERT TO public.t DO ALSO (NOTIFY t_changed; NOTIFY t_inserted);\n"
    "/* a block comment */ INSERT INTO public.t VALUES (1, 'a;b');\n"
    "CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;\n"
    "SELECT 1 -- no semicolon at the end\n";

void check_same(const std::vector<cora::ParsedStatement>& a, const std::vector<cora::ParsedStatement>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("statement " << i);
    CHECK(a[i].offset == b[i].offset);
    CHECK(a[i].length == b[i].length);
    CHECK(a[i].type == b[i].type);
    CHECK(a[i].node == b[i].node);
  }
}

}  // namespace

TEST_CASE("parse in chunks: any chunk size gives the statements of one whole parse") {
  const auto whole = parse_statements_in_chunks(kAwkwardStatements, std::string::npos);
  REQUIRE(whole.size() == 6);
  CHECK(whole[1].type == "CreateFunctionStmt");
  CHECK(whole[2].type == "RuleStmt");
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{16}, std::size_t{64}, std::size_t{200}}) {
    INFO("chunk bytes " << chunk);
    check_same(parse_statements_in_chunks(kAwkwardStatements, chunk), whole);
  }
}

TEST_CASE("parse in chunks: a syntax error in a later chunk names its line in the whole text") {
  const std::string sql = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int;\n";
  for (const std::size_t chunk : {std::size_t{1}, std::string::npos}) {
    INFO("chunk bytes " << chunk);
    try {
      parse_statements_in_chunks(sql, chunk);
      FAIL("no error");
    } catch (const cora::SqlParseFailure& e) {
      CHECK(e.error().line == 3);
      CHECK(e.error().column == 23);
    }
  }
}
