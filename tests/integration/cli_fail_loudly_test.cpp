// Mistakes that used to pass quietly, run through the built binary: a missing checks folder,
// --scratch with a URL, an unconfigured database in CI, a folder that is no project, verify
// before migrate, and durations written as PostgreSQL writes them.

#include <doctest/doctest.h>

#include <filesystem>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

TEST_CASE("verify: a --checks or checks_dir folder that does not exist is an error, not lints only") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  TestDatabase db;
  const auto typo = run_in(dir, {"verify", "--checks", "chekcs", "--database-url", db.conninfo()});
  CHECK(typo.exit_code == 3);
  CHECK(contains(typo.err, "checks folder chekcs does not exist"));
  CHECK(typo.out.empty());

  dir.write("cora-migrate.toml", "checks_dir = \"checkz\"\n");
  const auto config = run_in(dir, {"verify", "--database-url", db.conninfo()});
  CHECK(config.exit_code == 3);
  CHECK(contains(config.err, "checkz does not exist"));

  // The default checks/ may be missing: lints only, as before.
  std::filesystem::remove(dir.path() / "cora-migrate.toml");
  CHECK(run_in(dir, {"migrate", "--database-url", db.conninfo()}).exit_code == 0);
  const auto lints_only = run_in(dir, {"verify", "--database-url", db.conninfo()});
  CHECK(lints_only.exit_code == 11);  // the lints ran: table a has no row level security
  CHECK(contains(lints_only.out, "rls"));
  CHECK(!contains(lints_only.err, "does not exist"));
}

TEST_CASE("verify --scratch with --database-url is a usage error") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "SELECT 1;\n");
  const auto r = run_in(dir, {"verify", "--scratch", "--database-url", "postgresql://localhost/x"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--scratch and --database-url together"));
  CHECK(!std::filesystem::exists(dir.path() / ".cora"));
}

TEST_CASE("verify on a database with pending migrations says so first") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  dir.write("migrations/002-b.sql", "CREATE TABLE b (id int PRIMARY KEY);\n");
  TestDatabase db;
  CHECK(run_in(dir, {"migrate", "--to", "1", "--database-url", db.conninfo()}).exit_code == 0);
  const auto r = run_in(dir, {"verify", "--database-url", db.conninfo()});
  CHECK(contains(r.err, "warning: 1 migration is not applied to "));
  CHECK(contains(r.err,
                 "(first: 002-b.sql, pending): verify checks the schema as it is; run `cora-migrate migrate` first"));
  CHECK(run_in(dir, {"migrate", "--database-url", db.conninfo()}).exit_code == 0);
  CHECK(!contains(run_in(dir, {"verify", "--database-url", db.conninfo()}).err, "not applied"));
}

TEST_CASE("no database configured: announced; refused when CI is set unless --local; no cluster outside a project") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "[local]\ndata_dir = \"pg\"\n");
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");

  const auto refused = run_in(dir, {"migrate"}, {{"CI", "true"}});
  CHECK(refused.exit_code == 3);
  CHECK(contains(refused.err, "CI is set and no database is configured"));
  CHECK(contains(refused.err, "pass --local"));
  CHECK(!std::filesystem::exists(dir.path() / "pg"));

  const auto chosen = run_in(dir, {"migrate", "--local"}, {{"CI", "true"}});
  CHECK(chosen.exit_code == 0);
  CHECK(!contains(chosen.err, "note: no database configured"));
  CHECK(contains(chosen.out, "applied 001-a.sql"));

  const auto fallback = run_in(dir, {"status"}, {{"CI", std::nullopt}});
  CHECK(fallback.exit_code == 0);
  CHECK(contains(fallback.err, "note: no database configured"));
  CHECK(contains(fallback.err, "using the embedded PostgreSQL in"));
  // CI=false is not CI.
  CHECK(run_in(dir, {"status"}, {{"CI", "false"}}).exit_code == 0);
  // `local ...` is explicit: never refused.
  CHECK(run_in(dir, {"local", "status"}, {{"CI", "true"}}).exit_code == 0);
  CHECK(run_in(dir, {"--local", "--database-url", "postgresql://x/y", "status"}).exit_code == 2);
  CHECK(run_in(dir, {"local", "stop"}).exit_code == 0);

  ScratchDir empty;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"verify"}, {"history"}, {"history", "--local"}}) {
    CAPTURE(args.front());
    const auto r = run_in(empty, args);
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "no cora-migrate.toml and no migrations folder here"));
  }
  CHECK(!std::filesystem::exists(empty.path() / ".cora"));
}

TEST_CASE("durations as PostgreSQL writes them: 5, 1.5s, 1 min") {
  ScratchDir dir;
  dir.write("cora-migrate.toml",
            "[timeouts]\nlock_timeout = \"1 min\"\nstatement_timeout = \"1.5s\"\nlock_wait = \"5\"\n");
  dir.write("migrations/001-settings.sql",
            "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS lock_timeout, "
            "current_setting('statement_timeout') AS statement_timeout;\n");
  TestDatabase db;
  const auto r = run_in(dir, {"migrate", "--wait", "1.5s", "--database-url", db.conninfo()});
  CHECK(r.exit_code == 0);
  CHECK(db.scalar("SELECT lock_timeout || ' ' || statement_timeout FROM seen") == "1min 1500ms");
  const auto bad = run_in(dir, {"status", "--wait", "1 minute", "--database-url", db.conninfo()});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--wait 1 minute: not a duration"));
}
