#include <doctest/doctest.h>

#include <string>

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
