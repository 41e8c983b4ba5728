// Two runs at once while one applies a transaction=false file: its "running" history row is not
// "applied". The other run waits for it (up to lock_wait), refuses with exit 18 when it is still
// running after that, exit 8 when its run stopped part-way, and never applies the files after it
// meanwhile. Through the built binary against a real PostgreSQL 15.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "cora/db/history_table.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

constexpr int kMigrationRunning = 18;
constexpr int kDirtyElsewhere = 8;
constexpr int kWaitInterrupted = 130;
// The advisory lock the slow file's statement waits on while the test holds it.
constexpr int kFileLock = 4242;

bool eventually_within(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// Run A applies 002-slow.sql outside a transaction and stays inside it (its statement waits on
// an advisory lock the test holds) while run B wants the same files.
class TwoRuns {
 public:
  explicit TwoRuns(const std::string& slow_file_tail = "") {
    dir_.write("m/001-base.sql", "CREATE TABLE base (id int);\n");
    REQUIRE(run_cli(args("30s", {"migrate"})).exit_code == 0);
    dir_.write("m/002-slow.sql", fmt::format("-- cora-migrate: transaction=false lock_timeout=120s\n"
                                             "SELECT pg_advisory_lock({0});\nSELECT pg_advisory_unlock({0});\n"
                                             "CREATE TABLE slow_done (id int);\n{1}",
                                             kFileLock, slow_file_tail));
    dir_.write("m/003-after.sql", "CREATE TABLE after_slow (id int);\n");
    file_lock_ = db_.connect();
    file_lock_->query(fmt::format("SELECT pg_advisory_lock({})", kFileLock));
  }

  std::vector<std::string> args(const std::string& lock_wait, std::vector<std::string> rest) {
    dir_.write("cora-migrate-" + lock_wait + ".toml", fmt::format("[timeouts]\nlock_wait = \"{}\"\n", lock_wait));
    rest.insert(rest.begin(), {"--config", (dir_.path() / ("cora-migrate-" + lock_wait + ".toml")).string(),
                               "--database-url", db_.conninfo(), "--migrations", (dir_.path() / "m").string()});
    return rest;
  }

  // Starts run A and waits until its file's statement waits on the test's lock.
  void start_a() {
    a_ = start_cli(args("120s", {"migrate"}));
    REQUIRE(eventually_within([&] { return waiting_for(kFileLock) == "1"; }));
    REQUIRE(db_.scalar("SELECT state FROM cora_migrate.schema_history WHERE version = 2 AND is_current") == "running");
  }

  // Runs A and B so that B plans before A's "running" row exists, and meets the row only in its
  // check before the file, under the migration lock (the race that made B skip the file): the
  // test holds the migration lock while both queue for it, A first.
  void start_a_then_b_behind_it(const std::string& b_lock_wait) {
    const auto key = cora::HistoryTable("cora_migrate.schema_history").lock_key();
    auto migration_lock = db_.connect();
    migration_lock->query(fmt::format("SELECT pg_advisory_lock({})", key));
    a_ = start_cli(args("120s", {"migrate"}));
    REQUIRE(eventually_within([&] { return waiting_for(key) == "1"; }));
    b_ = start_cli(args(b_lock_wait, {"migrate"}));
    REQUIRE(eventually_within([&] { return waiting_for(key) == "2"; }));
    migration_lock->query(fmt::format("SELECT pg_advisory_unlock({})", key));
    REQUIRE(eventually_within([&] { return waiting_for(kFileLock) == "1"; }));
  }

  // Sessions waiting for the advisory lock `key` (its low 32 bits are objid).
  std::string waiting_for(long long key) const {
    return db_.scalar(
        fmt::format("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND "
                    "objid = ({}::bigint & 4294967295)::oid",
                    key));
  }

  bool b_sleeps_in_its_check() const {
    return db_.scalar(
               "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
               "wait_event = 'PgSleep'") == "1";
  }

  void release_file_lock() { file_lock_->query(fmt::format("SELECT pg_advisory_unlock({})", kFileLock)); }

  bool exists(const std::string& table) const {
    return db_.scalar(fmt::format("SELECT to_regclass('{}') IS NOT NULL", table)) == "t";
  }

  TestDatabase db_;
  ScratchDir dir_;
  std::unique_ptr<cora::Connection> file_lock_;
  RunningCli a_;
  RunningCli b_;
};

}  // namespace

