// The migrator against a real PostgreSQL 15: applying, recording, failing and locating errors.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "cora/db/history_table.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/error.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora;
using cora::test::ScratchDir;
using cora::test::TestDatabase;

namespace {

const char* kHistory = "cora_migrate.schema_history";

struct Run {
  std::unique_ptr<Connection> db;
  std::unique_ptr<Migrator> migrator;
};

Run make_run(const TestDatabase& database, std::optional<std::int64_t> target = std::nullopt) {
  Run run;
  run.db = database.connect();
  MigrateOptions options;
  if (target) options.target = std::to_string(*target);
  options.modules = {""};
  options.client = "test@host";
  options.timeouts.lock_wait = std::chrono::milliseconds(2000);
  run.migrator = std::make_unique<Migrator>(*run.db, HistoryTable(kHistory), options);
  return run;
}

MigrateResult migrate(const TestDatabase& database, const std::vector<MigrationFile>& files,
                      std::optional<std::int64_t> target = std::nullopt) {
  auto run = make_run(database, target);
  auto prepared = run.migrator->prepare(files);
  MigrateObserver quiet;
  return run.migrator->apply(prepared, quiet);
}

// The error `migrate` throws, with its exit code.
Error migrate_error(const TestDatabase& database, const std::vector<MigrationFile>& files) {
  try {
    migrate(database, files);
  } catch (const Error& e) {
    return e;
  }
  FAIL("migrate did not fail");
  return Error(ExitCode::ok, "");
}

std::string table_exists_flag(const TestDatabase& db, const std::string& name) {
  return db.scalar("SELECT to_regclass('" + name + "') IS NOT NULL");
}

}  // namespace

TEST_CASE("Migrator: the project's migrations") {
  TestDatabase database;
  const auto files = discover_migrations(test::source_dir() / "migrations");
  REQUIRE(files.size() >= 8);

  SUBCASE("apply once, in order, each recorded with its checksum") {
    const auto result = migrate(database, files);
    CHECK(result.applied.size() == files.size());
    CHECK(table_exists_flag(database, "public.user_auth_log") == "t");
    CHECK(table_exists_flag(database, "public.user_sessions") == "t");
    const auto db = database.connect();
    const auto rows = db->query("SELECT version, checksum, state, action, client, tool_version FROM " +
                                std::string(kHistory) + " ORDER BY id");
    REQUIRE(rows.rows.size() == files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      CHECK(rows.text(i, "version") == std::to_string(files[i].version));
      CHECK(rows.text(i, "checksum") == files[i].checksum);
      CHECK(rows.text(i, "state") == "applied");
      CHECK(rows.text(i, "client") == "test@host");
    }

    SUBCASE("a second run applies nothing") {
      const auto again = migrate(database, files);
      CHECK(again.applied.empty());
      CHECK(database.scalar("SELECT count(*) FROM " + std::string(kHistory)) == std::to_string(files.size()));
    }
  }

  SUBCASE("--to stops after that version") {
    const auto result = migrate(database, files, 3);
    CHECK(result.applied.size() == 4);  // 000..003
    CHECK(table_exists_flag(database, "public.user_profiles") == "t");
    CHECK(table_exists_flag(database, "public.org_members") == "f");
  }
}

TEST_CASE("Migrator: one round trip for the whole run, or one per migration") {
  for (const bool across_files : {true, false}) {
    CAPTURE(across_files);
    TestDatabase database;
    ScratchDir dir;
    for (int i = 1; i <= 20; ++i) {
      dir.write(fmt::format("migrations/{:03}-t.sql", i),
                fmt::format("CREATE TABLE t{0} (id int);\nINSERT INTO t{0} VALUES (1);\n", i));
    }
    const auto files = discover_migrations(dir.path() / "migrations");
    auto db = database.connect();
    MigrateOptions options;
    options.modules = {""};
    options.pipeline.across_files = across_files;
    Migrator migrator(*db, HistoryTable(kHistory), options);
    auto prepared = migrator.prepare(files);
    const auto before = db->round_trips();
    MigrateObserver quiet;
    const auto result = migrator.apply(prepared, quiet);
    CHECK(result.applied.size() == files.size());
    // One to create the history table, then one for every file together, or one per file.
    CHECK(db->round_trips() - before == 1 + (across_files ? 1 : files.size()));
    CHECK(database.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "20");
  }
}

