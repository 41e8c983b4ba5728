// The embedded database is shaped like a Supabase project: migrations run as a `postgres` that is
// no superuser, so what fails on a project ("must be owner of table users", "permission denied to
// create extension") fails here first, with the same SQLSTATE; allow-listed extensions are created
// as Supabase's supautils creates them; diff does not report Supabase's own placement of
// extensions; and a plain PostgreSQL is not judged by Supabase's rules.

#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/secure_cluster.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// A project folder whose embedded cluster is the tests' own (for --scratch and diff's builds).
struct FidelityProject {
  ScratchDir dir;
  explicit FidelityProject(const std::string& extra_config = "") {
    const auto& cluster = test_cluster();
    dir.write("cora-migrate.toml", "[local]\ndata_dir = \"" +
                                       cluster.requested_root().value_or(cluster.root()).string() + "\"\n" +
                                       extra_config);
    std::filesystem::create_directories(dir.path() / "checks");
  }
  CliResult run(std::vector<std::string> args, const std::string& database_url = "") const {
    std::vector<std::string> all{"--config", (dir.path() / "cora-migrate.toml").string()};
    if (!database_url.empty()) all.insert(all.end(), {"--database-url", database_url});
    all.insert(all.end(), args.begin(), args.end());
    return run_cli(all, CliOptions{dir.path(), {}});
  }
};

struct Refusal {
  const char* what;
  const char* sql;
  const char* error;  // PostgreSQL's message, as Supabase's postgres gets it
  const char* owner;  // what the hint names
};

}  // namespace

TEST_CASE("migrate as the embedded cluster's postgres: the four 42501 failures of Supabase, with the owner named") {
  const Refusal refusals[] = {
      {"ALTER TABLE auth.users", "alter table auth.users add column nickname text;\n", "must be owner of table users",
       "auth.users belongs to supabase_auth_admin"},
      {"a policy on storage.objects",
       "create policy avatars on storage.objects for select to authenticated using (bucket_id = 'avatars');\n",
       "must be owner of table objects", "storage.objects belongs to supabase_storage_admin"},
      {"ALTER TABLE storage.prefixes", "alter table storage.prefixes add column note text;\n",
       "must be owner of table prefixes", "storage.prefixes belongs to supabase_storage_admin"},
      {"a policy on realtime.messages",
       "create policy presence on realtime.messages for select to authenticated using (realtime.topic() like "
       "'room:%');\n",
       "must be owner of table messages", "realtime.messages belongs to supabase_realtime_admin"},
  };
  for (const auto& refusal : refusals) {
    CAPTURE(refusal.what);
    TestDatabase db;
    FidelityProject project;
    project.dir.write("migrations/001-ok.sql", "create table public.notes (id bigint primary key);\n");
    project.dir.write("migrations/002-platform.sql", std::string("-- as on Supabase\n") + refusal.sql);
    const auto r = project.run({"migrate"}, db.conninfo_as("postgres"));
    CHECK(r.exit_code == 6);
    CHECK_MESSAGE(contains(r.err, "002-platform.sql:2"), r.err);
    CHECK_MESSAGE(contains(r.err, std::string(refusal.error) + " [SQLSTATE 42501]"), r.err);
    CHECK_MESSAGE(contains(r.err, refusal.owner), r.err);
    // The first file ran; the refused one left nothing behind.
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE is_current") == "1");
  }
}

TEST_CASE("an extension off the allow-list is refused before anything runs, naming the file and line") {
  TestDatabase db;
  FidelityProject project;
  project.dir.write("migrations/001-ok.sql", "create table public.notes (id bigint primary key);\n");
  // file_fdw is on the server, not trusted by PostgreSQL, not allow-listed.
  project.dir.write("migrations/002-platform.sql", "-- as on Supabase\ncreate extension file_fdw;\n");
  const auto r = project.run({"migrate"}, db.conninfo_as("postgres"));
  CHECK(r.exit_code == 8);
  CHECK_MESSAGE(contains(unwrapped(r.err),
                         "002-platform.sql:2: creates extension file_fdw, which the server offers but Supabase does "
                         "not let the migrations' role create: it is not on the allow-list "
                         "(supautils.privileged_extensions) nor trusted by PostgreSQL: use an allow-listed extension "
                         "instead, or have the project's administrator create it"),
                r.err);
  CHECK(db.scalar("SELECT to_regclass('public.notes') IS NULL") == "t");
  // As a superuser the allow-list does not apply: it runs.
  const auto super = project.run({"migrate"}, db.conninfo());
  CHECK_MESSAGE(super.exit_code == 0, super.err);
}