TEST_CASE("running elsewhere: a run that meets the file running under the migration lock waits for it") {
  SUBCASE("still running after lock_wait: exit 18, and the files after it do not run") {
    TwoRuns runs;
    runs.start_a_then_b_behind_it("1s");
    const auto started = std::chrono::steady_clock::now();
    const auto b = wait_cli(runs.b_);
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK_MESSAGE(b.exit_code == kMigrationRunning, b.out, b.err);
    CHECK_MESSAGE(contains(b.err,
                           "002-slow.sql: another run was still applying it (outside a transaction) after "
                           "lock_wait (1000ms)"),
                  b.err);
    CHECK(waited < std::chrono::seconds(20));
    CHECK(!runs.exists("public.after_slow"));
    CHECK(runs.db_.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE version = 3") == "0");
    runs.release_file_lock();
    const auto a = wait_cli(runs.a_);
    CHECK_MESSAGE(a.exit_code == 0, a.err);
    CHECK(runs.exists("public.slow_done"));
    CHECK(runs.exists("public.after_slow"));
  }
  SUBCASE("finished meanwhile: skipped as applied by the other run, and only then the files after it") {
    TwoRuns runs;
    runs.start_a_then_b_behind_it("120s");
    REQUIRE(eventually_within([&] { return runs.b_sleeps_in_its_check(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_MESSAGE(!runs.exists("public.after_slow"), "a file after the running one ran before it was applied");
    runs.release_file_lock();
    const auto a = wait_cli(runs.a_);
    const auto b = wait_cli(runs.b_);
    CHECK_MESSAGE(a.exit_code == 0, a.err);
    CHECK_MESSAGE(b.exit_code == 0, b.err);
    CHECK_MESSAGE(contains(b.out, "002-slow.sql"), b.out);
    CHECK(runs.db_.scalar("SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM "
                          "cora_migrate.schema_history WHERE is_current") == "1:applied,2:applied,3:applied");
  }
  SUBCASE("its run fails meanwhile: the file is dirty, exit 8, nothing after it runs") {
    TwoRuns runs("SELECT 1/0;\n");
    runs.start_a_then_b_behind_it("120s");
    REQUIRE(eventually_within([&] { return runs.b_sleeps_in_its_check(); }));
    runs.release_file_lock();
    const auto a = wait_cli(runs.a_);
    const auto b = wait_cli(runs.b_);
    CHECK_MESSAGE(a.exit_code == 6, a.err);
    CHECK_MESSAGE(b.exit_code == kDirtyElsewhere, b.out, b.err);
    CHECK_MESSAGE(contains(b.err, "002-slow.sql: dirty"), b.err);
    CHECK_MESSAGE(contains(b.err, "cora-migrate repair 002"), b.err);
    CHECK(!runs.exists("public.after_slow"));
  }
}

TEST_CASE("running elsewhere: the wait ends on SIGINT and SIGTERM") {
  for (const int signal : {SIGINT, SIGTERM}) {
    CAPTURE(signal);
    TwoRuns runs;
    runs.start_a_then_b_behind_it("120s");
    REQUIRE(eventually_within([&] { return runs.b_sleeps_in_its_check(); }));
    const auto sent = std::chrono::steady_clock::now();
    kill(runs.b_.pid, signal);
    const auto b = wait_cli(runs.b_);
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(10));
    CHECK_MESSAGE(b.exit_code == kWaitInterrupted, b.out, b.err);
    CHECK(!runs.exists("public.after_slow"));
    runs.release_file_lock();
    CHECK(wait_cli(runs.a_).exit_code == 0);
  }
}

TEST_CASE("running elsewhere: a run that finds the file running when it plans waits for it too") {
  SUBCASE("still running after lock_wait: exit 18, nothing ran") {
    TwoRuns runs;
    runs.start_a();
    const auto b = run_cli(runs.args("1s", {"migrate"}));
    CHECK_MESSAGE(b.exit_code == kMigrationRunning, b.out, b.err);
    CHECK_MESSAGE(contains(b.err,
                           "002-slow.sql: another run was still applying it (outside a transaction) after "
                           "lock_wait"),
                  b.err);
    CHECK(!runs.exists("public.after_slow"));
    runs.release_file_lock();
    CHECK(wait_cli(runs.a_).exit_code == 0);
  }
  SUBCASE("SIGTERM ends the wait: exit 130, nothing ran") {
    TwoRuns runs;
    runs.start_a();
    // B's connections carry a name of their own (application_name in the URL wins over the tool's
    // fallback), so that the test sees B connect whatever A's connections do meanwhile.
    auto b_args = runs.args("120s", {"migrate"});
    const auto url = std::find(b_args.begin(), b_args.end(), runs.db_.conninfo());
    REQUIRE(url != b_args.end());
    *url += " application_name=cora-run-b";
    auto b = start_cli(b_args);
    // B connected; then a second for it to meet the row and start waiting.
    REQUIRE(eventually_within([&] {
      return runs.db_.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cora-run-b'") != "0";
    }));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const auto sent = std::chrono::steady_clock::now();
    kill(b.pid, SIGTERM);
    const auto b_result = wait_cli(b);
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(10));
    CHECK_MESSAGE(b_result.exit_code == kWaitInterrupted, b_result.out, b_result.err);
    CHECK(!runs.exists("public.after_slow"));
    runs.release_file_lock();
    CHECK(wait_cli(runs.a_).exit_code == 0);
  }
  SUBCASE("finished within lock_wait: planned again from what it did, exit 0") {
    TwoRuns runs;
    runs.start_a();
    auto b = start_cli(runs.args("120s", {"migrate"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(!runs.exists("public.after_slow"));
    runs.release_file_lock();
    const auto b_result = wait_cli(b);
    CHECK_MESSAGE(b_result.exit_code == 0, b_result.err);
    CHECK(wait_cli(runs.a_).exit_code == 0);
    CHECK(runs.db_.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE version = 2") == "1");
    CHECK(runs.exists("public.after_slow"));
  }
}
