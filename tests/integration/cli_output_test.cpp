// What a person at a terminal sees, and what SIGINT does mid-migration.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <csignal>
#include <thread>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

std::vector<std::string> args_for(const TestDatabase& db, const ScratchDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string()});
  return args;
}

}  // namespace

TEST_CASE("cora-migrate on a terminal: colour and a progress line, unless NO_COLOR") {
  TestDatabase db;
  ScratchDir dir;
  for (int i = 1; i <= 3; ++i)
    dir.write(fmt::format("m/{:03}-t.sql", i), fmt::format("CREATE TABLE t{} (id int);\n", i));

  const auto shown = run_cli_on_terminal(args_for(db, dir, {"migrate"}));
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("\033[32mapplied\033[0m 001-t.sql") != std::string::npos);
  CHECK(shown.out.find("[2/3] applying 002-t.sql") != std::string::npos);

  const auto plain = run_cli_on_terminal(args_for(db, dir, {"status"}), {{}, {{"NO_COLOR", "1"}}});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out.find("applied") != std::string::npos);
  CHECK(plain.out.find("\033[") == std::string::npos);
}

TEST_CASE("cora-migrate migrate: SIGINT rolls the running migration back and exits 130") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-fast.sql", "CREATE TABLE fast (id int);\n");
  dir.write("m/002-slow.sql", "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
  dir.write("m/003-after.sql", "CREATE TABLE after_slow (id int);\n");
  auto running = start_cli(args_for(db, dir, {"migrate"}));
  // Wait until the slow migration is on the server, then interrupt.
  for (int i = 0; i < 100; ++i) {
    if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'") == "1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(running.pid, SIGINT);
  const auto result = wait_cli(running);
  CHECK(result.exit_code == 130);
  CHECK(result.err.find("interrupted while applying") != std::string::npos);
  CHECK(result.err.find("002-slow.sql") != std::string::npos);
  CHECK(db.scalar("SELECT string_agg(version::text, ',') FROM cora_migrate.schema_history") == "1");
  CHECK(db.scalar("SELECT to_regclass('public.slow') IS NULL") == "t");
  CHECK(db.scalar("SELECT to_regclass('public.after_slow') IS NULL") == "t");
}
