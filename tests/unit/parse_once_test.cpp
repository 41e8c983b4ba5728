#include <doctest/doctest.h>

#include <string>

#include "cora/lint/lint_file.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "cora/sql/parse_tree.hpp"
#include "cora/sql/script.hpp"

using cora::statement_parses_run;

namespace {

// A text no other test parses, so that the count below is this test's alone.
std::string unique_sql(const char* tag) {
  return std::string("CREATE TABLE parse_once_") + tag + " (id int);\nDROP TABLE parse_once_" + tag + ";\n";
}

}  // namespace

TEST_CASE("a text is parsed once however many readers ask") {
  SUBCASE("the statements and the script") {
    const std::string sql = unique_sql("script");
    const auto before = statement_parses_run();
    const auto script = cora::parse_sql_script(sql);
    CHECK(cora::parse_sql_script(sql).statements.size() == script.statements.size());
    CHECK(cora::parse_statements(sql)->size() == 2);
    CHECK(statement_parses_run() == before + 1);
    CHECK(script.statements.at(1).destructive == "DROP TABLE");
  }
  SUBCASE("migrate's checks, then lint's validation and rules") {
    cora::MigrationFile file;
    file.path = "migrations/001-parse-once.sql";
    file.content = unique_sql("lint");
    const auto before = statement_parses_run();
    CHECK(cora::first_destructive_statement(file).has_value());
    CHECK(cora::prepare_migration(file).script.statements.size() == 2);
    const auto loaded = cora::lint::load_lint_file(file, true);
    REQUIRE(loaded.file.has_value());
    CHECK(loaded.file->statements.size() == 2);
    CHECK(loaded.file->statements.at(0).node.is_object());  // the rules still get their trees
    CHECK(statement_parses_run() == before + 1);
  }
  SUBCASE("a syntax error is reported again, with its place, without a second parse") {
    const std::string sql = "SELECT 1;\nSELEC parse_once_error;\n";
    const auto before = statement_parses_run();
    for (int i = 0; i < 2; ++i) {
      try {
        cora::parse_sql_script(sql);
        FAIL("no syntax error");
      } catch (const cora::SqlParseFailure& failure) {
        CHECK(failure.error().line == 2);
      }
    }
    CHECK(statement_parses_run() == before + 1);
  }
}
