// A CORA project as it is: packages/module-*/db/schema/ snapshots and db/migrations/ deltas in
// every module, numbered from 000 in each, in dependency order. The fixture in
// tests/fixtures/cora-project has the toolkit's shape with SQL of our own.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// A copy of a fixture project in a scratch folder, so a test may edit it.
struct ProjectCopy {
  ScratchDir dir;
  explicit ProjectCopy(const std::string& fixture = "cora-project") {
    std::filesystem::copy(source_dir() / "tests" / "fixtures" / fixture, dir.path(),
                          std::filesystem::copy_options::recursive);
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
  return db.scalar(
      "SELECT string_agg(module || ':' || version || '-' || name || ':' || action, ' ' ORDER BY id) "
      "FROM cora_migrate.schema_history WHERE " +
      where);
}

void write_file(const ProjectCopy& project, const std::string& relative, const std::string& text) {
  std::filesystem::create_directories((project.path() / relative).parent_path());
  std::ofstream(project.path() / relative) << text;
}

// The registry's dependencies only: chat's use of mgmt's is_sys_admin() is declared nowhere.
const char* kConfigWithoutChatDependency =
    "modules = [\"packages/*\"]\nmodule_registry = \"templates/module-registry.yaml\"\n";

// A ws function that reads mgmt's table and calls mgmt's function; ws depends on access only.
void add_ws_report(const ProjectCopy& project) {
  write_file(project, "packages/module-ws/db/schema/002-ws-report.sql",
             "CREATE OR REPLACE FUNCTION public.ws_usage_total(p_user bigint) RETURNS bigint\n"
             "LANGUAGE plpgsql STABLE SET search_path = public AS $$\n"
             "BEGIN\n"
             "  IF NOT public.is_sys_admin(p_user) THEN\n"
             "    RETURN 0;\n"
             "  END IF;\n"
             "  RETURN (SELECT sum(uses) FROM public.mgmt_usage);\n"
             "END $$;\n");
}

// The way a CORA project is installed by hand: every module's schema files pasted into psql, in order.
void paste_with_psql(const ProjectCopy& project, const TestDatabase& db, const std::vector<std::string>& modules) {
  for (const auto& module : modules) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(project.path() / "packages" / module / "db/schema")) {
      if (entry.path().extension() == ".sql") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) db.run_psql_file(file);
  }
}

}  // namespace

TEST_CASE(
    "modules: a fresh install applies every module's snapshot in dependency order and records its deltas as included") {
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

  // verify reads the project once: each of its warnings is said once.
  const auto verified = run_in(project, db, {"verify"});
  const std::string shared = "003-mgmt-usage.sql: shares version 003";
  const auto first = verified.err.find(shared);
  CHECK_MESSAGE(first != std::string::npos, verified.err);
  CHECK_MESSAGE(verified.err.find(shared, first + 1) == std::string::npos, verified.err);

  const auto status = run_in(project, db, {"status", "--format", "json"});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "\"module\": \"module-chat\""));
  CHECK(contains(status.out, "\"role\": \"included\""));
  CHECK(contains(status.out, "\"role\": \"snapshot\""));
}

