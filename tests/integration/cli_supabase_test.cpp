// A database the Supabase CLI migrated: migrate and status stop and say to adopt its history;
// `adopt --from-supabase` imports that history after comparing each row's statements with the
// local file; a Supabase CLI project's supabase/migrations folder is found without a config.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "cora/migrations/migration_file.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

const char* kUsersFile =
    "-- the app's users\n"
    "create table public.users (\n  id bigint primary key,\n  email text not null\n);\n\n"
    "create function public.user_count() returns bigint\nlanguage sql as $$ select count(*) from public.users; $$;\n";
const char* kPostsFile = "create table public.posts (id bigint primary key, author bigint references public.users);\n";
const char* kTeamsFile = "create table public.teams (id bigint primary key);\n";

// A Supabase CLI project (supabase/migrations, no cora-migrate.toml) whose database the CLI
// migrated: each file run, then recorded as the CLI records it (its table, its statement split:
// at top-level semicolons, comments kept, the semicolon and blanks around it dropped).
struct SupabaseProject {
  TestDatabase db;
  ScratchDir dir;
  SupabaseProject() {
    dir.write("supabase/config.toml", "project_id = \"app\"\n");
    dir.write("supabase/migrations/20240101000000_create_users.sql", kUsersFile);
    dir.write("supabase/migrations/20240201000000_create_posts.sql", kPostsFile);
    auto c = db.connect();
    c->execute_script(std::string(kUsersFile) + kPostsFile);
    c->execute_script(
        "CREATE SCHEMA IF NOT EXISTS supabase_migrations;"
        "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);"
        "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];"
        "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;"
        "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES "
        "('20240101000000', 'create_users', ARRAY[$s$-- the app's users\n"
        "create table public.users (\n  id bigint primary key,\n  email text not null\n)$s$, "
        "$s$create function public.user_count() returns bigint\nlanguage sql as $$ select count(*) from public.users; "
        "$$$s$]),"
        "('20240201000000', 'create_posts', ARRAY[$s$create table public.posts (id bigint primary key, author bigint "
        "references public.users)$s$])");
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo()});
    return run_cli(args, CliOptions{dir.path(), {}});
  }
  std::string history() const {
    return db.scalar(
        "SELECT string_agg(version || ':' || action, ',' ORDER BY version) FROM cora_migrate.schema_history "
        "WHERE is_current");
  }
  bool history_table_exists() const {
    return db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NOT NULL") == "t";
  }
};

}  // namespace

TEST_CASE("cora-migrate on a database the Supabase CLI migrated: says to adopt its history, runs nothing") {
  SupabaseProject p;
  p.dir.write("supabase/migrations/20240301000000_add_teams.sql", kTeamsFile);

  const auto status = p.run({"status"});
  CHECK(status.exit_code == 16);
  CHECK_MESSAGE(status.err.find(
                    "cora-migrate: error: this database was migrated by the Supabase CLI "
                    "(supabase_migrations.schema_migrations has 2 rows, the last version 20240201000000)") !=
                    std::string::npos,
                status.err);
  CHECK(status.err.find("(hint: take that history over with `cora-migrate adopt --from-supabase`, then run migrate)") !=
        std::string::npos);

  const auto migrate = p.run({"migrate"});
  CHECK(migrate.exit_code == 16);
  CHECK(migrate.err.find("adopt --from-supabase") != std::string::npos);
  CHECK(p.db.scalar("SELECT to_regclass('public.teams') IS NULL") == "t");
  CHECK_FALSE(p.history_table_exists());
  CHECK(p.run({"migrate", "--dry-run"}).exit_code == 16);

  SUBCASE("a database without the Supabase CLI's table is not stopped") {
    p.db.connect()->execute_script(
        "DROP SCHEMA supabase_migrations CASCADE; DROP TABLE public.posts; "
        "DROP FUNCTION public.user_count(); DROP TABLE public.users");
    CHECK(p.run({"migrate"}).exit_code == 0);
  }
  SUBCASE("nor one whose Supabase CLI table is empty") {
    p.db.connect()->execute_script(
        "TRUNCATE supabase_migrations.schema_migrations; DROP TABLE public.posts; "
        "DROP FUNCTION public.user_count(); DROP TABLE public.users");
    CHECK(p.run({"migrate"}).exit_code == 0);
  }
}

TEST_CASE("cora-migrate adopt --from-supabase: imports the CLI's history; migrate then runs only the new file") {
  SupabaseProject p;
  p.dir.write("supabase/migrations/20240301000000_add_teams.sql", kTeamsFile);

  const auto adopt = p.run({"adopt", "--from-supabase"});
  REQUIRE_MESSAGE(adopt.exit_code == 0, adopt.out, adopt.err);
  CHECK(adopt.out.find(
            "imported 20240101000000_create_users.sql (its statements are the ones the Supabase CLI applied)") !=
        std::string::npos);
  CHECK(adopt.out.find("imported 20240201000000_create_posts.sql") != std::string::npos);
  CHECK(adopt.out.find("2 migrations imported from supabase_migrations.schema_migrations into "
                       "cora_migrate.schema_history; 1 file pending: apply them with `cora-migrate migrate`.") !=
        std::string::npos);
  CHECK(p.history() == "20240101000000:import,20240201000000:import");
  // The local file's checksum, as migrate records it: status compares it with the file.
  CHECK(p.db.scalar("SELECT checksum FROM cora_migrate.schema_history WHERE version = 20240101000000") ==
        cora::migration_checksum(kUsersFile));

  const auto status = nlohmann::json::parse(p.run({"status", "--format", "json"}).out);
  CHECK(status["summary"]["applied"] == 2);
  CHECK(status["summary"]["pending"] == 1);
  CHECK(status["migrations"][0]["applied"]["action"] == "import");

  const auto migrate = p.run({"migrate"});
  CHECK_MESSAGE(migrate.exit_code == 0, migrate.err);
  CHECK(migrate.out.find("1 migration applied") != std::string::npos);
  CHECK(p.history() == "20240101000000:import,20240201000000:import,20240301000000:apply");
  CHECK(p.db.scalar("SELECT to_regclass('public.teams') IS NOT NULL") == "t");

  const auto again = p.run({"adopt", "--from-supabase"});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("0 migrations imported from supabase_migrations.schema_migrations into "
                       "cora_migrate.schema_history (2 already recorded); 0 files pending.") != std::string::npos);
}