TEST_CASE("Migrator: a failing migration leaves nothing behind") {
  TestDatabase database;
  ScratchDir dir;
  dir.write("migrations/001-first.sql", "CREATE TABLE first_table (id int);\n");
  dir.write("migrations/002-second.sql",
            "CREATE TABLE second_table (id int);\n"
            "INSERT INTO second_table VALUES (1);\n"
            "-- the next statement names a table that does not exist\n"
            "INSERT INTO second_table SELECT id FROM no_such_table;\n");
  dir.write("migrations/003-third.sql", "CREATE TABLE third_table (id int);\n");
  const auto files = discover_migrations(dir.path() / "migrations");

  const auto error = migrate_error(database, files);
  CHECK(error.code() == ExitCode::migration_failed);
  const std::string message = error.what();
  CHECK(message.find("002-second.sql:4:41:") != std::string::npos);
  CHECK(message.find("no_such_table") != std::string::npos);
  CHECK(message.find("42P01") != std::string::npos);
  CHECK(std::string(error.hint()).find("rolled back") != std::string::npos);

  CHECK(table_exists_flag(database, "first_table") == "t");
  CHECK(table_exists_flag(database, "second_table") == "f");
  CHECK(table_exists_flag(database, "third_table") == "f");
  CHECK(database.scalar("SELECT string_agg(version::text, ',') FROM cora_migrate.schema_history") == "1");
}

TEST_CASE("Migrator: error positions map back into the file") {
  TestDatabase database;
  ScratchDir dir;

  SUBCASE("position inside a later statement on a line after multi-byte text") {
    dir.write("m/001-a.sql",
              "-- Größe: ünïcödé before the error\n"
              "CREATE TABLE ok_table (name text DEFAULT 'ä');\n"
              "SELECT 1; SELECT missing_column FROM ok_table;\n");
    const auto error = migrate_error(database, discover_migrations(dir.path() / "m"));
    CHECK(std::string(error.what()).find("001-a.sql:3:18:") != std::string::npos);
    CHECK(std::string(error.what()).find("42703") != std::string::npos);
  }

  SUBCASE("an error with no position points at its statement's first line") {
    dir.write("m/001-a.sql",
              "CREATE TABLE dup (id int);\n"
              "\n"
              "/* again */\n"
              "CREATE TABLE dup (id int);\n");
    const auto error = migrate_error(database, discover_migrations(dir.path() / "m"));
    CHECK(std::string(error.what()).find("001-a.sql:4:1:") != std::string::npos);
    CHECK(std::string(error.what()).find("42P07") != std::string::npos);
  }

  SUBCASE("detail and hint are reported") {
    dir.write("m/001-a.sql",
              "CREATE TABLE parent (id int PRIMARY KEY);\n"
              "CREATE TABLE child (parent_id int REFERENCES parent);\n"
              "INSERT INTO child VALUES (42);\n");
    const auto error = migrate_error(database, discover_migrations(dir.path() / "m"));
    CHECK(std::string(error.what()).find("23503") != std::string::npos);
    CHECK(std::string(error.what()).find("detail: Key (parent_id)=(42) is not present") != std::string::npos);
  }

  SUBCASE("a syntax error is found before the database is touched") {
    dir.write("m/001-a.sql", "CREATE TABLE fine (id int);\n");
    dir.write("m/002-b.sql", "CREATE TABLE also_fine (id int);\nCREATE TABEL broken (id int);\n");
    const auto error = migrate_error(database, discover_migrations(dir.path() / "m"));
    CHECK(error.code() == ExitCode::migration_files);
    CHECK(std::string(error.what()).find("002-b.sql:2:8:") != std::string::npos);
    CHECK(table_exists_flag(database, "fine") == "f");
    CHECK(table_exists_flag(database, "cora_migrate.schema_history") == "f");
  }
}