TEST_CASE("modules: an old database is upgraded by its deltas in date order, then its changed schema files run again") {
  TestDatabase db;
  ProjectCopy project("cora-project-old");
  REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
  db.connect()->execute_script(
      "INSERT INTO public.app_users VALUES (1, 'a@example.com');"
      "INSERT INTO public.profiles VALUES (1, 'Ann')");
  project.replace_with("cora-project");

  const auto status = run_in(project, db, {"status"});
  CHECK_MESSAGE(contains(status.out, "next: re-run (changed)"), status.out);
  // status: each file's role and what the next migrate does with it; --dry-run prints it in order.
  CHECK_MESSAGE(contains(status.out, "20251220103900  rename-profiles  delta     pending   -  next: apply"),
                status.out);
  CHECK(contains(status.out, "20260101        usage-index      delta     pending   -  next: record as included"));
  const auto dry = run_in(project, db, {"migrate", "--dry-run"});
  CHECK(dry.exit_code == 0);
  const auto rename_at = dry.out.find("-- module-access:20251220103900_rename-profiles.sql");
  const auto avatar_at = dry.out.find("-- module-access:20260113_profile-avatar.sql");
  const auto reapply_at = dry.out.find("-- re-apply module-access:000-base.sql");
  CHECK_MESSAGE((rename_at < avatar_at && avatar_at < reapply_at && reapply_at != std::string::npos), dry.out);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "2");
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
      "CREATE TABLE cora_migrate.schema_history (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, version bigint "
      "NOT NULL,"
      " name text NOT NULL, checksum text NOT NULL, state text NOT NULL, action text NOT NULL,"
      " is_current boolean NOT NULL DEFAULT true, applied_at timestamptz NOT NULL DEFAULT now(),"
      " applied_by text NOT NULL DEFAULT current_user, client text, duration_ms integer, tool_version text NOT NULL,"
      " backend_pid integer, backend_start timestamptz, error text);"
      "CREATE UNIQUE INDEX schema_history_current_version ON cora_migrate.schema_history (version) WHERE is_current;"
      "CREATE TABLE a (id int);"
      "INSERT INTO cora_migrate.schema_history (version, name, checksum, state, action, tool_version) VALUES "
      "(1, 'a', encode(sha256(convert_to('CREATE TABLE a (id int);' || chr(10), 'UTF8')), 'hex'), 'applied', 'apply', "
      "'0.1.0')");
  const auto args =
      std::vector<std::string>{"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string()};
  auto with = [&](std::vector<std::string> rest) {
    auto a = args;
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  };
  const auto status = run_cli(with({"status", "--format", "json"}));
  CHECK_MESSAGE(status.exit_code == 0, status.err);
  CHECK(contains(status.out, "\"state\": \"applied\""));
  const auto result = run_cli(with({"migrate"}));
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  CHECK(db.scalar("SELECT string_agg(module || ':' || version || ':' || tool_version, ',' ORDER BY id) FROM "
                  "cora_migrate.schema_history") ==
        fmt::format(":1:0.1.0,:2:{}", db.scalar("SELECT tool_version FROM "
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
  CHECK_MESSAGE(contains(refused.err,
                         "001-ws.sql:2: TRUNCATE: the schema file changed, and running it again would destroy data"),
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
  CHECK_MESSAGE(contains(refused.err, "module module-ws needs module-access, which this database does not have"),
                refused.err);
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
  const auto two = run_in(project, db, {"migrate", "--module", "module-access,module-ws"});
  CHECK_MESSAGE(two.exit_code == 0, two.err);
  CHECK(db.scalar("SELECT string_agg(DISTINCT module, ',') FROM cora_migrate.schema_history") ==
        "module-access,module-ws");
  const auto unknown = run_in(project, db, {"status", "--module", "module-nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "--module module-nope: no such module"));
}

TEST_CASE("modules: selectors name a migration as MODULE:VERSION or MODULE:FILE-NAME") {
  TestDatabase db;
  ProjectCopy project;
  const auto target = run_in(project, db, {"migrate", "--to", "module-mgmt:001-mgmt-roles"});
  REQUIRE_MESSAGE(target.exit_code == 0, target.err);
  CHECK(
      db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module = 'module-mgmt' AND action = 'apply'") ==
      "1");
  const auto ambiguous = run_in(project, db, {"migrate", "--to", "module-mgmt:3"});
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
  SUBCASE("a dependency cycle the files do not settle") {
    write("cora-migrate.toml",
          "modules = [\"packages/*\"]\n[module.module-chat]\ndepends_on = [\"module-ws\"]\n"
          "[module.module-ws]\ndepends_on = [\"module-chat\"]\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "cycle: module-chat -> module-ws -> module-chat"), r.err);
  }
  SUBCASE("a dependency cycle the files settle: the declared dependency they contradict is left out") {
    write("cora-migrate.toml",
          "modules = [\"packages/*\"]\n[module.module-access]\ndepends_on = [\"module-ws\"]\n"
          "[module.module-ws]\ndepends_on = [\"module-access\"]\n");
    const auto r = run_in(project, db, {"status"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(contains(r.err, "module module-access is declared to depend on module-ws"), r.err);
  }
  SUBCASE("a dependency on a module no glob found") {
    write("cora-migrate.toml", "modules = [\"packages/*\"]\n[module.module-ws]\ndepends_on = [\"module-billing\"]\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "module module-ws depends on module-billing, which no modules glob found"), r.err);
  }
  SUBCASE("[module.NAME] for a folder that is no module") {
    write("cora-migrate.toml", "modules = [\"packages/*\"]\n[module.module-nope]\nenabled = false\n");
    const auto r = run_in(project, db, {"status"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "[module.module-nope] names no module the modules globs found"), r.err);
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
    write("cora-migrate.toml",
          "modules = [\"packages/*\"]\nstrict_versions = true\n[module.module-chat]\ndepends_on = [\"module-mgmt\"]\n");
    const auto r = run_in(project, db, {"migrate"});
    CHECK(r.exit_code == 4);
    CHECK_MESSAGE(contains(r.err, "both have version 3"), r.err);
  }
  SUBCASE("a disabled module is left out, and its dependants say so") {
    write("cora-migrate.toml",
          "modules = [\"packages/*\"]\nmodule_registry = \"templates/module-registry.yaml\"\n"
          "[module.module-chat]\ndepends_on = [\"module-mgmt\"]\n[module.module-mgmt]\nenabled = false\n");
    const auto r = run_in(project, db, {"migrate", "--all-or-nothing"});
    CHECK(r.exit_code == 8);
    CHECK_MESSAGE(contains(r.err,
                           "module module-chat needs module-mgmt, which this database does not have (it is disabled"),
                  r.err);
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

TEST_CASE(
    "modules: lint finds a module using another module's function without depends_on (the registry forgets chat -> "
    "mgmt)") {
  ProjectCopy project;
  CliOptions options;
  options.cwd = project.path();
  // As the fixture declares it: no finding.
  const auto declared = run_cli({"lint"}, options);
  CHECK_MESSAGE(!contains(declared.out, "undeclared_module_dependency"), declared.out);

  write_file(project, "cora-migrate.toml", kConfigWithoutChatDependency);
  const auto found = run_cli({"lint"}, options);
  CHECK_MESSAGE(found.exit_code == 13, found.out, found.err);
  CHECK_MESSAGE(contains(unwrapped(found.out),
                         "packages/module-chat/db/schema/001-chat.sql:5: warning[undeclared_module_dependency]: "
                         "module-chat uses function public.is_sys_admin, which module module-mgmt creates ("),
                found.out);
  CHECK_MESSAGE(contains(unwrapped(found.out),
                         "packages/module-mgmt/db/schema/001-mgmt-roles.sql:2), but module-chat does not depend on "
                         "module-mgmt"),
                found.out);
  CHECK(contains(unwrapped(found.out), "add \"module-mgmt\" to depends_on in [module.module-chat]"));
  // --module leaves mgmt out of the run, not out of what is known to create what.
  const auto one = run_cli({"lint", "--module", "module-chat"}, options);
  CHECK_MESSAGE(contains(one.out, "001-chat.sql:5: warning[undeclared_module_dependency]"), one.out);

  SUBCASE("[lints] switches it off") {
    std::ofstream(project.path() / "cora-migrate.toml", std::ios::app)
        << "[lints]\nundeclared_module_dependency = \"off\"\n";
    const auto off = run_cli({"lint"}, options);
    CHECK_MESSAGE(!contains(off.out, "undeclared_module_dependency"), off.out);
    CHECK(contains(run_cli({"lints"}, options).out, "undeclared_module_dependency"));
  }
  SUBCASE("[lints] makes it an error") {
    std::ofstream(project.path() / "cora-migrate.toml", std::ios::app)
        << "[lints]\nundeclared_module_dependency = \"error\"\n";
    const auto error = run_cli({"lint"}, options);
    CHECK(error.exit_code == 4);
    CHECK_MESSAGE(contains(error.out, "001-chat.sql:5: error[undeclared_module_dependency]"), error.out);
    const auto lints = run_cli({"lints"}, options);
    CHECK_MESSAGE(contains(lints.out, "undeclared_module_dependency"), lints.out);
    CHECK(contains(lints.out, "error    warning"));
  }
}

TEST_CASE(
    "modules: verify names the module and file that create what a function body names, and whether it is disabled or "
    "missing") {
  TestDatabase db;
  ProjectCopy project;
  add_ws_report(project);
  write_file(project, "cora-migrate.toml",
             std::string(kConfigWithoutChatDependency) +
                 "[module.module-chat]\nenabled = false\n[module.module-mgmt]\nenabled = false\n");
  const auto installed = run_in(project, db, {"migrate"});
  REQUIRE_MESSAGE(installed.exit_code == 0, installed.err);
  // migrate's lint stage: ws uses mgmt's table and function, and does not depend on mgmt.
  CHECK_MESSAGE(contains(unwrapped(installed.err),
                         "002-ws-report.sql:4: warning[undeclared_module_dependency]: module-ws uses function "
                         "public.is_sys_admin inside a function body, which module module-mgmt creates"),
                installed.err);
  CHECK_MESSAGE(contains(unwrapped(installed.err),
                         "002-ws-report.sql:7: warning[undeclared_module_dependency]: module-ws uses table "
                         "public.mgmt_usage inside a function body"),
                installed.err);

  const auto disabled = run_in(project, db, {"verify", "--format", "json"});
  CHECK(disabled.exit_code == 11);
  CHECK_MESSAGE(contains(disabled.out, "public.mgmt_usage does not exist; module module-mgmt creates it ("),
                disabled.out);
  CHECK_MESSAGE(contains(disabled.out,
                         "packages/module-mgmt/db/schema/003-mgmt-usage.sql:1), and that module is disabled: "
                         "enabled = false in [module.module-mgmt]"),
                disabled.out);
  CHECK(contains(disabled.out, "public.is_sys_admin does not exist; module module-mgmt creates it ("));
  CHECK(contains(disabled.out, "enable module-mgmt (drop enabled = false from [module.module-mgmt])"));
  CHECK_MESSAGE(!contains(disabled.out, "re-apply the migration that defines public.ws_usage_total"), disabled.out);
  // verify's lint stage reports the files' cross-module use as the other lints are.
  CHECK(contains(disabled.out, "\"lint:undeclared_module_dependency\""));

  write_file(project, "cora-migrate.toml",
             std::string(kConfigWithoutChatDependency) + "[module.module-chat]\nenabled = false\n");
  const auto missing = run_in(project, db, {"verify", "--format", "json"});
  CHECK(missing.exit_code == 11);
  CHECK_MESSAGE(contains(missing.out,
                         "003-mgmt-usage.sql:1), and that module is missing: this database does not have it"),
                missing.out);
  CHECK(contains(missing.out, "install module-mgmt: `cora-migrate migrate --module module-mgmt`"));

  // Installed, the names resolve: no finding about them is left.
  REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
  const auto resolved = run_in(project, db, {"verify", "--format", "json"});
  CHECK_MESSAGE(!contains(resolved.out, "does not exist"), resolved.out);
}

TEST_CASE("modules: adopt on a database built by pasting every module's schema files with psql") {
  TestDatabase db;
  ProjectCopy project;
  // The fixture's tables are not meant for the Data API: RLS on every one is not what this tests.
  std::ofstream(project.path() / "cora-migrate.toml", std::ios::app)
      << "[lints]\nrls_disabled_in_public = \"off\"\nno_primary_key = \"off\"\n"
      << test_cluster_local_settings();

  SUBCASE("every module's objects exist and pass: all adopted, module by module, deltas included") {
    paste_with_psql(project, db, {"module-access", "module-mgmt", "module-chat", "module-ws"});
    const auto r = run_in(project, db, {"adopt"});
    CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
    CHECK(contains(r.out, "adopted module-chat:001-chat.sql ("));
    CHECK(history(db, "is_current AND action = 'adopt'") ==
          "module-access:0-base:adopt module-access:1-profiles:adopt module-mgmt:1-mgmt-roles:adopt "
          "module-mgmt:3-mgmt-modules:adopt module-mgmt:3-mgmt-usage:adopt module-chat:1-chat:adopt "
          "module-ws:1-ws:adopt");
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE action = 'included'") == "4");
    CHECK(contains(run_in(project, db, {"migrate"}).out, "Nothing to apply"));
  }

  SUBCASE("an object missing, and an effect undone with the lint that follows from it, each at its line") {
    // ws was never pasted; chat was, and then its row level security was switched off by hand
    // (to adopt, the same as its ENABLE never having run).
    paste_with_psql(project, db, {"module-access", "module-mgmt", "module-chat"});
    db.connect()->execute_script("ALTER TABLE public.chat_messages DISABLE ROW LEVEL SECURITY");
    const auto r = run_in(project, db, {"adopt"});
    CHECK(r.exit_code == 11);
    CHECK_MESSAGE(contains(r.out, "not adopted module-ws:001-ws.sql:\n  not in the live schema"), r.out);
    CHECK(contains(r.out, "packages/module-ws/db/schema/001-ws.sql:1: table public.ws_members does not exist"));
    CHECK(contains(r.out, "not adopted module-chat:001-chat.sql:\n  not in the live schema"));
    CHECK(contains(r.out,
                   "packages/module-chat/db/schema/001-chat.sql:2: table public.chat_messages: row level "
                   "security is disabled, the file makes it enabled"));
    CHECK(contains(r.out, "  a check or lint fails as well:"));
    CHECK_MESSAGE(contains(r.out, "lint:policy_on_rls_disabled_table public.chat_messages chat_admins"), r.out);
    CHECK(!contains(r.out, "it ran, then changed"));
    // The modules whose objects are there are adopted all the same.
    CHECK(history(db, "is_current AND action = 'adopt'") ==
          "module-access:0-base:adopt module-access:1-profiles:adopt module-mgmt:1-mgmt-roles:adopt "
          "module-mgmt:3-mgmt-modules:adopt module-mgmt:3-mgmt-usage:adopt");
  }
}

TEST_CASE("modules: a run stops at the first failure across all modules; what ran before it stays recorded") {
  TestDatabase db;
  ProjectCopy project;
  {
    std::ofstream out(project.path() / "packages/module-chat/db/schema/001-chat.sql", std::ios::app);
    out << "SELECT 1 / 0;\n";
  }
  const auto r = run_in(project, db, {"migrate"});
  CHECK(r.exit_code == 6);
  CHECK_MESSAGE(contains(r.err, "001-chat.sql"), r.err);
  CHECK(db.scalar("SELECT string_agg(DISTINCT module, ',') FROM cora_migrate.schema_history") ==
        "module-access,module-mgmt");
  CHECK(db.scalar("SELECT to_regclass('public.chat_messages') IS NULL AND to_regclass('public.ws_members') IS NULL") ==
        "t");
}

TEST_CASE("modules: a delta wrapped in BEGIN; ... COMMIT; runs as its own transaction") {
  TestDatabase db;
  ProjectCopy project;
  REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
  write_file(project, "packages/module-mgmt/db/migrations/20260201_wrapped-bad.sql",
             "BEGIN;\nCREATE TABLE public.mgmt_half (id int);\nSELECT 1 / 0;\nCOMMIT;\n");
  const auto failed = run_in(project, db, {"migrate"});
  CHECK(failed.exit_code == 6);
  CHECK(db.scalar("SELECT to_regclass('public.mgmt_half') IS NULL") == "t");
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE name = 'wrapped-bad'") == "0");

  write_file(project, "packages/module-mgmt/db/migrations/20260201_wrapped-bad.sql",
             "BEGIN;\nCREATE TABLE public.mgmt_half (id int);\nCOMMIT;\n");
  const auto applied = run_in(project, db, {"migrate"});
  CHECK_MESSAGE(applied.exit_code == 0, applied.err);
  CHECK(db.scalar("SELECT to_regclass('public.mgmt_half') IS NOT NULL") == "t");
  CHECK(history(db, "name = 'wrapped-bad'") == "module-mgmt:20260201-wrapped-bad:apply");

  // Any other transaction control stays an error, naming the file.
  write_file(project, "packages/module-mgmt/db/migrations/20260202_commit-midway.sql",
             "BEGIN;\nCREATE TABLE public.mgmt_x (id int);\nCOMMIT;\nCREATE TABLE public.mgmt_y (id int);\n");
  const auto refused = run_in(project, db, {"migrate"});
  CHECK(refused.exit_code == 4);
  CHECK_MESSAGE(contains(refused.err, "20260202_commit-midway.sql"), refused.err);
}

TEST_CASE("modules: baseline and repair take MODULE:VERSION") {
  ProjectCopy project;
  SUBCASE("baseline records every file up to it in run order, with the deltas its snapshots include") {
    TestDatabase db;
    const auto r = run_in(project, db, {"baseline", "module-mgmt:001"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "baselined module-mgmt:001-mgmt-roles.sql (not run)"));
    CHECK(history(db, "true") ==
          "module-access:0-base:baseline module-access:1-audit-table:included "
          "module-access:20251220103900-rename-profiles:included "
          "module-access:20260113-profile-avatar:included module-access:1-profiles:baseline "
          "module-mgmt:1-mgmt-roles:baseline "
          "module-mgmt:20260101-usage-index:included");
    CHECK(db.scalar("SELECT to_regclass('public.sys_admins') IS NULL") == "t");  // recorded, not run
  }
  SUBCASE("repair clears a module's dirty transaction=false delta") {
    TestDatabase db;
    REQUIRE(run_in(project, db, {"migrate"}).exit_code == 0);
    write_file(
        project, "packages/module-ws/db/migrations/20260301_ws-index.sql",
        "-- cora-migrate: transaction=false\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ws_members_user ON public.ws_members (user_id);\nSELECT 1 / 0;\n");
    CHECK(run_in(project, db, {"migrate"}).exit_code == 6);
    CHECK(
        db.scalar("SELECT state FROM cora_migrate.schema_history WHERE module = 'module-ws' AND version = 20260301") ==
        "running");
    CHECK(run_in(project, db, {"migrate"}).exit_code == 8);  // dirty: refused until repaired
    const auto repaired = run_in(project, db, {"repair", "module-ws:20260301"});
    CHECK_MESSAGE(repaired.exit_code == 0, repaired.err);
    CHECK(contains(repaired.out, "repaired module-ws:20260301: pending again"));
    write_file(project, "packages/module-ws/db/migrations/20260301_ws-index.sql",
               "-- cora-migrate: transaction=false\n"
               "CREATE INDEX CONCURRENTLY IF NOT EXISTS ws_members_user ON public.ws_members (user_id);\n");
    const auto again = run_in(project, db, {"migrate"});
    CHECK_MESSAGE(again.exit_code == 0, again.err);
    CHECK(history(db, "module = 'module-ws' AND version = 20260301 AND is_current") ==
          "module-ws:20260301-ws-index:apply");
  }
}
