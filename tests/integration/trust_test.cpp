// Never report success while the database and its history disagree: the cases where an earlier
// version said "applied", "skipped" or "rolled back, nothing applied" with the truth otherwise.
// Each runs the built binary against a real PostgreSQL 15.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "cora/db/history_table.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::vector<std::string> migrate_args(const TestDatabase& db, const std::filesystem::path& folder,
                                      std::vector<std::string> rest = {"migrate"}) {
  rest.insert(rest.begin(), {"--database-url", db.conninfo(), "--migrations", folder.string()});
  return rest;
}

bool table_exists(const TestDatabase& db, const std::string& name) {
  return db.scalar(fmt::format("SELECT to_regclass('{}') IS NOT NULL", name)) == "t";
}

constexpr int kVersionConflict = 14;

}  // namespace

TEST_CASE("trust: a different file under an applied version is a conflict naming both files") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("a/001-add-teams.sql", "CREATE TABLE teams (id int);\n");
  dir.write("b/001-add-projects.sql", "CREATE TABLE projects (id int);\n");
  dir.write("b/002-later.sql", "CREATE TABLE later (id int);\n");
  REQUIRE(run_cli(migrate_args(db, dir.path() / "a")).exit_code == 0);

  const auto result = run_cli(migrate_args(db, dir.path() / "b"));
  CHECK_MESSAGE(result.exit_code == kVersionConflict, result.err);
  CHECK_MESSAGE(contains(result.err, "001-add-projects.sql"), result.err);
  CHECK_MESSAGE(contains(result.err, "001-add-teams"), result.err);
  CHECK_MESSAGE(!contains(result.err, "--reapply"), result.err);
  CHECK(!table_exists(db, "public.later"));

  const auto status = run_cli(migrate_args(db, dir.path() / "b", {"status", "--format", "json"}));
  CHECK_MESSAGE(contains(status.out, "\"conflict\""), status.out);
}

TEST_CASE("trust: a run that finds its version taken meanwhile by another file stops with a conflict") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/000-base.sql", "CREATE TABLE base (id int);\n");
  REQUIRE(run_cli(migrate_args(db, dir.path() / "m")).exit_code == 0);
  dir.write("m/001-ours.sql", "CREATE TABLE ours (id int);\n");
  dir.write("m/002-next.sql", "CREATE TABLE next_one (id int);\n");

  // Another branch's run holds the lock, records its own 001, and commits while ours waits.
  auto other = db.connect();
  other->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                    cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  auto running = start_cli(migrate_args(db, dir.path() / "m"));
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    waiting = db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "1";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(waiting);
  other->execute_script(
      "CREATE TABLE theirs (id int);"
      "INSERT INTO cora_migrate.schema_history (version, name, checksum, state, action, tool_version) "
      "VALUES (1, 'theirs', 'aaaa', 'applied', 'apply', 'other'); COMMIT");
  const auto result = wait_cli(running);
  CHECK_MESSAGE(result.exit_code == kVersionConflict, result.out, result.err);
  CHECK_MESSAGE(contains(result.err, "001-ours.sql"), result.err);
  CHECK_MESSAGE(contains(result.err, "theirs"), result.err);
  CHECK_MESSAGE(!contains(result.out, "skipped"), result.out);
  CHECK(!table_exists(db, "public.ours"));
  CHECK(!table_exists(db, "public.next_one"));
}

