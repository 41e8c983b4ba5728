// `cora-migrate migrate`, run as a user runs it: the built binary against a real PostgreSQL.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "cora/db/history_table.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::vector<std::string> with_db(const TestDatabase& db, std::vector<std::string> args,
                                 const std::string& migrations = (source_dir() / "migrations").string()) {
  args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", migrations});
  return args;
}

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("cora-migrate migrate: the module-access schema") {
  TestDatabase db;
  const auto first = run_cli(with_db(db, {"migrate"}));
  CHECK(first.exit_code == 0);
  CHECK(count(first.out, "applied 0") == 9);
  CHECK(first.out.find("applied 007-auth-events-sessions.sql") != std::string::npos);
  CHECK(first.out.find("\033[") == std::string::npos);  // no colour into a pipe

  const auto second = run_cli(with_db(db, {"migrate"}));
  CHECK(second.exit_code == 0);
  CHECK(second.out.find("Nothing to apply") != std::string::npos);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "9");
}

TEST_CASE("cora-migrate migrate: global options also work after the command") {
  TestDatabase db;
  const auto result = run_cli({"migrate", "--database-url", db.conninfo(), "--migrations",
                               (source_dir() / "migrations").string(), "--to", "1"});
  CHECK(result.exit_code == 0);
  CHECK(db.scalar("SELECT max(version) FROM cora_migrate.schema_history") == "1");
}

TEST_CASE("cora-migrate migrate --dry-run changes nothing") {
  TestDatabase db;
  const auto result = run_cli(with_db(db, {"migrate", "--dry-run"}));
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("-- 000-default-privileges.sql") != std::string::npos);
  CHECK(result.out.find("CREATE TABLE IF NOT EXISTS public.user_auth_log") != std::string::npos);
  CHECK(result.out.find("CREATE TABLE IF NOT EXISTS \"cora_migrate\".\"schema_history\"") != std::string::npos);
  CHECK(result.out.find("SELECT \"cora_migrate\".\"schema_history_begin\"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                        "$11, $12, $13, $14)") != std::string::npos);
  CHECK(result.out.find("SELECT \"cora_migrate\".\"schema_history_record\"($1, $2, $3, $4, $5, $6, $7, $8)") !=
        std::string::npos);
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
  CHECK(db.scalar("SELECT to_regclass('public.user_auth_log') IS NULL") == "t");
}

TEST_CASE("cora-migrate migrate --to") {
  TestDatabase db;
  const auto result = run_cli(with_db(db, {"migrate", "--to", "4"}));
  CHECK(result.exit_code == 0);
  CHECK(count(result.out, "applied 0") == 5);
  CHECK(db.scalar("SELECT to_regclass('public.org_members') IS NOT NULL") == "t");
  CHECK(db.scalar("SELECT to_regclass('public.user_sessions') IS NULL") == "t");

  const auto unknown = run_cli(with_db(db, {"migrate", "--to", "99"}));
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--to 99") != std::string::npos);
}

TEST_CASE("cora-migrate migrate: two runs at once apply each file exactly once") {
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    TestDatabase db;
    auto a = start_cli(with_db(db, {"migrate"}));
    auto b = start_cli(with_db(db, {"migrate"}));
    const auto ra = wait_cli(a);
    const auto rb = wait_cli(b);
    CHECK(ra.exit_code == 0);
    CHECK(rb.exit_code == 0);
    CHECK(count(ra.out + rb.out, "applied 0") == 9);
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "9");
    CHECK(db.scalar("SELECT count(DISTINCT version) FROM cora_migrate.schema_history") == "9");
  }
}

// repair takes the same lock as migrate, and says so in the same words when it does not come.
TEST_CASE("cora-migrate repair: a held lock makes it wait, then fail clearly, changing nothing") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "-- cora-migrate: transaction=false\nCREATE TABLE a (id int);\nSELECT 1/0;\n");
  dir.write("cora-migrate.toml", "[timeouts]\nlock_wait = \"300ms\"\n");
  const std::vector<std::string> base{"--config",       (dir.path() / "cora-migrate.toml").string(),
                                      "--database-url", db.conninfo(),
                                      "--migrations",   (dir.path() / "m").string()};
  auto with = [&](std::vector<std::string> rest) {
    rest.insert(rest.begin(), base.begin(), base.end());
    return rest;
  };
  REQUIRE(run_cli(with({"migrate"})).exit_code == 6);
  auto holder = db.connect();
  holder->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                     cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  const auto blocked = run_cli(with({"repair", "1"}));
  CHECK(blocked.exit_code == 7);
  CHECK_MESSAGE(contains(blocked.err,
                         "another cora-migrate run held the migration lock for longer than lock_wait "
                         "(300ms)"),
                blocked.err);
  CHECK(db.scalar("SELECT state FROM cora_migrate.schema_history WHERE is_current") == "running");
  holder->execute_script("ROLLBACK");
  CHECK(run_cli(with({"repair", "1"})).exit_code == 0);
}

TEST_CASE("cora-migrate migrate: a held lock makes the run wait, then fail clearly") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("cora-migrate.toml", "[timeouts]\nlock_wait = \"300ms\"\n");
  // Another run, mid-migration, holds the migration lock.
  auto holder = db.connect();
  holder->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                     cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  const auto blocked = run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url",
                                db.conninfo(), "--migrations", (dir.path() / "m").string(), "migrate"});
  CHECK(blocked.exit_code == 7);
  CHECK(blocked.err.find("another cora-migrate run held the migration lock") != std::string::npos);
  CHECK(db.scalar("SELECT to_regclass('public.a') IS NULL") == "t");
  holder->execute_script("ROLLBACK");
  const auto after = run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                              "--migrations", (dir.path() / "m").string(), "migrate"});
  CHECK(after.exit_code == 0);
}
