// COPY with the client in a migration: TO STDOUT sends rows that cora-migrate reads and drops
// (it spun at 100% CPU forever outside a transaction, ignoring SIGINT and SIGTERM, and reported a
// lost connection for a transactional file that had committed); FROM STDIN is refused before
// anything runs. Through the built binary, each run under a watchdog that would catch a hang.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

constexpr int kCopyInterrupted = 130;
constexpr int kCopyMigrationFiles = 4;
constexpr int kCopyLintWarnings = 13;

// Runs the binary, killing it (exit 137) if it has not finished within `limit`.
CliResult run_cli_within(const std::vector<std::string>& args, std::chrono::seconds limit) {
  auto running = start_cli(args);
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!finished && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!finished) kill(running.pid, SIGKILL);
  });
  auto result = wait_cli(running);
  finished = true;
  watchdog.join();
  return result;
}

std::string copy_file_header(bool transaction) { return transaction ? "" : "-- cora-migrate: transaction=false\n"; }

std::vector<std::string> copy_migrate_args(const TestDatabase& db, const ScratchDir& dir) {
  return {"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string(), "migrate"};
}

}  // namespace

TEST_CASE("COPY ... TO STDOUT in a migration: its rows are dropped and the file applies, in both modes") {
  for (const bool transaction : {true, false}) {
    CAPTURE(transaction);
    TestDatabase db;
    ScratchDir dir;
    dir.write("m/001-copy.sql", copy_file_header(transaction) +
                                    "CREATE TABLE copied (id int);\n"
                                    "INSERT INTO copied SELECT generate_series(1, 20000);\n"
                                    "COPY copied TO STDOUT;\n"
                                    "COPY (SELECT 1, 'two') TO STDOUT WITH (FORMAT csv);\n"
                                    "CREATE TABLE after_copy (id int);\n");
    dir.write("m/002-next.sql", "CREATE TABLE next_file (id int);\n");
    const auto result = run_cli_within(copy_migrate_args(db, dir), std::chrono::seconds(60));
    CHECK_MESSAGE(result.exit_code == 0, result.out, result.err);
    CHECK(db.scalar("SELECT count(*) FROM copied") == "20000");
    CHECK(db.scalar("SELECT to_regclass('public.after_copy') IS NOT NULL AND "
                    "to_regclass('public.next_file') IS NOT NULL") == "t");
    CHECK(db.scalar("SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM "
                    "cora_migrate.schema_history WHERE is_current") == "1:applied,2:applied");
  }
}

TEST_CASE("COPY ... TO STDOUT that runs long ends on SIGINT and SIGTERM, in both modes") {
  for (const bool transaction : {true, false}) {
    for (const int signal : {SIGINT, SIGTERM}) {
      CAPTURE(transaction);
      CAPTURE(signal);
      TestDatabase db;
      ScratchDir dir;
      dir.write("m/001-copy.sql", copy_file_header(transaction) +
                                      "CREATE TABLE before_copy (id int);\n"
                                      "COPY (SELECT pg_sleep(60)) TO STDOUT;\n"
                                      "CREATE TABLE after_copy (id int);\n");
      auto running = start_cli(copy_migrate_args(db, dir));
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                       "wait_event = 'PgSleep'") != "1" &&
             std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const auto sent = std::chrono::steady_clock::now();
      kill(running.pid, signal);
      std::atomic<bool> finished{false};
      std::thread watchdog([&] {
        const auto limit = sent + std::chrono::seconds(20);
        while (!finished && std::chrono::steady_clock::now() < limit) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!finished) kill(running.pid, SIGKILL);
      });
      const auto result = wait_cli(running);
      finished = true;
      watchdog.join();
      CHECK_MESSAGE(result.exit_code == kCopyInterrupted, result.out, result.err);
      CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(10));
      CHECK(db.scalar("SELECT to_regclass('public.after_copy') IS NULL") == "t");
    }
  }
}

TEST_CASE("COPY ... FROM STDIN is refused at its line before anything runs, in both modes") {
  for (const bool transaction : {true, false}) {
    CAPTURE(transaction);
    TestDatabase db;
    ScratchDir dir;
    dir.write("m/001-copy.sql", copy_file_header(transaction) + "CREATE TABLE t (id int);\nCOPY t FROM STDIN;\n");
    const auto result = run_cli_within(copy_migrate_args(db, dir), std::chrono::seconds(60));
    CHECK_MESSAGE(result.exit_code == kCopyMigrationFiles, result.err);
    CHECK_MESSAGE(contains(result.err, fmt::format("001-copy.sql:{}: COPY ... FROM STDIN", transaction ? 2 : 3)),
                  result.err);
    CHECK(db.scalar("SELECT to_regclass('public.t') IS NULL") == "t");
  }
}

TEST_CASE("lint warns about COPY ... TO STDOUT at its line (copy_to_stdout)") {
  ScratchDir dir;
  dir.write("m/001-copy.sql", "CREATE TABLE t (id int);\n\nCOPY t TO STDOUT;\nCOPY t TO '/tmp/t.copy';\n");
  const auto result = run_cli({"--migrations", (dir.path() / "m").string(), "lint"});
  CHECK_MESSAGE(result.exit_code == kCopyLintWarnings, result.out, result.err);
  const auto out = unwrapped(result.out + result.err);
  CHECK_MESSAGE(contains(out, "001-copy.sql:3"), out);
  CHECK_MESSAGE(contains(out, "copy_to_stdout"), out);
  CHECK_MESSAGE(!contains(out, "001-copy.sql:4"), out);
}

// Where no file check stands in front (probes, scenarios, any caller of the connection): a COPY
// the connection did not ask for ends, in each way of sending, and the session stays usable.
TEST_CASE("the connection ends every COPY: rows dropped, a request for rows refused, never a loop") {
  TestDatabase db;
  auto connection = db.connect();
  connection->execute_script("CREATE TABLE copy_target (id int); INSERT INTO copy_target VALUES (1), (2)");
  SUBCASE("COPY ... TO STDOUT: one statement, a script, a pipeline") {
    CHECK(connection->query("COPY copy_target TO STDOUT").rows.empty());
    connection->execute_script("COPY copy_target TO STDOUT; INSERT INTO copy_target VALUES (3)");
    const auto outcome =
        connection->run_pipeline({{"COPY copy_target TO STDOUT", {}}, {"SELECT count(*) FROM copy_target", {}}});
    CHECK(!outcome.error);
    REQUIRE(outcome.results.size() == 2);
    CHECK(outcome.results[1].rows.at(0).at(0) == std::optional<std::string>("3"));
  }
  SUBCASE("COPY ... FROM STDIN: the statement fails with the reason, nothing after it in the script runs") {
    for (const bool script : {false, true}) {
      CAPTURE(script);
      try {
        if (script) {
          connection->execute_script("COPY copy_target FROM STDIN; INSERT INTO copy_target VALUES (9)");
        } else {
          connection->query("COPY copy_target FROM STDIN");
        }
        FAIL("COPY FROM STDIN did not fail");
      } catch (const cora::QueryFailed& failure) {
        CHECK_MESSAGE(contains(failure.error().message, "cora-migrate sends no COPY data"), failure.error().message);
      }
      CHECK(connection->query("SELECT count(*) FROM copy_target").rows.at(0).at(0) == std::optional<std::string>("2"));
    }
  }
}
