// A run's pending files in one pipeline: stop at the first failure exactly as one file per round
// trip does (files before it recorded, it rolled back, the ones after not run and absent, the
// output saying so), whether it fails in a statement, at COMMIT, or the connection is cut; a
// file another run applied meanwhile is skipped and the rest still applied once each.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cora/db/history_table.hpp"
#include "support/cutting_proxy.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

constexpr int kMigrationFailed = 6;

std::vector<std::string> migrate_args(const std::string& url, const ScratchDir& dir,
                                      std::vector<std::string> rest = {"migrate"}) {
  rest.insert(rest.begin(), {"--database-url", url, "--migrations", (dir.path() / "m").string()});
  return rest;
}

// Files 001..count, each creating table t_NNN; file `failing` gets `failure` appended.
void write_files(const ScratchDir& dir, int count, int failing = 0, const std::string& failure = "") {
  for (int i = 1; i <= count; ++i) {
    dir.write(fmt::format("m/{:03}-t.sql", i),
              fmt::format("CREATE TABLE t_{0:03} (id int);\nINSERT INTO t_{0:03} VALUES ({0});\n{1}", i,
                          i == failing ? failure : ""));
  }
}

std::string recorded_versions(const TestDatabase& db) {
  return db.scalar(
      "SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') FROM cora_migrate.schema_history");
}

std::string existing_tables(const TestDatabase& db) {
  return db.scalar(
      "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables "
      "WHERE schemaname = 'public' AND tablename LIKE 't\\_%'");
}

// What a failure in file 4 of 7 must leave and say, however it failed.
void check_stopped_at_file_4(const TestDatabase& db, const CliResult& run) {
  CHECK_MESSAGE(run.exit_code == kMigrationFailed, run.out, run.err);
  CHECK(recorded_versions(db) == "1,2,3");
  CHECK(existing_tables(db) == "t_001,t_002,t_003");
  for (int i = 1; i <= 3; ++i) CHECK_MESSAGE(contains(run.out, fmt::format("applied {:03}-t.sql", i)), run.out);
  CHECK_MESSAGE(contains(run.err, "004-t.sql"), run.err);
  CHECK_MESSAGE(contains(run.err, "rolled back"), run.err);
  CHECK_MESSAGE(!contains(run.out, "applied 004-t.sql"), run.out);
  for (int i = 5; i <= 7; ++i) {
    CHECK_MESSAGE(contains(run.out, fmt::format("not run {:03}-t.sql (an earlier migration failed)", i)), run.out);
  }
}

}  // namespace

TEST_CASE("pipeline: the pending files go in one pipeline, one file per round trip on request") {
  TestDatabase db;
  ScratchDir dir;
  write_files(dir, 5);
  const auto dry = run_cli(migrate_args(db.conninfo(), dir, {"migrate", "--dry-run"}));
  REQUIRE(dry.exit_code == 0);
  CHECK_MESSAGE(contains(dry.out, "the next 5 files: one pipeline, one round trip"), dry.out);
  // The session is reset inside each file's transaction, not by DISCARD ALL after it.
  CHECK(contains(dry.out, "DISCARD TEMP;"));
  CHECK(!contains(dry.out, "DISCARD ALL"));

  const auto per_file = run_cli(migrate_args(db.conninfo(), dir, {"migrate", "--dry-run", "--pipeline", "file"}));
  REQUIRE(per_file.exit_code == 0);
  CHECK(!contains(per_file.out, "files: one pipeline"));
  CHECK(contains(per_file.out, "DISCARD TEMP;"));
  CHECK(contains(per_file.out, "one transaction, sent in one round trip"));

  dir.write("cora-migrate.toml", "[migrate]\npipeline = \"file\"\n");
  const auto configured =
      run_cli(migrate_args(db.conninfo(), dir,
                           {"--config", (dir.path() / "cora-migrate.toml").string(), "migrate", "--dry-run"}));
  REQUIRE(configured.exit_code == 0);
  CHECK(!contains(configured.out, "files: one pipeline"));

  // Bounded by bytes: each file is about 60 bytes, so at most two share a pipeline.
  dir.write("cora-migrate.toml", "[migrate]\npipeline_max_bytes = 130\n");
  const auto bounded =
      run_cli(migrate_args(db.conninfo(), dir,
                           {"--config", (dir.path() / "cora-migrate.toml").string(), "migrate", "--dry-run"}));
  REQUIRE(bounded.exit_code == 0);
  CHECK_MESSAGE(contains(bounded.out, "the next 2 files: one pipeline"), bounded.out);
  CHECK(!contains(bounded.out, "the next 3 files"));

  dir.write("cora-migrate.toml", "[migrate]\npipeline = \"all\"\n");
  const auto bad =
      run_cli(migrate_args(db.conninfo(), dir, {"--config", (dir.path() / "cora-migrate.toml").string(), "migrate"}));
  CHECK(bad.exit_code == 3);
  CHECK_MESSAGE(contains(bad.err, "cora-migrate.toml:2"), bad.err);
  CHECK_MESSAGE(contains(bad.err, "migrate.pipeline"), bad.err);

  const auto applied = run_cli(migrate_args(db.conninfo(), dir));
  REQUIRE_MESSAGE(applied.exit_code == 0, applied.err);
  CHECK(recorded_versions(db) == "1,2,3,4,5");
}