TEST_CASE("trust: the same file applied meanwhile by another run is still skipped") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/000-base.sql", "CREATE TABLE base (id int);\n");
  REQUIRE(run_cli(migrate_args(db, dir.path() / "m")).exit_code == 0);
  dir.write("m/001-ours.sql", "CREATE TABLE ours (id int);\n");
  auto other = db.connect();
  other->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                    cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  auto running = start_cli(migrate_args(db, dir.path() / "m"));
  for (int i = 0; i < 200; ++i) {
    if (db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  // What the winning run would have written for the very same file.
  const std::string checksum =
      db.scalar("SELECT encode(sha256(convert_to('CREATE TABLE ours (id int);' || chr(10), 'UTF8')), 'hex')");
  other->execute_script(
      fmt::format("CREATE TABLE ours (id int);"
                  "INSERT INTO cora_migrate.schema_history (version, name, checksum, state, action, tool_version) "
                  "VALUES (1, 'ours', '{}', 'applied', 'apply', 'other'); COMMIT",
                  checksum));
  const auto result = wait_cli(running);
  CHECK_MESSAGE(result.exit_code == 0, result.err);
  CHECK_MESSAGE(contains(result.out, "applied meanwhile by another run"), result.out);
}

TEST_CASE("trust: COMMIT inside a procedure or DO block cannot commit part of a transactional file") {
  for (const std::string body : {"CALL commit_midway();", "DO $$ BEGIN COMMIT; END $$;"}) {
    CAPTURE(body);
    TestDatabase db;
    ScratchDir dir;
    dir.write("m/001-x.sql",
              "CREATE TABLE first_half (id int);\n"
              "CREATE PROCEDURE commit_midway() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;\n" +
                  body + "\nCREATE TABLE second_half (id int);\nSELECT 1 / 0;\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 6, result.err);
    CHECK_MESSAGE(contains(result.err, "2D000"), result.err);
    CHECK(!table_exists(db, "public.first_half"));
    CHECK(db.scalar("SELECT count(*) FROM pg_proc WHERE proname = 'commit_midway'") == "0");
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "0");
  }
}

TEST_CASE("trust: LOCK TABLE, DECLARE CURSOR and SET LOCAL work in a transactional file, as under psql") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-x.sql",
            "CREATE TABLE locked (id int);\n"
            "LOCK TABLE locked IN ACCESS EXCLUSIVE MODE;\n"
            "DECLARE c CURSOR FOR SELECT 1;\n"
            "SET LOCAL work_mem = '8MB';\n"
            "INSERT INTO locked SELECT 1;\n");
  const auto result = run_cli(migrate_args(db, dir.path() / "m"));
  CHECK_MESSAGE(result.exit_code == 0, result.err);
  CHECK_MESSAGE(!contains(result.err + result.out, "transaction block"), result.err);
  CHECK(db.scalar("SELECT count(*) FROM locked") == "1");
}

TEST_CASE("trust: a transaction=false file that leaves a transaction open is dirty, not applied") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-x.sql",
            "-- cora-migrate: transaction=false\nCREATE TABLE before_begin (id int);\nBEGIN;\nCREATE TABLE "
            "never_committed (id int);\n");
  dir.write("m/002-y.sql", "CREATE TABLE after_it (id int);\n");
  const auto result = run_cli(migrate_args(db, dir.path() / "m"));
  CHECK_MESSAGE(result.exit_code == 6, result.out, result.err);
  CHECK_MESSAGE(contains(result.err, "001-x.sql:3"), result.err);
  CHECK_MESSAGE(contains(result.err, "transaction open"), result.err);
  CHECK(!table_exists(db, "public.never_committed"));
  CHECK(!table_exists(db, "public.after_it"));
  CHECK(db.scalar("SELECT state FROM cora_migrate.schema_history WHERE version = 1") == "running");
  CHECK(run_cli(migrate_args(db, dir.path() / "m", {"status"})).out.find("dirty") != std::string::npos);
}

