#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "cora/migrations/prepared_migration.hpp"
#include "unit_helpers.hpp"

using cora::ExitCode;
using cora::MigrationFile;
using cora::parse_directives;
using cora::prepare_migration;
using cora::test::error_from;
using std::chrono::milliseconds;

namespace {

MigrationFile migration(const std::string& content) {
  MigrationFile f;
  f.version = 12;
  f.name = "add-teams";
  f.file_name = "012-add-teams.sql";
  f.path = "migrations/012-add-teams.sql";
  f.content = content;
  f.checksum = "unused";
  return f;
}

}  // namespace

TEST_CASE("parse_directives: values") {
  SUBCASE("no directives: one transaction, the configured timeouts") {
    const auto d = parse_directives(migration("CREATE TABLE t (id int);"));
    CHECK(d.transaction);
    CHECK_FALSE(d.lock_timeout.has_value());
    CHECK_FALSE(d.statement_timeout.has_value());
  }
  SUBCASE("transaction=false") {
    CHECK_FALSE(parse_directives(migration("-- cora-migrate: transaction=false\nSELECT 1;")).transaction);
  }
  SUBCASE("transaction=true is accepted and keeps the default") {
    CHECK(parse_directives(migration("-- cora-migrate: transaction=true\nSELECT 1;")).transaction);
  }
  SUBCASE("lock_timeout and statement_timeout on one line") {
    const auto d = parse_directives(migration("-- cora-migrate: lock_timeout=30s statement_timeout=2min\nSELECT 1;"));
    REQUIRE(d.lock_timeout.has_value());
    REQUIRE(d.statement_timeout.has_value());
    CHECK(d.lock_timeout->count() == 30'000);
    CHECK(d.statement_timeout->count() == 120'000);
    CHECK(d.transaction);
  }
  SUBCASE("statement_timeout=0 is an explicit \"no limit\", not \"unset\"") {
    const auto d = parse_directives(migration("-- cora-migrate: statement_timeout=0\nSELECT 1;"));
    REQUIRE(d.statement_timeout.has_value());
    CHECK(d.statement_timeout->count() == 0);
  }
  SUBCASE("directives on several lines, among other comments and blank lines") {
    const auto d =
        parse_directives(migration("-- Adds the teams table.\n"
                                   "\n"
                                   "-- cora-migrate: transaction=false\n"
                                   "   -- cora-migrate:   lock_timeout=5s\t\n"
                                   "-- more prose\n"
                                   "CREATE INDEX CONCURRENTLY ON t (id);\n"));
    CHECK_FALSE(d.transaction);
    REQUIRE(d.lock_timeout.has_value());
    CHECK(d.lock_timeout->count() == 5'000);
  }
  SUBCASE("a later directive overrides an earlier one") {
    const auto d =
        parse_directives(migration("-- cora-migrate: lock_timeout=1s\n-- cora-migrate: lock_timeout=2s\nSELECT 1;"));
    REQUIRE(d.lock_timeout.has_value());
    CHECK(d.lock_timeout->count() == 2'000);
  }
  SUBCASE("CRLF line endings") {
    const auto d = parse_directives(migration("-- cora-migrate: transaction=false lock_timeout=3s\r\nSELECT 1;\r\n"));
    CHECK_FALSE(d.transaction);
    REQUIRE(d.lock_timeout.has_value());
    CHECK(d.lock_timeout->count() == 3'000);
  }
}

TEST_CASE("parse_directives: only the leading comment block counts") {
  SUBCASE("a directive after the first SQL line is ignored") {
    const auto d = parse_directives(migration("SELECT 1;\n-- cora-migrate: transaction=false\n"));
    CHECK(d.transaction);
  }
  SUBCASE("an invalid directive after SQL is not even read") {
    CHECK_NOTHROW(parse_directives(migration("SELECT 1;\n-- cora-migrate: bogus=1\n")));
  }
  SUBCASE("a directive-looking string inside SQL is ignored") {
    const auto d = parse_directives(migration("SELECT '\n-- cora-migrate: transaction=false\n';"));
    CHECK(d.transaction);
  }
}

TEST_CASE("parse_directives: errors name the file and line") {
  auto expect_error = [](const std::string& content, int line, const std::string& fragment) {
    const auto error = error_from([&] { parse_directives(migration(content)); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:" + std::to_string(line) + ":");
    CHECK_CONTAINS(error->what(), fragment);
    CHECK_FALSE(error->hint().empty());
  };
  SUBCASE("an unknown directive") {
    expect_error("-- header\n\n-- cora-migrate: transactions=false\nSELECT 1;", 3,
                 "unknown directive \"transactions\"");
  }
  SUBCASE("an unknown directive after a valid one on the same line") {
    expect_error("-- cora-migrate: transaction=false timeout=1s\nSELECT 1;", 1, "unknown directive \"timeout\"");
  }
  SUBCASE("transaction must be true or false") {
    expect_error("-- cora-migrate: transaction=no\nSELECT 1;", 1, "transaction must be true or false");
    expect_error("-- cora-migrate: transaction=FALSE\nSELECT 1;", 1, "transaction must be true or false");
  }
  SUBCASE("a bad duration names the key and value") {
    expect_error("--\n-- cora-migrate: lock_timeout=30sec\nSELECT 1;", 2, "lock_timeout=30sec");
    expect_error("-- cora-migrate: statement_timeout=-1s\nSELECT 1;", 1, "statement_timeout=-1s");
  }
  SUBCASE("a word that is not key=value") {
    expect_error("-- cora-migrate: transaction\nSELECT 1;", 1, "\"transaction\" is not key=value");
  }
}

TEST_CASE("prepare_migration: a valid file") {
  const auto file = migration(
      "-- cora-migrate: lock_timeout=5s\n"
      "CREATE TABLE teams (id int PRIMARY KEY);\n"
      "CREATE INDEX teams_id ON teams (id);\n");
  const auto prepared = prepare_migration(file);
  CHECK(prepared.file == &file);
  REQUIRE(prepared.directives.lock_timeout.has_value());
  CHECK(prepared.directives.lock_timeout->count() == 5'000);
  REQUIRE(prepared.script.statements.size() == 2);
  CHECK(prepared.script.statements[0].first_line == 2);
  CHECK(prepared.script.statements[1].first_line == 3);
  CHECK(prepared.statement_text(prepared.script.statements[0]) ==
        "-- cora-migrate: lock_timeout=5s\nCREATE TABLE teams (id int PRIMARY KEY)");
  CHECK(prepared.statement_text(prepared.script.statements[1]) == "\nCREATE INDEX teams_id ON teams (id)");
}

TEST_CASE("prepare_migration: SQL syntax errors") {
  SUBCASE("file:line:column, with columns counted in characters") {
    // Line 3 is "SELECT 'ü€' FROM WHERE;": WHERE starts at character 18 (byte 21).
    const auto file = migration(
        "CREATE TABLE t (id int);\n"
        "-- \xC3\xA9t\xC3\xA9\n"
        "SELECT '\xC3\xBC\xE2\x82\xAC' FROM WHERE;\n");
    const auto error = error_from([&] { prepare_migration(file); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:3:18: SQL syntax error");
    CHECK_CONTAINS(error->what(), "WHERE");
  }
  SUBCASE("an error on the first line") {
    const auto error = error_from([&] { prepare_migration(migration("CREAT TABLE t (id int);")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:1:1:");
  }
  SUBCASE("a directive error is reported before the SQL is parsed") {
    const auto error = error_from([&] { prepare_migration(migration("-- cora-migrate: nope=1\nCREAT TABLE t;")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:1: unknown directive \"nope\"");
  }
}

TEST_CASE("prepare_migration: transaction control") {
  const std::string body =
      "CREATE TABLE t (id int);\n"
      "BEGIN;\n"
      "INSERT INTO t VALUES (1);\n"
      "COMMIT;\n";
  SUBCASE("BEGIN is rejected in a file that runs in our transaction, naming its line") {
    const auto error = error_from([&] { prepare_migration(migration(body)); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:2:");
    CHECK_CONTAINS(error->what(), "transaction control");
    CHECK_CONTAINS(error->hint(), "transaction=false");
  }
  SUBCASE("COMMIT alone is rejected too") {
    const auto error = error_from([&] { prepare_migration(migration("CREATE TABLE t (id int);\n\nCOMMIT;")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:3:");
  }
  SUBCASE("ROLLBACK and SAVEPOINT are transaction control") {
    const auto savepoint = error_from([&] { prepare_migration(migration("SAVEPOINT s;\nSELECT 1;")); });
    REQUIRE(savepoint.has_value());
    CHECK(savepoint->code() == ExitCode::migration_files);
    CHECK_CONTAINS(savepoint->what(), "migrations/012-add-teams.sql:1: transaction control");
    const auto rollback = error_from([&] { prepare_migration(migration("SELECT 1;\n-- undo\nROLLBACK;")); });
    REQUIRE(rollback.has_value());
    CHECK(rollback->code() == ExitCode::migration_files);
    CHECK_CONTAINS(rollback->what(), "migrations/012-add-teams.sql:3: transaction control");
  }
  SUBCASE("allowed with transaction=false") {
    const auto prepared = prepare_migration(migration("-- cora-migrate: transaction=false\n" + body));
    CHECK_FALSE(prepared.directives.transaction);
    REQUIRE(prepared.script.statements.size() == 4);
    CHECK(prepared.script.statements[1].node_type == "TransactionStmt");
  }
  SUBCASE("BEGIN in a string or comment is not transaction control") {
    CHECK_NOTHROW(prepare_migration(migration("-- BEGIN;\nSELECT 'COMMIT;';")));
  }
  SUBCASE("CREATE INDEX CONCURRENTLY is accepted with transaction=false") {
    const auto prepared =
        prepare_migration(migration("-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY i ON t (id);"));
    REQUIRE(prepared.script.statements.size() == 1);
    CHECK(prepared.script.statements[0].concurrently);
  }
}

TEST_CASE("prepare_migration: statements that cannot run") {
  SUBCASE("COPY FROM STDIN is rejected, naming its line") {
    const auto error =
        error_from([&] { prepare_migration(migration("CREATE TABLE t (id int);\nCOPY t (id) FROM STDIN;\n")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:2:");
    CHECK_CONTAINS(error->what(), "COPY");
  }
  SUBCASE("COPY FROM STDIN is rejected with transaction=false too") {
    const auto error =
        error_from([&] { prepare_migration(migration("-- cora-migrate: transaction=false\nCOPY t FROM STDIN;")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql:2:");
  }
  SUBCASE("COPY FROM a server file is allowed") {
    CHECK_NOTHROW(prepare_migration(migration("COPY t FROM '/tmp/t.csv';")));
  }
}

TEST_CASE("prepare_migration: files without SQL") {
  SUBCASE("a comment-only file is rejected") {
    const auto error =
        error_from([&] { prepare_migration(migration("-- cora-migrate: transaction=false\n-- TODO\n/* later */\n")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql");
    CHECK_CONTAINS(error->what(), "only comments");
  }
  SUBCASE("a file of semicolons is rejected") {
    const auto error = error_from([&] { prepare_migration(migration(";\n;\n")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql: holds no SQL statement");
  }
}

TEST_CASE("prepare_migration: no SQL is silently dropped") {
  // libpg_query reads a C string: everything after a NUL byte would be neither checked nor run,
  // while the checksum (and so the history) covers it.
  SUBCASE("a NUL byte between statements") {
    const auto file = migration(std::string("CREATE TABLE a (id int);\n\0DROP TABLE b;\n", 40));
    REQUIRE(file.content.size() == 40);
    const auto error = error_from([&] { prepare_migration(file); });
    REQUIRE_MESSAGE(error.has_value(), "a file with a NUL byte was accepted; the SQL after it would never run");
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "migrations/012-add-teams.sql");
  }
}

TEST_CASE("prepare_migration: a file wrapped in one outer BEGIN; ... COMMIT; runs as its own transaction") {
  for (const std::string begin : {"BEGIN;", "START TRANSACTION;", "begin;"}) {
    CAPTURE(begin);
    const auto file =
        migration("-- written for psql\n" + begin + "\nCREATE TABLE t (id int);\nCREATE INDEX i ON t (id);\nCOMMIT;\n");
    const auto prepared = prepare_migration(file);
    REQUIRE(prepared.script.statements.size() == 2);
    CHECK(prepared.script.statements[0].node_type == "CreateStmt");
    CHECK(prepared.script.statements[1].node_type == "IndexStmt");
  }
  SUBCASE("any other shape of transaction control stays an error") {
    for (const std::string sql :
         {"BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\nSELECT 1;\n", "BEGIN;\nSAVEPOINT s;\nCOMMIT;\n",
          "CREATE TABLE t (id int);\nCOMMIT;\n", "BEGIN;\nCREATE TABLE t (id int);\nROLLBACK;\n"}) {
      CAPTURE(sql);
      const auto error = error_from([&] { prepare_migration(migration(sql)); });
      REQUIRE(error.has_value());
      CHECK(error->code() == ExitCode::migration_files);
      CHECK_CONTAINS(error->what(), "transaction control");
    }
  }
}

TEST_CASE("first_destructive_statement: what a re-run would destroy") {
  CHECK(cora::first_destructive_statement(
            migration("CREATE TABLE IF NOT EXISTS t (id int);\nDELETE FROM t WHERE id = 1;\n")) == std::nullopt);
  CHECK(cora::first_destructive_statement(migration("SELECT 1;\nDROP TABLE IF EXISTS t CASCADE;\n"))->text() ==
        "line 2: DROP TABLE");
  CHECK(cora::first_destructive_statement(migration("TRUNCATE t;\n"))->text() == "line 1: TRUNCATE");
  CHECK(cora::first_destructive_statement(migration("SELECT 1;\n\nDELETE FROM t;\n"))->text() ==
        "line 3: DELETE without WHERE");
}