TEST_CASE("cora-migrate adopt --from-supabase: a file that is not what the CLI applied imports nothing") {
  SupabaseProject p;

  SUBCASE("a changed statement") {
    p.dir.write(
        "supabase/migrations/20240201000000_create_posts.sql",
        "create table public.posts (id bigint primary key, author bigint references public.users, title text);\n");
    const auto adopt = p.run({"adopt", "--from-supabase"});
    CHECK(adopt.exit_code == 8);
    CHECK_MESSAGE(adopt.out.find(
                      "not imported supabase/migrations/20240201000000_create_posts.sql (version 20240201000000): "
                      "not what the Supabase CLI applied: statement 1 differs: the database recorded `...author "
                      "bigint references public.users )`, the file has `...author bigint references "
                      "public.users , title text )`") != std::string::npos,
                  adopt.out);
    CHECK(adopt.err.find("cora-migrate: error: 1 of 2 rows in supabase_migrations.schema_migrations does not match the "
                         "local files: nothing was imported") != std::string::npos);
  }
  SUBCASE("a row with no local file") {
    p.db.connect()->execute_script(
        "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) "
        "VALUES ('20231201000000', 'old_thing', ARRAY['select 1'])");
    const auto adopt = p.run({"adopt", "--from-supabase"});
    CHECK(adopt.exit_code == 8);
    CHECK(adopt.out.find("not imported version 20231201000000 (old_thing): recorded by the Supabase CLI, but no local "
                         "file has this version") != std::string::npos);
  }
  // The database is as it was: no history table, and migrate still refuses.
  CHECK_FALSE(p.history_table_exists());
  CHECK(p.run({"migrate"}).exit_code == 16);
}

TEST_CASE("cora-migrate finds supabase/migrations in a Supabase CLI project and says so") {
  SupabaseProject p;
  p.db.connect()->execute_script(
      "DROP SCHEMA supabase_migrations CASCADE; DROP TABLE public.posts; "
      "DROP FUNCTION public.user_count(); DROP TABLE public.users");
  const auto migrate = p.run({"migrate"});
  CHECK_MESSAGE(migrate.exit_code == 0, migrate.err);
  CHECK(migrate.err.find("note: using supabase/migrations, the Supabase CLI's folder (no cora-migrate.toml and no "
                         "migrations/ folder here)") != std::string::npos);
  CHECK(migrate.out.find("2 migrations applied") != std::string::npos);
  const auto no_table = p.run({"adopt", "--from-supabase"});
  CHECK(no_table.exit_code == 2);
  CHECK(no_table.err.find("has no supabase_migrations.schema_migrations: the Supabase CLI never migrated it") !=
        std::string::npos);

  // Our own folder, where there is one, is the project's: no note.
  p.dir.write("migrations/001-a.sql", "create table public.a (id int);\n");
  const auto ours = p.run({"status"});
  CHECK(ours.err.find("supabase/migrations") == std::string::npos);
  CHECK(ours.out.find("001") != std::string::npos);
}

TEST_CASE(
    "cora-migrate adopt --from-supabase --format json: what was imported, or every mismatch and nothing imported") {
  SupabaseProject p;
  p.dir.write("supabase/migrations/20240301000000_add_teams.sql", kTeamsFile);

  SUBCASE("imported: each row, the tally, no error") {
    const auto r = p.run({"adopt", "--from-supabase", "--format", "json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out, r.err);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["command"] == "adopt");
    CHECK(doc["from_supabase"] == true);
    REQUIRE(doc["imported"].size() == 2);
    CHECK(doc["imported"][0]["version"] == "20240101000000");
    CHECK(doc["imported"][1]["version"] == "20240201000000");
    CHECK(doc["problems"].empty());
    CHECK(doc["summary"]["imported"] == 2);
    CHECK(doc["summary"]["already_recorded"] == 0);
    CHECK(doc["summary"]["pending"] == 1);
    CHECK(doc["error"].is_null());
    CHECK(p.history() == "20240101000000:import,20240201000000:import");
  }
  SUBCASE("a mismatch: the problem listed, nothing imported, exit 8 with the error in the document") {
    p.dir.write("supabase/migrations/20240201000000_create_posts.sql", kTeamsFile);
    const auto r = p.run({"adopt", "--from-supabase", "--format", "json"});
    CHECK(r.exit_code == 8);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["imported"].empty());
    REQUIRE(doc["problems"].size() == 1);
    CHECK(doc["problems"][0].get<std::string>().find("20240201000000_create_posts.sql") != std::string::npos);
    CHECK(doc["summary"]["imported"] == 0);
    CHECK(doc["error"]["exit_code"] == 8);
    const bool recorded = p.history_table_exists() && !p.history().empty();
    CHECK_FALSE(recorded);
  }
}