TEST_CASE("pipeline: a failing statement in file 4 of 7 stops the run there") {
  for (const char* mode : {"run", "file"}) {
    CAPTURE(mode);
    TestDatabase db;
    ScratchDir dir;
    write_files(dir, 7, 4, "INSERT INTO no_such_table VALUES (1);\n");
    const auto run = run_cli(migrate_args(db.conninfo(), dir, {"migrate", "--pipeline", mode}));
    check_stopped_at_file_4(db, run);
    CHECK_MESSAGE(contains(run.err, "004-t.sql:3:13: relation \"no_such_table\" does not exist"), run.err);
  }
}

// The COMMIT of file 4 fails (a deferred foreign key), which ends its transaction block: only
// the check in file 5's preamble keeps files 5..7, already sent, from committing.
TEST_CASE("pipeline: a COMMIT that fails in file 4 of 7 stops the run there") {
  TestDatabase db;
  ScratchDir dir;
  write_files(dir, 7, 4,
              "CREATE TABLE parent (id int PRIMARY KEY);\n"
              "CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\n"
              "INSERT INTO child VALUES (1);\n");
  const auto run = run_cli(migrate_args(db.conninfo(), dir));
  check_stopped_at_file_4(db, run);
  CHECK_MESSAGE(contains(run.err, "004-t.sql: COMMIT failed"), run.err);
  CHECK(db.scalar("SELECT to_regclass('public.parent') IS NULL") == "t");

  // Fixed, the next run applies 4..7.
  write_files(dir, 7);
  const auto rerun = run_cli(migrate_args(db.conninfo(), dir));
  CHECK_MESSAGE(rerun.exit_code == 0, rerun.err);
  CHECK(recorded_versions(db) == "1,2,3,4,5,6,7");
}

TEST_CASE("pipeline: a file applied meanwhile by another run is skipped and the rest applied once") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/000-base.sql", "CREATE TABLE base (id int);\n");
  REQUIRE(run_cli(migrate_args(db.conninfo(), dir)).exit_code == 0);
  write_files(dir, 4);
  auto other = db.connect();
  other->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                    cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  auto running = start_cli(migrate_args(db.conninfo(), dir));
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    waiting = db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "1";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(waiting);
  // What the winning run would have written for the very same file 001.
  const std::string checksum = db.scalar(
      "SELECT encode(sha256(convert_to('CREATE TABLE t_001 (id int);' || chr(10) || 'INSERT INTO t_001 VALUES (1);' || "
      "chr(10), 'UTF8')), 'hex')");
  other->execute_script(
      fmt::format("CREATE TABLE t_001 (id int); INSERT INTO t_001 VALUES (1);"
                  "INSERT INTO cora_migrate.schema_history (version, name, checksum, state, action, tool_version) "
                  "VALUES (1, 't', '{}', 'applied', 'apply', 'other'); COMMIT",
                  checksum));
  const auto result = wait_cli(running);
  CHECK_MESSAGE(result.exit_code == 0, result.out, result.err);
  CHECK_MESSAGE(contains(result.out, "skipped 001-t.sql (applied meanwhile by another run)"), result.out);
  for (int i = 2; i <= 4; ++i) CHECK_MESSAGE(contains(result.out, fmt::format("applied {:03}-t.sql", i)), result.out);
  CHECK(recorded_versions(db) == "0,1,2,3,4");
  CHECK(db.scalar("SELECT count(*) FROM t_001") == "1");
}

