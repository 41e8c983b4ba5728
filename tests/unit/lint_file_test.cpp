#include <doctest/doctest.h>

#include <string>

#include "cora/lint/lint_file.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "lint_test_helpers.hpp"
#include "unit_helpers.hpp"

using cora::MigrationFile;
using cora::lint::kInvalidFile;
using cora::lint::kInvalidSilence;
using cora::lint::load_lint_file;

namespace {

// One file at version 1, as lint_test_helpers makes them.
MigrationFile file_of(const std::string& content) { return cora::test::migration(1, content); }

}  // namespace

TEST_CASE("load_lint_file: errors take their place from the error, not from its text") {
  SUBCASE("an invalid header directive: invalid_file at its line") {
    const auto file = file_of("-- a comment\n-- cora-migrate: transaction=maybe\nSELECT 1;\n");
    const auto loaded = load_lint_file(file, true);
    CHECK_FALSE(loaded.file.has_value());
    REQUIRE(loaded.errors.size() == 1);
    const auto& e = loaded.errors[0];
    CHECK(e.rule == kInvalidFile);
    CHECK(e.file == "migrations/001-m.sql");
    CHECK(e.line == 2);
    CHECK(e.column == 0);
    CHECK(e.message == "transaction must be true or false");
    CHECK_CONTAINS(e.hint, "directives are:");
  }
  SUBCASE("a header silence without a reason: invalid_silence, by the error's kind") {
    const auto loaded = load_lint_file(file_of("-- cora-migrate: ignore=drop_table\nDROP TABLE t;\n"), true);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].rule == kInvalidSilence);
    CHECK(loaded.errors[0].line == 1);
    CHECK(loaded.errors[0].message.rfind("ignore= without a reason", 0) == 0);
  }
  SUBCASE("a header value that quotes ignore= is still about the file") {
    const auto loaded = load_lint_file(file_of("-- cora-migrate: lock_timeout=ignore=x\nSELECT 1;\n"), true);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].rule == kInvalidFile);
    CHECK(loaded.errors[0].line == 1);
  }
  SUBCASE("ignore= naming an unknown rule: invalid_silence at the silence's line") {
    const auto loaded =
        load_lint_file(file_of("SELECT 1;\n-- cora-migrate: ignore=no_such_rule reason=\"x\"\nSELECT 2;\n"), true);
    REQUIRE(loaded.file.has_value());
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].rule == kInvalidSilence);
    CHECK(loaded.errors[0].line == 2);
    CHECK(loaded.errors[0].message == "ignore=no_such_rule names no lint rule");
  }
  SUBCASE("a bad silence before a statement: invalid_silence at its line, the file still linted") {
    const auto loaded = load_lint_file(file_of("SELECT 1;\n-- cora-migrate: reason=\"x\"\nSELECT 2;\n"), true);
    REQUIRE(loaded.file.has_value());
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].rule == kInvalidSilence);
    CHECK(loaded.errors[0].line == 2);
    CHECK(loaded.errors[0].message == "reason= without ignore=RULE");
  }
  SUBCASE("a syntax error: invalid_file with line and column, the message without them") {
    const auto loaded = load_lint_file(file_of("SELECT 1;\n\nSELECT 2 FROM  WHERE;\n"), true);
    CHECK_FALSE(loaded.file.has_value());
    REQUIRE(loaded.errors.size() == 1);
    const auto& e = loaded.errors[0];
    CHECK(e.rule == kInvalidFile);
    CHECK(e.line == 3);
    CHECK(e.column == 16);
    CHECK(e.message == "SQL syntax error: syntax error at or near \"WHERE\"");
    CHECK_NOT_CONTAINS(e.message, "001-m.sql");
  }
  SUBCASE("a NUL byte: invalid_file at its line and column") {
    const auto loaded = load_lint_file(file_of(std::string("SELECT 1;\nSELECT\0 2;\n", 21)), true);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].rule == kInvalidFile);
    CHECK(loaded.errors[0].line == 2);
    CHECK(loaded.errors[0].column == 7);
    CHECK(loaded.errors[0].message == "contains a NUL byte");
  }
}