TEST_CASE("trust: every file starts from a clean session") {
  TestDatabase db;
  ScratchDir dir;
  SUBCASE("a temporary table does not shadow the next file's table") {
    dir.write("m/001-temp.sql", "CREATE TEMP TABLE shadow (id int);\n");
    dir.write("m/002-real.sql", "CREATE TABLE IF NOT EXISTS shadow (id int);\nINSERT INTO shadow VALUES (1);\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(db.scalar("SELECT count(*) FROM public.shadow") == "1");
  }
  SUBCASE("a prepared statement does not collide with the next file's") {
    dir.write("m/001-a.sql", "PREPARE q AS SELECT 1;\n");
    dir.write("m/002-b.sql", "PREPARE q AS SELECT 2;\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
  }
  SUBCASE("SET SESSION AUTHORIZATION neither records history as that role nor carries into the next file") {
    const std::string role = db.name() + "_lowly";
    dir.write("m/001-a.sql", fmt::format("CREATE ROLE {0} NOLOGIN;\nSET SESSION AUTHORIZATION {0};\n", role));
    dir.write("m/002-b.sql", "CREATE TABLE made_by_tool (id int);\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(db.scalar("SELECT count(DISTINCT applied_by) FROM cora_migrate.schema_history") == "1");
    CHECK(db.scalar("SELECT applied_by FROM cora_migrate.schema_history WHERE version = 1") ==
          db.scalar("SELECT current_user"));
    CHECK(db.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_tool'") ==
          db.scalar("SELECT current_user"));
    db.connect()->execute_script(fmt::format("DROP ROLE IF EXISTS {}", role));
  }
  SUBCASE("RESET ALL in a file does not make it unrecordable") {
    dir.write("m/001-a.sql", "RESET ALL;\nCREATE TABLE after_reset (id int);\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(db.scalar("SELECT state FROM cora_migrate.schema_history WHERE version = 1") == "applied");
  }
  SUBCASE("SET ROLE in a transaction=false file does not leave the complete file dirty") {
    const std::string role = db.name() + "_nobody";
    dir.write("m/001-a.sql",
              fmt::format("-- cora-migrate: transaction=false\nCREATE ROLE {0} NOLOGIN;\nSET ROLE {0};\n", role));
    dir.write("m/002-b.sql", "CREATE TABLE after_role (id int);\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(db.scalar("SELECT string_agg(state, ',' ORDER BY version) FROM cora_migrate.schema_history") ==
          "applied,applied");
    CHECK(db.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'after_role'") ==
          db.scalar("SELECT current_user"));
    db.connect()->execute_script(fmt::format("DROP ROLE IF EXISTS {}", role));
  }
  SUBCASE("a session advisory lock taken by a file is released before the next file") {
    dir.write("m/001-a.sql", "SELECT pg_advisory_lock(4242);\n");
    dir.write("m/002-b.sql",
              "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 "
              "AND pid = pg_backend_pid()) THEN RAISE EXCEPTION 'lock carried over'; END IF; END $$;\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
  }
}

// Everything DISCARD ALL would clear, checked from inside the next file, in both ways of sending
// files: one pipeline for the run, and one file per round trip.
TEST_CASE("trust: no session state of a file reaches the next one, pipelined or not") {
  for (const std::string pipeline : {"run", "file"}) {
    CAPTURE(pipeline);
    TestDatabase db;
    ScratchDir dir;
    dir.write("m/001-a.sql",
              "CREATE SCHEMA leak_schema;\n"
              "SET search_path = leak_schema, public;\n"
              "SELECT pg_catalog.set_config('app.tenant', 'acme', false);\n"
              "LISTEN leaking;\n"
              "DECLARE held CURSOR WITH HOLD FOR SELECT 1;\n"
              "CREATE SEQUENCE public.counter;\n"
              "SELECT nextval('public.counter');\n"
              "CREATE TEMP TABLE scratch (id int);\n");
    dir.write("m/002-b.sql", R"(DO $$
BEGIN
  IF position('leak_schema' IN current_setting('search_path')) > 0 THEN
    RAISE EXCEPTION 'search_path carried over: %', current_setting('search_path');
  END IF;
  IF coalesce(current_setting('app.tenant', true), '') <> '' THEN RAISE EXCEPTION 'setting carried over'; END IF;
  IF EXISTS (SELECT 1 FROM pg_listening_channels()) THEN RAISE EXCEPTION 'LISTEN carried over'; END IF;
  IF EXISTS (SELECT 1 FROM pg_cursors WHERE name = 'held') THEN RAISE EXCEPTION 'cursor carried over'; END IF;
  IF to_regclass('pg_temp.scratch') IS NOT NULL THEN RAISE EXCEPTION 'temp table carried over'; END IF;
  BEGIN
    PERFORM lastval();
    RAISE EXCEPTION 'lastval carried over';
  EXCEPTION WHEN object_not_in_prerequisite_state THEN NULL;
  END;
END $$;
CREATE TABLE after_clean (id int);
)");
    const auto result = run_cli(migrate_args(db, dir.path() / "m", {"migrate", "--pipeline", pipeline}));
    CHECK_MESSAGE(result.exit_code == 0, result.out, result.err);
    CHECK(table_exists(db, "public.after_clean"));
    CHECK(db.scalar("SELECT string_agg(state, ',' ORDER BY version) FROM cora_migrate.schema_history") ==
          "applied,applied");
  }
}

TEST_CASE("trust: a history table in a shared schema leaves that schema's privileges alone") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("cora-migrate.toml", "history_table = \"public.schema_history\"\nmigrations_dir = \"m\"\n");
  db.connect()->execute_script("GRANT USAGE ON SCHEMA public TO anon, authenticated");
  const auto result =
      run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(), "migrate"});
  CHECK_MESSAGE(result.exit_code == 0, result.err);
  CHECK(db.scalar("SELECT has_schema_privilege('anon', 'public', 'USAGE')") == "t");
  CHECK(db.scalar("SELECT has_schema_privilege('authenticated', 'public', 'USAGE')") == "t");
  CHECK(db.scalar("SELECT has_schema_privilege('public', 'public', 'USAGE')") == "t");
  CHECK(db.scalar("SELECT has_table_privilege('anon', 'public.schema_history', 'SELECT')") == "f");
  CHECK(db.scalar("SELECT has_table_privilege('authenticated', 'public.schema_history', 'SELECT')") == "f");
  CHECK(db.scalar("SELECT has_function_privilege('anon', "
                  "'public.schema_history_record(text,bigint,text,text,text,text,text,text)', 'EXECUTE')") == "f");
}

TEST_CASE("trust: a migration-named entry that is not a readable file stops the run before anything runs") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("m/003-c.sql", "CREATE TABLE c (id int);\n");
  const auto entry = dir.path() / "m" / "002-b.sql";
  SUBCASE("a dangling symlink") { std::filesystem::create_symlink(dir.path() / "nowhere.sql", entry); }
  SUBCASE("a directory") { std::filesystem::create_directory(entry); }
  SUBCASE("a FIFO") { REQUIRE(mkfifo(entry.c_str(), 0644) == 0); }
  SUBCASE("a symlink loop") { std::filesystem::create_symlink(entry, entry); }
  const auto result = run_cli(migrate_args(db, dir.path() / "m"));
  CHECK_MESSAGE(result.exit_code == 4, result.err);
  CHECK_MESSAGE(contains(result.err, "002-b.sql"), result.err);
  CHECK(!table_exists(db, "public.a"));
  CHECK(!table_exists(db, "public.c"));
}

TEST_CASE("trust: a migration that deletes history rows fails instead of making them pending again") {
  for (const std::string statement :
       {"DELETE FROM cora_migrate.schema_history;", "TRUNCATE cora_migrate.schema_history;"}) {
    CAPTURE(statement);
    TestDatabase db;
    ScratchDir dir;
    dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
    REQUIRE(run_cli(migrate_args(db, dir.path() / "m")).exit_code == 0);
    dir.write("m/002-b.sql", statement + "\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 6, result.err);
    CHECK_MESSAGE(contains(result.err, "002-b.sql:1"), result.err);
    CHECK(db.scalar("SELECT string_agg(version::text, ',') FROM cora_migrate.schema_history") == "1");
  }
}

TEST_CASE("trust: lock_wait bounds the wait for a locked history table in every command") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("m/002-b.sql", "CREATE TABLE b (id int);\n");
  dir.write("cora-migrate.toml", "migrations_dir = \"m\"\n[timeouts]\nlock_wait = \"1s\"\n");
  const std::vector<std::string> base = {"--config",       (dir.path() / "cora-migrate.toml").string(),
                                         "--database-url", db.conninfo(),
                                         "--migrations",   (dir.path() / "m").string()};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  REQUIRE(run_cli(with({"migrate", "--to", "1"})).exit_code == 0);
  for (const std::string command : {"status", "migrate"}) {
    CAPTURE(command);
    auto holder = db.connect();
    holder->execute_script("BEGIN; LOCK TABLE cora_migrate.schema_history IN ACCESS EXCLUSIVE MODE");
    // Released after 15 s in any case, so that a wait that is not bounded ends the test too.
    std::thread release([&] {
      std::this_thread::sleep_for(std::chrono::seconds(15));
      holder.reset();
    });
    const auto args = with({command});
    const auto result = run_cli(args);
    const bool bounded = result.exit_code == 7;
    release.join();
    CHECK_MESSAGE(bounded, result.exit_code, result.err);
    CHECK_MESSAGE(contains(result.err, "lock_wait"), result.err);
  }
}

TEST_CASE("trust: a UTF-8 byte order mark is accepted, as psql does") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql",
            "\xEF\xBB\xBF"
            "CREATE TABLE with_bom (id int);\n");
  const auto result = run_cli(migrate_args(db, dir.path() / "m"));
  CHECK_MESSAGE(result.exit_code == 0, result.err);
  CHECK(table_exists(db, "public.with_bom"));
}

