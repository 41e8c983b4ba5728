#include <doctest/doctest.h>

#include <string>

#include "cora/db/lock_wait.hpp"
#include "cora/error.hpp"
#include "unit_helpers.hpp"

using cora::Error;
using cora::ErrorKind;
using cora::ExitCode;

TEST_CASE("Error: what() is the site's place, then the message") {
  SUBCASE("file, line and column") {
    const auto e = Error(ExitCode::migration_files, "syntax error at or near \"SELEC\"", "fix the SQL")
                       .at({"migrations/002-b.sql", 3, 13});
    CHECK(std::string(e.what()) == "migrations/002-b.sql:3:13: syntax error at or near \"SELEC\"");
    CHECK(e.message() == "syntax error at or near \"SELEC\"");
    CHECK(e.hint() == "fix the SQL");
    REQUIRE(e.site().has_value());
    CHECK(e.site()->file == "migrations/002-b.sql");
    CHECK(e.site()->line == 3);
    CHECK(e.site()->column == 13);
  }
  SUBCASE("file and line") {
    const auto e = Error(ExitCode::config, "timeouts.lock_wait: must be a string").at({"cora-migrate.toml", 2});
    CHECK(std::string(e.what()) == "cora-migrate.toml:2: timeouts.lock_wait: must be a string");
    CHECK(e.message() == "timeouts.lock_wait: must be a string");
    CHECK(e.site()->column == 0);
  }
  SUBCASE("file only") {
    const auto e = Error(ExitCode::migration_files, "file is empty").at({"migrations/001-a.sql"});
    CHECK(std::string(e.what()) == "migrations/001-a.sql: file is empty");
    CHECK(e.message() == "file is empty");
  }
  SUBCASE("a column without a line is not printed") {
    CHECK(std::string(Error(ExitCode::internal, "x").at({"f.sql", 0, 7}).what()) == "f.sql: x");
  }
  SUBCASE("no file: the message alone, the sqlstate still kept") {
    const auto e = Error(ExitCode::connection, "refused").at({"", 0, 0, "42501"});
    CHECK(std::string(e.what()) == "refused");
    CHECK(e.site()->sqlstate == "42501");
  }
  SUBCASE("without a site") {
    const Error e(ExitCode::usage, "no such command");
    CHECK(std::string(e.what()) == "no such command");
    CHECK(e.message() == "no such command");
    CHECK_FALSE(e.site().has_value());
  }
  SUBCASE("about(): the site for machine output, the message as written") {
    const auto e = Error(ExitCode::interrupted, "interrupted while applying migrations/002-b.sql")
                       .about({"migrations/002-b.sql", 3, 1, "57014"});
    CHECK(std::string(e.what()) == "interrupted while applying migrations/002-b.sql");
    CHECK(e.site()->line == 3);
  }
  SUBCASE("a copy keeps what() and the site") {
    const Error original = Error(ExitCode::migration_files, "contains a NUL byte").at({"m/1-a.sql", 1, 9});
    const Error copy = original;  // NOLINT(performance-unnecessary-copy-initialization): what a throw does
    CHECK(std::string(copy.what()) == "m/1-a.sql:1:9: contains a NUL byte");
    CHECK(copy.site()->column == 9);
  }
}

TEST_CASE("Error: kind") {
  CHECK(Error(ExitCode::migration_files, "x").kind() == ErrorKind::other);
  const auto e =
      Error(ExitCode::migration_files, "reason= without ignore=RULE").at({"m.sql", 1}).of_kind(ErrorKind::silence);
  CHECK(e.kind() == ErrorKind::silence);
  CHECK(std::string(e.what()) == "m.sql:1: reason= without ignore=RULE");
}

TEST_CASE("lock_wait_exceeded: one wording, naming what was held") {
  const auto run = cora::migration_lock_wait_exceeded("5s");
  CHECK(run.code() == ExitCode::lock_timeout);
  CHECK(std::string(run.what()) == "another cora-migrate run held the migration lock for longer than lock_wait (5s)");
  CHECK_CONTAINS(run.hint(), "raise [timeouts] lock_wait");

  const auto table = cora::lock_wait_exceeded("the history table x.h stayed locked by another session", "");
  CHECK(table.code() == ExitCode::lock_timeout);
  CHECK(std::string(table.what()) ==
        "the history table x.h stayed locked by another session for longer than lock_wait");
  CHECK(table.hint() == run.hint());

  const auto file = cora::migration_lock_wait_exceeded("1s").at({"migrations/003-c.sql"});
  CHECK(std::string(file.what()) ==
        "migrations/003-c.sql: another cora-migrate run held the migration lock for longer than lock_wait (1s)");
}