TEST_CASE("verify --scratch builds as postgres: a file that alters auth.users fails there, as on Supabase") {
  FidelityProject project;
  project.dir.write("migrations/001-users.sql", "alter table auth.users add column nickname text;\n");
  const auto r = project.run({"verify", "--scratch"});
  CHECK(r.exit_code == 6);
  CHECK_MESSAGE(contains(r.err, "must be owner of table users [SQLSTATE 42501]"), r.err);
}

TEST_CASE(
    "what postgres may do on Supabase works: triggers on auth.users, foreign keys to it, storage policies' helpers") {
  TestDatabase db;
  FidelityProject project;
  project.dir.write("migrations/001-profiles.sql",
                    "create table public.profiles (id uuid primary key references auth.users (id) on delete cascade);\n"
                    "create function public.handle_new_user() returns trigger language plpgsql security definer\n"
                    "set search_path = '' as $$ begin insert into public.profiles (id) values (new.id); return new; "
                    "end $$;\n"
                    "create trigger on_auth_user_created after insert on auth.users\n"
                    "  for each row execute function public.handle_new_user();\n"
                    "select (storage.foldername('u1/avatar.png'))[1];\n");
  const auto r = project.run({"migrate"}, db.conninfo_as("postgres"));
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(db.scalar("SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'") == "f");
  CHECK(db.scalar("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'auth.users'::regclass") ==
        "supabase_auth_admin");
}

TEST_CASE("an allow-listed extension is created as postgres, into extensions, and verbose output says how") {
  TestDatabase db;
  FidelityProject project;
  // dblink is not trusted by PostgreSQL: only the allow-list lets postgres create it.
  project.dir.write("migrations/001-dblink.sql", "create extension if not exists dblink with schema extensions;\n");
  const auto r = project.run({"migrate", "--verbose"}, db.conninfo_as("postgres"));
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(contains(r.out + r.err, "CREATE EXTENSION dblink ran as supabase_admin: it is allow-listed"),
                (r.out + r.err));
  CHECK(db.scalar("SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'dblink'") == "extensions");

  SUBCASE("VERSION is refused, as Supabase refuses it to postgres") {
    project.dir.write("migrations/002-fdw.sql",
                      "create extension postgres_fdw with schema extensions version '1.1';\n");
    const auto refused = project.run({"migrate"}, db.conninfo_as("postgres"));
    CHECK(refused.exit_code == 6);
    CHECK_MESSAGE(contains(refused.err, "Only administrators can specify VERSION"), refused.err);
  }
}

TEST_CASE("diff of a Supabase-shaped database with its extensions in extensions: no drift, no SET SCHEMA") {
  TestDatabase db;
  FidelityProject project;
  // pgcrypto is there already (Supabase pre-creates it in extensions); pg_trgm lands in public.
  project.dir.write("migrations/001-search.sql",
                    "create extension if not exists pgcrypto;\ncreate extension if not exists pg_trgm;\n"
                    "create table public.docs (id uuid primary key default gen_random_uuid(), body text);\n");
  REQUIRE(project.run({"migrate"}, db.conninfo_as("postgres")).exit_code == 0);
  // Moved where Supabase's advisor says it belongs.
  db.connect()->execute_script("ALTER EXTENSION pg_trgm SET SCHEMA extensions");
  const auto r = project.run({"diff", "--format", "json"}, db.conninfo_as("postgres"));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const auto report = nlohmann::json::parse(r.out);
  CHECK(report["summary"]["total"] == 0);
  CHECK_MESSAGE(contains(report["notes"].dump(), "pg_trgm"), report.dump());
  const auto sql = project.run({"diff", "--sql"}, db.conninfo_as("postgres"));
  CHECK_MESSAGE(!contains(sql.out, "ALTER EXTENSION"), sql.out);
}

