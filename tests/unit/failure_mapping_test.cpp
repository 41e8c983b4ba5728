// A migration's failure, mapped from the file and the server's error alone: where (the server's
// character position inside the statement, or the statement's first line), what (the message
// with its SQLSTATE, detail, hint and context) and what to do (by SQLSTATE and by whether the
// file ran in a transaction). No database.

#include <doctest/doctest.h>

#include <string>

#include "cora/migrate/failure_mapping.hpp"
#include "lint_test_helpers.hpp"

using cora::ExitCode;
using cora::FailureContext;
using cora::migration_failure;
using cora::ServerError;

namespace {

const std::string kFile =
    "-- items\n"                          // 1
    "CREATE TABLE items (id int);\n"      // 2
    "\n"                                  // 3
    "-- then a typo'd table\n"            // 4
    "INSERT INTO nowhere VALUES (1);\n";  // 5

ServerError error(const std::string& sqlstate, int position = 0) {
  ServerError e;
  e.sqlstate = sqlstate;
  e.message = "relation \"nowhere\" does not exist";
  e.position = position;
  return e;
}

}  // namespace

TEST_CASE("migration_failure: the server's position inside the statement gives the file's line and column") {
  const auto file = cora::test::migration(2, kFile);
  const auto m = cora::prepare_migration(file);
  REQUIRE(m.script.statements.size() == 2);
  // PostgreSQL counts characters from the start of the text it was sent, which begins after the
  // previous statement's semicolon.
  const std::string sent = m.statement_text(m.script.statements[1]);
  const auto e = migration_failure(m, 1, error("42P01", static_cast<int>(sent.find("nowhere")) + 1), {});
  CHECK(e.code() == ExitCode::migration_failed);
  REQUIRE(e.site());
  CHECK(e.site()->file == "migrations/002-m.sql");
  CHECK(e.site()->line == 5);
  CHECK(e.site()->column == 13);
  CHECK(e.site()->sqlstate == "42P01");
  CHECK(e.message() == "relation \"nowhere\" does not exist [SQLSTATE 42P01]");
  CHECK(std::string(e.what()) == "migrations/002-m.sql:5:13: relation \"nowhere\" does not exist [SQLSTATE 42P01]");
  CHECK(e.hint() == "the file was rolled back, nothing from it was applied; fix the file and run migrate again");
}

TEST_CASE("migration_failure: without a position, the statement's first line after its comments") {
  const auto file = cora::test::migration(2, kFile);
  const auto m = cora::prepare_migration(file);
  const auto e = migration_failure(m, 1, error("42P01"), {});
  REQUIRE(e.site());
  CHECK(e.site()->line == 5);
  CHECK(e.site()->column == 1);
}

TEST_CASE("migration_failure: detail, hint and the first line of context follow the message") {
  const auto file = cora::test::migration(2, kFile);
  const auto m = cora::prepare_migration(file);
  auto server = error("23505", 1);
  server.detail = "Key (id)=(1) already exists.";
  server.hint = "pick another id";
  server.context = "SQL statement \"INSERT ...\"\nPL/pgSQL function f() line 3";
  const auto e = migration_failure(m, 1, server, {});
  CHECK(e.message() ==
        "relation \"nowhere\" does not exist [SQLSTATE 23505]; detail: Key (id)=(1) already exists.; hint: pick "
        "another id; context: SQL statement \"INSERT ...\"");
}

TEST_CASE("migration_failure: what to do is chosen by SQLSTATE") {
  const auto file = cora::test::migration(2, kFile);
  const auto m = cora::prepare_migration(file);
  CHECK(migration_failure(m, 1, error("55P03"), {}).hint().find("a table it needs is busy") != std::string::npos);
  CHECK(migration_failure(m, 1, error("57014"), {}).hint().find("ran past statement_timeout") != std::string::npos);

  SUBCASE("a cancel the run asked for (SIGINT) is an interruption, exit 130, its place kept for machines") {
    const auto e = migration_failure(m, 1, error("57014"), FailureContext{"", true});
    CHECK(e.code() == ExitCode::interrupted);
    CHECK(std::string(e.what()) == "interrupted while applying migrations/002-m.sql");
    REQUIRE(e.site());
    CHECK(e.site()->line == 5);
  }
}

TEST_CASE("migration_failure: a file outside a transaction is left dirty, and repair names it") {
  auto file = cora::test::migration(3, "-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY i ON t (a);\n");
  const auto m = cora::prepare_migration(file);
  const auto e = migration_failure(m, 0, error("42P01"), FailureContext{" (extra)", false});
  CHECK(e.hint() ==
        "the statements before it stay applied and the migration is marked dirty (extra); finish or undo them by "
        "hand, then run `cora-migrate repair 3`");

  SUBCASE("in a module, repair is given the module and the file's name") {
    file.module = "module-access";
    const auto in_module = cora::prepare_migration(file);
    CHECK(migration_failure(in_module, 0, error("42P01"), {}).hint().find("cora-migrate repair module-access:003-m`") !=
          std::string::npos);
  }
}
