// A CORA project as it is: packages/module-*/db/schema/ snapshots and db/migrations/ deltas in
// every module, numbered from 000 in each, in dependency order. The fixture in
// tests/fixtures/cora-project has the toolkit's shape with SQL of our own.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// A copy of a fixture project in a scratch folder, so a test may edit it.
struct ProjectCopy {
  ScratchDir dir;
  explicit ProjectCopy(const std::string& fixture = "cora-project") {
    std::filesystem::copy(source_dir() / "tests" / "fixtures" / fixture, dir.path(), std::filesystem::copy_options::recursive);
  }
  std::filesystem::path path() const { return dir.path(); }
  void replace_with(const std::string& fixture) {
    std::filesystem::remove_all(dir.path() / "packages");
    std::filesystem::remove(dir.path() / "cora-migrate.toml");
    std::filesystem::copy(source_dir() / "tests" / "fixtures" / fixture, dir.path(),
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  }
};

CliResult run_in(const ProjectCopy& project, const TestDatabase& db, std::vector<std::string> args) {
  args.insert(args.begin(), {"--database-url", db.conninfo()});
  CliOptions options;
  options.cwd = project.path();
  return run_cli(args, options);
}

std::string history(const TestDatabase& db, const std::string& where = "is_current") {
  return db.scalar("SELECT string_agg(module || ':' || version || '-' || name || ':' || action, ' ' ORDER BY id) "
                   "FROM cora_migrate.schema_history WHERE " + where);
}

}  // namespace

TEST_CASE("modules: a fresh install applies every module's snapshot in dependency order and records its deltas as included") {
  TestDatabase db;
  ProjectCopy project;
  const auto result = run_in(project, db, {"migrate"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.out, result.err);
  // chat calls mgmt's is_sys_admin(): mgmt ran first although chat sorts before it by name.
  CHECK(history(db, "is_current AND action <> 'included'") ==
        "module-access:0-base:apply module-access:1-profiles:apply "
        "module-mgmt:1-mgmt-roles:apply module-mgmt:3-mgmt-modules:apply module-mgmt:3-mgmt-usage:apply "
        "module-chat:1-chat:apply module-ws:1-ws:apply");
  // The deltas use the old names and would fail here: recorded, not run.
  CHECK(history(db, "action = 'included'") ==
        "module-access:1-audit-table:included module-access:20251220103900-rename-profiles:included "
        "module-access:20260113-profile-avatar:included module-mgmt:20260101-usage-index:included");
  CHECK(db.scalar("SELECT to_regclass('public.should_never_run_bak') IS NULL AND "
                  "to_regclass('public.should_never_run_archive') IS NULL") == "t");
  CHECK_MESSAGE(contains(result.err, "003-mgmt-usage.sql: shares version 003"), result.err);

  const auto again = run_in(project, db, {"migrate"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "Nothing to apply"));

  const auto status = run_in(project, db, {"status", "--json"});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "\"module\": \"module-chat\""));
  CHECK(contains(status.out, "\"role\": \"included\""));
  CHECK(contains(status.out, "\"role\": \"snapshot\""));
}