TEST_CASE("trust: a line-ending-only change is not a change") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
  REQUIRE(run_cli(migrate_args(db, dir.path() / "m")).exit_code == 0);
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n");
  const auto status = run_cli(migrate_args(db, dir.path() / "m", {"status", "--exit-code"}));
  CHECK_MESSAGE(status.exit_code == 0, status.out);
  const auto again = run_cli(migrate_args(db, dir.path() / "m"));
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  // And a file first applied with CRLF line ends stays applied after a checkout with LF.
  TestDatabase other;
  ScratchDir crlf;
  crlf.write("m/001-a.sql", "CREATE TABLE a (id int);\r\n");
  REQUIRE(run_cli(migrate_args(other, crlf.path() / "m")).exit_code == 0);
  crlf.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  CHECK(run_cli(migrate_args(other, crlf.path() / "m", {"status", "--exit-code"})).exit_code == 0);
  // A history row written by an earlier version, which checksummed the bytes as they were
  // (CRLF included), still matches the same CRLF file.
  crlf.write("m/001-a.sql", "CREATE TABLE a (id int);\r\n");
  other.connect()->execute_script(
      "UPDATE cora_migrate.schema_history SET checksum = "
      "encode(sha256(convert_to('CREATE TABLE a (id int);' || chr(13) || chr(10), 'UTF8')), 'hex')");
  CHECK(run_cli(migrate_args(other, crlf.path() / "m", {"status", "--exit-code"})).exit_code == 0);
}