// A cut while the pipeline runs: what the run printed as applied is recorded, what is recorded
// is a prefix of the files and exists, nothing half-done; a re-run converges.
TEST_CASE("pipeline: the connection is cut mid-pipeline") {
  TestDatabase db;
  ScratchDir dir;
  write_files(dir, 30);
  for (int i = 1; i <= 30; ++i) {
    dir.write(fmt::format("m/{:03}-t.sql", i),
              fmt::format(
                  "CREATE TABLE t_{0:03} (id int);\nSELECT pg_sleep(0.05);\nINSERT INTO t_{0:03} VALUES ({0});\n", i));
  }
  CuttingProxy proxy;
  // Cut once the first file is recorded, not after a fixed delay: on a slow or loaded machine the
  // preamble alone can outlast any fixed delay, and then nothing is recorded before the cut.
  auto running = start_cli(migrate_args(proxy.url(db.name()), dir));
  bool started = false;
  for (int i = 0; i < 1000 && !started; ++i) {
    started = !db.scalar("SELECT to_regclass('cora_migrate.schema_history')").empty() &&
              db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE state = 'applied'") != "0";
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(started);
  proxy.cut_after(std::chrono::milliseconds(0));
  const auto cut = wait_cli(running);
  CHECK_MESSAGE(cut.exit_code == 5, cut.out, cut.err);
  CHECK_MESSAGE(contains(cut.err, "lost the connection to the database"), cut.err);
  CHECK_MESSAGE(contains(cut.err, "is not known: run `cora-migrate status`"), cut.err);
  // The server may finish the file it was running when the cut came: wait until it is done.
  for (int i = 0; i < 100; ++i) {
    if (db.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") ==
        "0")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const int recorded = std::stoi(db.scalar("SELECT count(*) FROM cora_migrate.schema_history"));
  CHECK(recorded > 0);
  CHECK(recorded < 30);
  CHECK(db.scalar("SELECT coalesce(max(version), 0) FROM cora_migrate.schema_history") == std::to_string(recorded));
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE state <> 'applied'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'") ==
        std::to_string(recorded));
  for (int i = 1; i <= 30; ++i) {
    if (contains(cut.out, fmt::format("applied {:03}-t.sql", i))) CHECK(i <= recorded);
  }
  const auto rerun = run_cli(migrate_args(db.conninfo(), dir));
  CHECK_MESSAGE(rerun.exit_code == 0, rerun.err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "30");
  CHECK(db.scalar("SELECT count(DISTINCT version) FROM cora_migrate.schema_history") == "30");
}

TEST_CASE("pipeline: a transaction=false file between two pipelines runs on its own, in order") {
  TestDatabase db;
  ScratchDir dir;
  write_files(dir, 6);
  dir.write("m/004-t.sql",
            "-- cora-migrate: transaction=false\nCREATE TABLE t_004 (id int);\n"
            "CREATE INDEX CONCURRENTLY t_004_id ON t_004 (id);\n");
  const auto dry = run_cli(migrate_args(db.conninfo(), dir, {"migrate", "--dry-run"}));
  CHECK_MESSAGE(contains(dry.out, "the next 3 files: one pipeline"), dry.out);
  CHECK_MESSAGE(contains(dry.out, "the next 2 files: one pipeline"), dry.out);
  const auto run = run_cli(migrate_args(db.conninfo(), dir, {"migrate", "--to", "5"}));
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(recorded_versions(db) == "1,2,3,4,5");
  CHECK(db.scalar("SELECT string_agg(version::text, ',' ORDER BY id) FROM cora_migrate.schema_history") == "1,2,3,4,5");
}