TEST_CASE("Migrator: session settings made by a file do not leak into the next") {
  TestDatabase database;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE SCHEMA elsewhere;\nSET search_path = elsewhere;\nSET ROLE authenticated;\n");
  dir.write("m/002-b.sql", "CREATE TABLE landed (id int);\n");
  migrate(database, discover_migrations(dir.path() / "m"));
  CHECK(table_exists_flag(database, "public.landed") == "t");
  CHECK(database.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "2");
}

TEST_CASE("Migrator: a changed file blocks migrate") {
  TestDatabase database;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  migrate(database, discover_migrations(dir.path() / "m"));
  dir.write("m/001-a.sql", "CREATE TABLE a (id int, extra text);\n");
  dir.write("m/002-b.sql", "CREATE TABLE b (id int);\n");
  const auto error = migrate_error(database, discover_migrations(dir.path() / "m"));
  CHECK(error.code() == ExitCode::history_conflict);
  CHECK(std::string(error.what()).find("001-a.sql: changed since it was applied") != std::string::npos);
  CHECK(table_exists_flag(database, "b") == "f");
}

TEST_CASE("Migrator: files that run outside a transaction") {
  TestDatabase database;
  ScratchDir dir;
  dir.write("m/001-table.sql", "CREATE TABLE big (id int, email text);\nINSERT INTO big VALUES (1, 'a'), (1, 'b');\n");

  SUBCASE("CREATE INDEX CONCURRENTLY runs and is recorded") {
    dir.write("m/002-index.sql",
              "-- cora-migrate: transaction=false\n"
              "CREATE INDEX CONCURRENTLY big_email ON big (email);\n");
    const auto result = migrate(database, discover_migrations(dir.path() / "m"));
    CHECK(result.applied.size() == 2);
    CHECK(database.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_email'::regclass") == "t");
    CHECK(database.scalar("SELECT state FROM cora_migrate.schema_history WHERE version = 2") == "applied");
  }

  SUBCASE("CREATE INDEX CONCURRENTLY in a transactional file is refused by the server") {
    dir.write("m/002-index.sql", "CREATE INDEX CONCURRENTLY big_email ON big (email);\n");
    const auto error = migrate_error(database, discover_migrations(dir.path() / "m"));
    CHECK(error.code() == ExitCode::migration_failed);
    CHECK(std::string(error.what()).find("002-index.sql:1:1:") != std::string::npos);
  }

  SUBCASE("a failure part-way leaves the migration dirty, and dirty blocks the next run") {
    dir.write("m/002-index.sql",
              "-- cora-migrate: transaction=false\n"
              "CREATE INDEX CONCURRENTLY big_email ON big (email);\n"
              "CREATE UNIQUE INDEX CONCURRENTLY big_id ON big (id);\n");
    const auto files = discover_migrations(dir.path() / "m");
    const auto error = migrate_error(database, files);
    CHECK(error.code() == ExitCode::migration_failed);
    CHECK(std::string(error.what()).find("002-index.sql:3:") != std::string::npos);
    CHECK(std::string(error.hint()).find("dirty") != std::string::npos);
    CHECK(database.scalar("SELECT state FROM cora_migrate.schema_history WHERE version = 2") == "running");
    CHECK(database.scalar("SELECT error FROM cora_migrate.schema_history WHERE version = 2").find("line 3") == 0);
    // The first index stays: it committed on its own.
    CHECK(database.scalar("SELECT to_regclass('big_email') IS NOT NULL") == "t");

    const auto again = migrate_error(database, files);
    CHECK(again.code() == ExitCode::history_conflict);
    CHECK(std::string(again.what()).find("dirty") != std::string::npos);
  }
}

TEST_CASE("Migrator: the history table is closed to the API roles") {
  TestDatabase database;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  migrate(database, discover_migrations(dir.path() / "m"));
  const auto db = database.connect();
  for (const char* role : {"anon", "authenticated"}) {
    CAPTURE(role);
    db->execute_script(std::string("BEGIN; SET LOCAL ROLE ") + role);
    try {
      db->query("SELECT count(*) FROM cora_migrate.schema_history");
      FAIL("the role could read the history table");
    } catch (const QueryFailed& e) {
      CHECK(e.error().sqlstate == "42501");
    }
    db->execute_script("ROLLBACK");
  }
}