TEST_CASE("trust: a misspelled directive is an error, not silently ignored") {
  for (const std::string line : {"--cora-migrate: transaction=false", "-- CORA-MIGRATE: transaction=false",
                                 "-- cora-migrate : transaction=false", "-- cora_migrate: transaction=false"}) {
    CAPTURE(line);
    TestDatabase db;
    ScratchDir dir;
    dir.write("m/001-a.sql", line + "\nCREATE TABLE a (id int);\n");
    const auto result = run_cli(migrate_args(db, dir.path() / "m"));
    CHECK_MESSAGE(result.exit_code == 4, result.err);
    CHECK_MESSAGE(contains(result.err, "001-a.sql:1"), result.err);
    CHECK_MESSAGE(contains(result.err, "-- cora-migrate:"), result.err);
    CHECK(!table_exists(db, "public.a"));
  }
}

TEST_CASE("trust: a history table of another shape names the table and what to do") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  db.connect()->execute_script(
      "CREATE SCHEMA cora_migrate; CREATE TABLE cora_migrate.schema_history (version text, applied boolean)");
  for (const std::string command : {"status", "migrate"}) {
    CAPTURE(command);
    const auto result = run_cli(migrate_args(db, dir.path() / "m", {command}));
    CHECK_MESSAGE(result.exit_code == 3, result.err);
    CHECK_MESSAGE(contains(result.err, "cora_migrate.schema_history"), result.err);
    CHECK_MESSAGE(contains(result.err, "history_table"), result.err);
    CHECK(!table_exists(db, "public.a"));
  }
}
