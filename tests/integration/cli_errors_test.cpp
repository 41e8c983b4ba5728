// Bad input, run through the built binary: one line on stderr naming the file/line or setting,
// the documented exit code, no password, and the database left as it was.

#include <doctest/doctest.h>

#include <algorithm>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

// The error is the last line on stderr, a single line (progress or "Applying ..." may precede it).
void check_one_line(const CliResult& r) {
  REQUIRE(!r.err.empty());
  CHECK(r.err.back() == '\n');
  const auto start = r.err.rfind('\n', r.err.size() - 2);
  const std::string last = r.err.substr(start == std::string::npos ? 0 : start + 1);
  CHECK(last.rfind("cora-migrate: error: ", 0) == 0);
  CHECK(r.err.find("error:") == r.err.find(last) + 14);
}

CliResult run_with_options(const ScratchDir& dir, std::vector<std::string> args, CliOptions options = {}) {
  options.cwd = dir.path();
  return run_cli(args, options);
}

}  // namespace

TEST_CASE("cora-migrate: configuration errors exit 3 and name file, line and key") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "SELECT 1;\n");

  SUBCASE("unknown key") {
    dir.write("cora-migrate.toml", "migrations_dir = \"migrations\"\nbogus = 1\n");
    const auto r = run_with_options(dir, {"status"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cora-migrate.toml:2: bogus: unknown key") != std::string::npos);
    check_one_line(r);
  }
  SUBCASE("wrong type in a table") {
    dir.write("cora-migrate.toml", "[timeouts]\nlock_wait = 5\n");
    const auto r = run_with_options(dir, {"status"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cora-migrate.toml:2: timeouts.lock_wait: must be a string") != std::string::npos);
    check_one_line(r);
  }
  SUBCASE("TOML syntax") {
    dir.write("cora-migrate.toml", "[timeouts]\nlock_wait = \n");
    const auto r = run_with_options(dir, {"status"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cora-migrate.toml:2:") != std::string::npos);
    check_one_line(r);
  }
  SUBCASE("unset variable in database_url") {
    dir.write("cora-migrate.toml", "database_url = \"${CORA_TEST_UNSET_URL}\"\n");
    const auto r = run_with_options(dir, {"status"}, {{}, {{"CORA_TEST_UNSET_URL", std::nullopt}}});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cora-migrate.toml:1: database_url: uses ${CORA_TEST_UNSET_URL}") != std::string::npos);
  }
  SUBCASE("unknown environment") {
    dir.write("cora-migrate.toml", "[environments.dev]\ndatabase_url = \"postgresql:///dev\"\n");
    const auto r = run_with_options(dir, {"--env", "prod", "status"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("no [environments.prod] (configured: dev)") != std::string::npos);
  }
  SUBCASE("missing --config file") {
    const auto r = run_with_options(dir, {"--config", "nope.toml", "status"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("nope.toml: no such config file") != std::string::npos);
  }
}

TEST_CASE("cora-migrate: migration file errors exit 4 before the database is touched") {
  TestDatabase db;
  ScratchDir dir;
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string()});
    return run_cli(args);
  };
  dir.write("m/001-ok.sql", "CREATE TABLE ok (id int);\n");

  SUBCASE("duplicate version") {
    dir.write("m/7_b.sql", "SELECT 1;\n");
    dir.write("m/007-a.sql", "SELECT 1;\n");
    const auto r = run({"migrate"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("007-a.sql and ") != std::string::npos);
    CHECK(r.err.find("7_b.sql: both have version 7") != std::string::npos);
    check_one_line(r);
  }
  SUBCASE("unparseable name") {
    dir.write("m/add-users.sql", "SELECT 1;\n");
    const auto r = run({"migrate"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("add-users.sql: not a migration file name") != std::string::npos);
  }
  SUBCASE("empty file") {
    dir.write("m/002-empty.sql", "\n  \n");
    const auto r = run({"migrate"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("002-empty.sql: file is empty") != std::string::npos);
  }
  SUBCASE("not UTF-8") {
    dir.write("m/002-latin1.sql", "SELECT 1;\nSELECT 'caf\xe9';\n");
    const auto r = run({"migrate"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("002-latin1.sql:2:12: not valid UTF-8") != std::string::npos);
  }
  SUBCASE("SQL syntax error") {
    dir.write("m/002-typo.sql", "CREATE TABLE fine (id int);\n\nALTER TABLE fine ADD COLUMN name text,;\n");
    const auto r = run({"migrate"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("002-typo.sql:3:39: SQL syntax error") != std::string::npos);
    check_one_line(r);
  }
  SUBCASE("missing folder") {
    const auto r =
        run_cli({"--database-url", db.conninfo(), "--migrations", (dir.path() / "nope").string(), "migrate"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("migrations folder does not exist") != std::string::npos);
  }
  CHECK(db.scalar("SELECT to_regclass('public.ok') IS NULL") == "t");
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
}

TEST_CASE("cora-migrate: a migration the server rejects exits 6 with file:line:column") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-stale.sql",
            "CREATE TABLE user_auth_log (id int);\n"
            "INSERT INTO public.auth_event_log VALUES (1);\n");
  const auto r = run_cli({"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string(), "migrate"});
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("001-stale.sql:2:13: relation \"public.auth_event_log\" does not exist [SQLSTATE 42P01]") !=
        std::string::npos);
  check_one_line(r);
  CHECK(db.scalar("SELECT to_regclass('public.user_auth_log') IS NULL") == "t");
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "0");
}

TEST_CASE("cora-migrate: connection errors exit 5 and never print the password") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "SELECT 1;\n");
  const std::string secret = "s3cr3t-Pa55";

  SUBCASE("refused, password in the URL") {
    const auto r =
        run_with_options(dir, {"--database-url", "postgresql://app:" + secret + "@127.0.0.1:1/app", "status"});
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("postgresql://app:***@127.0.0.1:1/app") != std::string::npos);
    CHECK((r.out + r.err).find(secret) == std::string::npos);
    check_one_line(r);
  }
  SUBCASE("refused, password in a key=value string and in PGPASSWORD") {
    const auto r =
        run_with_options(dir, {"--database-url", "host=127.0.0.1 port=1 user=app password=" + secret, "migrate"},
                         {{}, {{"PGPASSWORD", secret}}});
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("password=***") != std::string::npos);
    CHECK((r.out + r.err).find(secret) == std::string::npos);
  }
  SUBCASE("password in DATABASE_URL from the environment") {
    const auto r = run_with_options(dir, {"status", "--format", "json"},
                                    {{}, {{"DATABASE_URL", "postgres://u:" + secret + "@localhost:1/x"}}});
    CHECK(r.exit_code == 5);
    CHECK((r.out + r.err).find(secret) == std::string::npos);
  }
  SUBCASE("a malformed URL") {
    const auto r =
        run_with_options(dir, {"--database-url", "postgresql://u:" + secret + "@host:notaport/db", "status"});
    CHECK(r.exit_code == 5);
    CHECK((r.out + r.err).find(secret) == std::string::npos);
    check_one_line(r);
  }
}

TEST_CASE("cora-migrate: usage errors exit 2") {
  const auto unknown = run_cli({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  check_one_line(unknown);
  const auto none = run_cli({});
  CHECK(none.exit_code == 2);
  const auto help = run_cli({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("migrate") != std::string::npos);
  const auto version = run_cli({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("cora-migrate ", 0) == 0);
}

TEST_CASE("cora-migrate: missing PostgreSQL binaries for the local cluster exit 9") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "SELECT 1;\n");
  dir.write("cora-migrate.toml", "[local]\ndata_dir = \"local\"\npg_bin_dir = \"/nonexistent/bin\"\n");
  const auto r = run_with_options(dir, {"status"});
  CHECK(r.exit_code == 9);
  CHECK(r.err.find("/nonexistent/bin/initdb: PostgreSQL 15 is not installed there") != std::string::npos);
  check_one_line(r);
}