TEST_CASE("modules: an old database is upgraded by its deltas in date order, then its changed schema files run again") {
  TestDatabase db;
  ProjectCopy project("cora-project-old");
  REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
  db.connect()->execute_script("INSERT INTO public.app_users VALUES (1, 'a@example.com');"
                               "INSERT INTO public.profiles VALUES (1, 'Ann')");
  project.replace_with("cora-project");

  const auto status = run_in(project, db, {"status"});
  CHECK_MESSAGE(contains(status.out, "next: re-run (changed)"), status.out);
  const auto result = run_in(project, db, {"migrate", "--module", "module-access"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.out, result.err);
  // 001 (a number) first, then 2025-12-20 before 2026-01-13, then the changed snapshot files.
  CHECK(history(db, "id > 2") ==
        "module-access:1-audit-table:apply module-access:20251220103900-rename-profiles:apply "
        "module-access:20260113-profile-avatar:apply module-access:0-base:reapply module-access:1-profiles:reapply");
  // The earlier rows of the re-run files are kept, no longer current.
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE NOT is_current") == "2");
  CHECK(db.scalar("SELECT display_name FROM public.user_profiles WHERE user_id = 1") == "Ann");
  CHECK(db.scalar("SELECT public.profile_name(1)") == "Ann");
}

TEST_CASE("modules: a history table of the one-folder layout is upgraded in place, every row kept") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("m/002-b.sql", "CREATE TABLE b (id int);\n");
  // The table as an earlier version wrote it: no module column, one current row per version.
  db.connect()->execute_script(
      "CREATE SCHEMA cora_migrate;"
      "CREATE TABLE cora_migrate.schema_history (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, version bigint NOT NULL,"
      " name text NOT NULL, checksum text NOT NULL, state text NOT NULL, action text NOT NULL,"
      " is_current boolean NOT NULL DEFAULT true, applied_at timestamptz NOT NULL DEFAULT now(),"
      " applied_by text NOT NULL DEFAULT current_user, client text, duration_ms integer, tool_version text NOT NULL,"
      " backend_pid integer, backend_start timestamptz, error text);"
      "CREATE UNIQUE INDEX schema_history_current_version ON cora_migrate.schema_history (version) WHERE is_current;"
      "CREATE TABLE a (id int);"
      "INSERT INTO cora_migrate.schema_history (version, name, checksum, state, action, tool_version) VALUES "
      "(1, 'a', encode(sha256(convert_to('CREATE TABLE a (id int);' || chr(10), 'UTF8')), 'hex'), 'applied', 'apply', '0.1.0')");
  const auto args = std::vector<std::string>{"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string()};
  auto with = [&](std::vector<std::string> rest) {
    auto a = args;
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  };
  const auto status = run_cli(with({"status", "--json"}));
  CHECK_MESSAGE(status.exit_code == 0, status.err);
  CHECK(contains(status.out, "\"state\": \"applied\""));
  const auto result = run_cli(with({"migrate"}));
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  CHECK(db.scalar("SELECT string_agg(module || ':' || version || ':' || tool_version, ',' ORDER BY id) FROM "
                  "cora_migrate.schema_history") == fmt::format(":1:0.1.0,:2:{}", db.scalar("SELECT tool_version FROM "
                                                                                          "cora_migrate.schema_history WHERE version = 2")));
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history_current_version') IS NULL") == "t");
}

TEST_CASE("modules: two history tables in one schema never mix (each has its own helper functions)") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("a/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("b/001-b.sql", "CREATE TABLE b (id int);\n");
  dir.write("a.toml", "history_table = \"cora_migrate.history_a\"\nmigrations_dir = \"a\"\n");
  dir.write("b.toml", "history_table = \"cora_migrate.history_b\"\nmigrations_dir = \"b\"\n");
  auto run = [&](const std::string& config) {
    return run_cli({"--config", (dir.path() / config).string(), "--database-url", db.conninfo(), "migrate"});
  };
  REQUIRE(run("a.toml").exit_code == 0);
  REQUIRE(run("b.toml").exit_code == 0);
  CHECK(db.scalar("SELECT string_agg(name, ',') FROM cora_migrate.history_a") == "a");
  CHECK(db.scalar("SELECT string_agg(name, ',') FROM cora_migrate.history_b") == "b");
  const auto again = run("a.toml");
  CHECK(again.exit_code == 0);
  CHECK_MESSAGE(contains(again.out, "Nothing to apply"), again.out);
}

TEST_CASE("modules: two runs over all modules at once apply each file exactly once") {
  TestDatabase db;
  ProjectCopy project;
  CliOptions options;
  options.cwd = project.path();
  auto first = start_cli({"--database-url", db.conninfo(), "migrate"}, options);
  auto second = start_cli({"--database-url", db.conninfo(), "migrate"}, options);
  const auto a = wait_cli(first);
  const auto b = wait_cli(second);
  CHECK_MESSAGE(a.exit_code == 0, a.err);
  CHECK_MESSAGE(b.exit_code == 0, b.err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "11");
  CHECK(db.scalar("SELECT count(DISTINCT (module, version, name)) FROM cora_migrate.schema_history") == "11");
}

TEST_CASE("modules: a schema file that destroys data is not re-run without --allow-destructive") {
  TestDatabase db;
  ProjectCopy project;
  REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
  const auto ws = project.path() / "packages/module-ws/db/schema/001-ws.sql";
  {
    std::ofstream out(ws, std::ios::app);
    out << "TRUNCATE public.ws_members;\n";
  }
  const auto refused = run_in(project, db, {"migrate"});
  CHECK_MESSAGE(refused.exit_code == 8, refused.err);
  CHECK_MESSAGE(contains(refused.err, "001-ws.sql:2: TRUNCATE: the schema file changed, and running it again would destroy data"),
                refused.err);
  CHECK(contains(refused.err, "--allow-destructive"));
  const auto allowed = run_in(project, db, {"migrate", "--allow-destructive"});
  CHECK_MESSAGE(allowed.exit_code == 0, allowed.err);
  CHECK(contains(allowed.out, "reapplied module-ws:001-ws.sql"));
}

TEST_CASE("modules: --module restricts a run, and a dependency that is not installed is reported, never run") {
  TestDatabase db;
  ProjectCopy project;
  const auto refused = run_in(project, db, {"migrate", "--module", "module-ws"});
  CHECK(refused.exit_code == 8);
  CHECK_MESSAGE(contains(refused.err, "module module-ws needs module-access, which this database does not have"), refused.err);
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
  const auto two = run_in(project, db, {"migrate", "--module", "module-access,module-ws"});
  CHECK_MESSAGE(two.exit_code == 0, two.err);
  CHECK(db.scalar("SELECT string_agg(DISTINCT module, ',') FROM cora_migrate.schema_history") == "module-access,module-ws");
  const auto unknown = run_in(project, db, {"status", "--module", "module-nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "--module module-nope: no such module"));
}

TEST_CASE("modules: selectors name a migration as MODULE:VERSION or MODULE:FILE-NAME") {
  TestDatabase db;
  ProjectCopy project;
  const auto target = run_in(project, db, {"migrate", "--target", "module-mgmt:001-mgmt-roles"});
  REQUIRE_MESSAGE(target.exit_code == 0, target.err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module = 'module-mgmt' AND action = 'apply'") == "1");
  const auto ambiguous = run_in(project, db, {"migrate", "--target", "module-mgmt:3"});
  CHECK(ambiguous.exit_code == 2);
  CHECK_MESSAGE(contains(ambiguous.err, "several migrations match"), ambiguous.err);
}

TEST_CASE("modules: configuration and layout errors name what is wrong") {
  TestDatabase db;
  ProjectCopy project;
  auto write = [&](const std::string& relative, const std::string& text) {
    std::ofstream(project.path() / relative) << text;
  };
  SUBCASE("a glob that matches nothing") {
    write("cora-migrate.toml", "modules = [\"libs/*\"]\n");
    const auto r = run_in(project, db, {"status"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "cora-migrate.toml:1: modules glob \"libs/*\" matches no folder"), r.err);
  }
  SUBCASE("a dependency cycle") {
    write("cora-migrate.toml",
          "modules = [\"packages/*\"]\n[module.module-access]\ndepends_on = [\"module-ws\"]\n"
          "[module.module-ws]\ndepends_on = [\"module-access\"]\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "cycle: module-access -> module-ws -> module-access"), r.err);
  }
  SUBCASE("files without a number: all of them in one error") {
    write("packages/module-ws/db/schema/add-score.sql", "SELECT 1;\n");
    write("packages/module-ws/db/schema/fix-things.sql", "SELECT 1;\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 4);
    CHECK_MESSAGE(contains(r.err, "add-score.sql"), r.err);
    CHECK_MESSAGE(contains(r.err, "fix-things.sql"), r.err);
    CHECK(contains(r.err, "2 files without a version"));
  }
  SUBCASE("SQL files only in subfolders") {
    std::filesystem::create_directories(project.path() / "packages/module-ws/db/migrations/2026");
    write("packages/module-ws/db/migrations/2026/20260101_x.sql", "SELECT 1;\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 4);
    CHECK_MESSAGE(contains(r.err, "holds no .sql file itself, only in subfolders"), r.err);
  }
  SUBCASE("strict_versions refuses files sharing a version") {
    write("cora-migrate.toml", "modules = [\"packages/*\"]\nstrict_versions = true\n[module.module-chat]\ndepends_on = [\"module-mgmt\"]\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 4);
    CHECK_MESSAGE(contains(r.err, "both have version 3"), r.err);
  }
  SUBCASE("a disabled module is left out, and its dependants say so") {
    write("cora-migrate.toml",
          "modules = [\"packages/*\"]\nmodule_registry = \"templates/module-registry.yaml\"\n"
          "[module.module-chat]\ndepends_on = [\"module-mgmt\"]\n[module.module-mgmt]\nenabled = false\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 8);
    CHECK_MESSAGE(contains(r.err, "module module-chat needs module-mgmt, which this database does not have (it is disabled"), r.err);
  }
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
}

TEST_CASE("modules: diff builds the expected schema from every module, as migrate applies them") {
  TestDatabase db;
  ProjectCopy project;
  // diff builds on the embedded cluster: the tests' own, not one of its own in the copy.
  const auto& cluster = test_cluster();
  std::ofstream(project.path() / "cora-migrate.toml", std::ios::app)
      << "[local]\ndata_dir = \"" << cluster.requested_root().value_or(cluster.root()).string() << "\"\n";
  REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
  const auto clean = run_in(project, db, {"diff"});
  CHECK_MESSAGE(clean.exit_code == 0, clean.out, clean.err);
  db.connect()->execute_script(
      "CREATE OR REPLACE FUNCTION public.is_sys_admin(p_user bigint) RETURNS boolean LANGUAGE sql STABLE "
      "SET search_path = public AS $$ SELECT true $$");
  const auto drift = run_in(project, db, {"diff"});
  CHECK(drift.exit_code == 15);
  CHECK_MESSAGE(contains(drift.out, "is_sys_admin"), drift.out);
  CHECK_MESSAGE(contains(drift.out, "--reapply module-mgmt:001-mgmt-roles --force"), drift.out);
  const auto fixed = run_in(project, db, {"migrate", "--reapply", "module-mgmt:001-mgmt-roles", "--force"});
  CHECK_MESSAGE(fixed.exit_code == 0, fixed.err);
  CHECK(run_in(project, db, {"diff"}).exit_code == 0);
}