TEST_CASE("a plain PostgreSQL: verify applies no Supabase rules and says so; [target] kind forces them") {
  SecureCluster cluster;
  const std::string password = "plain-pg-pass";
  cluster.execute("CREATE ROLE app LOGIN PASSWORD '" + password + "'");
  cluster.execute("CREATE DATABASE appdb OWNER app");
  const std::string url = cluster.url("app", "appdb");
  ScratchDir dir;
  dir.write("migrations/001-items.sql", "create table public.items (id bigint primary key, name text);\n");
  std::filesystem::create_directories(dir.path() / "checks");
  const CliOptions env{dir.path(), {{"PGPASSWORD", password}, {"PGPASSFILE", std::nullopt}}};
  REQUIRE(run_cli({"--database-url", url, "migrate"}, env).exit_code == 0);

  const auto plain = run_cli({"--database-url", url, "verify", "--format", "json"}, env);
  CHECK_MESSAGE(plain.exit_code == 0, (plain.out + plain.err));
  CHECK(!contains(plain.out, "anon key"));
  CHECK(!contains(plain.out, "rls_disabled_in_public"));
  CHECK_MESSAGE(contains(plain.err,
                         "Supabase's rules (what the anon and authenticated roles may reach) were skipped: "
                         "the database has no roles anon and authenticated"),
                plain.err);

  dir.write("cora-migrate.toml", "[target]\nkind = \"supabase\"\n");
  const auto forced = run_cli({"--database-url", url, "verify"}, env);
  CHECK(forced.exit_code == 11);
  CHECK_MESSAGE(contains(forced.out, "anyone with the anon key can read and write it"), forced.out);

  dir.write("cora-migrate.toml", "[target]\nkind = \"mysql\"\n");
  const auto wrong = run_cli({"--database-url", url, "verify"}, env);
  CHECK(wrong.exit_code == 3);
  CHECK_MESSAGE(contains(wrong.err, "cora-migrate.toml:2"), wrong.err);
  CHECK_MESSAGE(contains(wrong.err, "must be \"supabase\" or \"postgres\""), wrong.err);
}

TEST_CASE("diff against a plain PostgreSQL does not miss the extensions only the embedded layer has") {
  SecureCluster cluster;
  const std::string password = "plain-pg-pass";
  cluster.execute("CREATE ROLE app LOGIN PASSWORD '" + password + "'");
  cluster.execute("CREATE DATABASE appdb OWNER app");
  FidelityProject project;
  project.dir.write("migrations/001-items.sql", "create table public.items (id bigint primary key, name text);\n");
  const CliOptions env{project.dir.path(), {{"PGPASSWORD", password}, {"PGPASSFILE", std::nullopt}}};
  const std::string config = (project.dir.path() / "cora-migrate.toml").string();
  const std::string url = cluster.url("app", "appdb");
  REQUIRE(run_cli({"--config", config, "--database-url", url, "migrate"}, env).exit_code == 0);
  const auto r = run_cli({"--config", config, "--database-url", url, "diff", "--format", "json"}, env);
  INFO(r.err);
  CHECK_MESSAGE(r.exit_code == 0, r.out);
  CHECK(!contains(r.out, "pgcrypto"));
  CHECK(!contains(r.out, "uuid-ossp"));
}

TEST_CASE("lint names what postgres cannot run on Supabase at file:line; [target] kind = postgres turns it off") {
  ScratchDir dir;
  dir.write("migrations/001-platform.sql",
            "alter system set work_mem = '64MB';\n"
            "alter table storage.objects enable row level security;\n"
            "comment on table auth.users is 'people';\n"
            "create policy own on storage.objects for select using (owner = auth.uid());\n"
            "create role boss superuser;\n"
            "create function auth.my_claim() returns text language sql as $$ select 'x' $$;\n"
            "create function public.tidy() returns trigger language plpgsql as $$ begin return new; end $$;\n"
            "create trigger tidy before insert on auth.users for each row execute function public.tidy();\n");
  const auto r = lint_in(dir, {"--format", "json"});
  const auto report = nlohmann::json::parse(r.out);
  std::vector<int> lines;
  for (const auto& f : report["findings"]) {
    if (f["rule"] == "not_allowed_on_supabase") lines.push_back(f["line"].get<int>());
  }
  CHECK(lines == std::vector<int>{1, 2, 3, 4, 5, 6});  // the trigger (line 8) is allowed there
  const auto human = lint_in(dir);
  CHECK_MESSAGE(contains(unwrapped(human.out),
                         "migrations/001-platform.sql:3: warning[not_allowed_on_supabase]: "
                         "COMMENT ON auth.users: on Supabase the table belongs to "
                         "supabase_auth_admin"),
                human.out);

  dir.write("cora-migrate.toml", "[target]\nkind = \"postgres\"\n");
  const auto off = lint_in(dir, {"--format", "json"});
  CHECK(!contains(off.out, "not_allowed_on_supabase"));
}
