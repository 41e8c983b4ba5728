// A CORA project with the real one's shape (tests/fixtures/cora-real-project): nine modules
// numbered from 000 each, the toolkit's registry with mapping dependencies (and one it forgets),
// unnumbered, .bak and archive/ files, a forward reference, an extension the server lacks and a
// delta that defines an object differently. Everything through the built binary, from zero.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

struct RealProject {
  ScratchDir dir;
  RealProject() {
    std::filesystem::copy(source_dir() / "tests" / "fixtures" / "cora-real-project", dir.path(),
                          std::filesystem::copy_options::recursive);
  }
  std::filesystem::path path() const { return dir.path(); }
  void write(const std::string& relative, const std::string& text) const {
    std::filesystem::create_directories((dir.path() / relative).parent_path());
    std::ofstream(dir.path() / relative) << text;
  }
  void append_config(const std::string& text) const {
    std::ofstream(dir.path() / "cora-migrate.toml", std::ios::app) << text;
  }
};

CliResult run_real(const RealProject& project, const TestDatabase& db, std::vector<std::string> args) {
  args.insert(args.begin(), {"--database-url", db.conninfo()});
  CliOptions options;
  options.cwd = project.path();
  return run_cli(args, options);
}

std::string real_history(const TestDatabase& db, const std::string& where) {
  return db.scalar(
      "SELECT string_agg(module || ':' || version || '-' || name, ' ' ORDER BY id) "
      "FROM cora_migrate.schema_history WHERE is_current AND " +
      where);
}

bool nothing_ran(const TestDatabase& db) {
  return db.scalar(
             "SELECT to_regclass('cora_migrate.schema_history') IS NULL AND "
             "to_regclass('public.user_profiles') IS NULL") == "t";
}

// What cannot run from zero here: kb (extension vector), voice (needs kb), eval-studio (its
// forward reference).
const char* kLeaveOutTheThree =
    "[module.module-kb]\nenabled = false\n[module.module-voice]\nenabled = false\n"
    "[module.module-eval-studio]\nenabled = false\n";

// The 13 files of the six modules that can run from zero, in the order the files need.
const char* kAppliedFromZero =
    "module-access:0-access-profiles module-access:1-access-orgs module-access:2-access-rpcs "
    "module-ai:0-ai-providers module-ai:1-ai-models module-ai:3-ai-log-error module-ai:3-ai-validation-history "
    "module-mgmt:0-mgmt-cfg module-mgmt:3-mgmt-cfg-org-modules module-mgmt:3-mgmt-usage-modules "
    "module-ws:0-ws-core module-ws:1-ws-members module-chat:0-chat-sessions module-chat:1-chat-rls "
    "module-eval:0-eval-cfg module-eval:1-eval-runs";

const char* kKbSkipped =
    "warning: skipping module module-kb: packages/module-kb/db/schema/000-kb-extensions.sql:1: creates extension "
    "vector, which this server does not offer (pg_available_extensions); to apply it: install the extension's "
    "package on the server";
const char* kVoiceSkipped =
    "warning: skipping module module-voice: it needs module-kb (module-voice -> module-kb), which cannot run: "
    "packages/module-kb/db/schema/000-kb-extensions.sql:1: creates extension vector";
const char* kEvalStudioSkipped =
    "warning: skipping module module-eval-studio: packages/module-eval-studio/db/schema/001-es-items.sql:4: uses "
    "table public.es_sets, which only a later file of module-eval-studio creates "
    "(packages/module-eval-studio/db/schema/003-es-sets.sql:1): on a database built from zero this file fails; to "
    "apply it: renumber 003-es-sets.sql to run before 001-es-items.sql";

}  // namespace

TEST_CASE("real project: from zero with no configuration, what can run does; what cannot is said before, exit 19") {
  TestDatabase db;
  RealProject project;
  SUBCASE("the dry run says the same and changes nothing") {
    const auto dry = run_real(project, db, {"migrate", "--dry-run"});
    CHECK(dry.exit_code == 19);
    const auto err = unwrapped(dry.err);
    CHECK_MESSAGE(contains(err, kKbSkipped), err);
    CHECK_MESSAGE(contains(err, kVoiceSkipped), err);
    CHECK_MESSAGE(contains(err, kEvalStudioSkipped), err);
    CHECK_MESSAGE(contains(err,
                           "3 modules skipped (module-eval-studio, module-kb, module-voice, said before the run); "
                           "the rest would be applied"),
                  err);
    CHECK_MESSAGE(!contains(dry.out, "000-kb-extensions.sql"), dry.out);
    CHECK_MESSAGE(contains(dry.out, "000-eval-cfg.sql"), dry.out);
    CHECK(nothing_ran(db));
  }
  SUBCASE("the run applies the rest, and exits 19 every time until they can run") {
    const auto r = run_real(project, db, {"migrate"});
    CHECK_MESSAGE(r.exit_code == 19, r.out, r.err);
    const auto err = unwrapped(r.err);
    // One line each, said before the first file was applied ("Applying" opens the run).
    for (const char* line : {kKbSkipped, kVoiceSkipped, kEvalStudioSkipped}) {
      CHECK_MESSAGE(contains(err, line), err);
      CHECK_MESSAGE(err.find(line) < err.find("Applying 16 migrations"), err);
    }
    CHECK_MESSAGE(occurrences(err, "skipping module") == 3, err);
    CHECK_MESSAGE(contains(err,
                           "error: 3 modules skipped (module-eval-studio, module-kb, module-voice, said before the "
                           "run); the rest was applied"),
                  err);
    // The forward reference is in the skip line only, not again as a lint finding.
    CHECK_MESSAGE(occurrences(err, "only a later file of module-eval-studio") == 1, err);
    CHECK(real_history(db, "action = 'apply'") == kAppliedFromZero);
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module IN ('module-kb', 'module-voice', "
                    "'module-eval-studio')") == "0");
    const auto again = run_real(project, db, {"migrate"});
    CHECK(again.exit_code == 19);
    CHECK_MESSAGE(contains(unwrapped(again.err), kKbSkipped), again.err);
    CHECK_MESSAGE(contains(again.out, "Nothing to apply"), again.out);
  }
  SUBCASE("--format json lists them, with each reason's file and line") {
    const auto r = run_real(project, db, {"migrate", "--format", "json"});
    CHECK(r.exit_code == 19);
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc["skipped_modules"].size() == 3);
    CHECK(doc["skipped_modules"][0]["module"] == "module-eval-studio");
    CHECK(doc["skipped_modules"][0]["reasons"][0]["line"] == 4);
    CHECK(doc["skipped_modules"][1]["module"] == "module-kb");
    CHECK(doc["skipped_modules"][1]["chain"].is_null());
    CHECK(doc["skipped_modules"][1]["reasons"][0]["file"] == "packages/module-kb/db/schema/000-kb-extensions.sql");
    CHECK(doc["skipped_modules"][1]["reasons"][0]["line"] == 1);
    CHECK(doc["skipped_modules"][2]["module"] == "module-voice");
    CHECK(doc["skipped_modules"][2]["chain"] == "module-voice -> module-kb");
    CHECK(doc["summary"]["applied"] == 16);
    CHECK_MESSAGE(contains(r.err, "3 modules skipped"), r.err);
  }
}

TEST_CASE("real project: --all-or-nothing refuses before anything runs, naming every module that cannot run") {
  TestDatabase db;
  RealProject project;
  const auto r = run_real(project, db, {"migrate", "--all-or-nothing"});
  CHECK(r.exit_code == 4);
  const auto err = unwrapped(r.err);
  // The extension the server lacks: module, file:line, and the keys that leave out kb and voice.
  CHECK_MESSAGE(contains(err,
                         "packages/module-kb/db/schema/000-kb-extensions.sql:1: module module-kb creates "
                         "extension vector, which this server does not offer (pg_available_extensions): "
                         "install the extension's package on the server, or leave out the module and its "
                         "dependants in cora-migrate.toml: [module.module-kb] enabled = false, "
                         "[module.module-voice] enabled = false"),
                err);
  // The forward reference inside eval-studio, at the use, naming the file that creates it.
  CHECK_MESSAGE(contains(err,
                         "packages/module-eval-studio/db/schema/001-es-items.sql:4: uses table public.es_sets, which "
                         "only a later file of module-eval-studio creates ("),
                err);
  CHECK_MESSAGE(contains(err,
                         "packages/module-eval-studio/db/schema/003-es-sets.sql:1): on a database built from "
                         "zero this file fails"),
                err);
  CHECK(nothing_ran(db));

  SUBCASE("the forward reference fixed by config: the extension alone refuses the run") {
    project.append_config("[module.module-eval-studio]\nenabled = false\n");
    const auto ext = run_real(project, db, {"migrate", "--all-or-nothing"});
    CHECK(ext.exit_code == 8);
    CHECK_MESSAGE(contains(ext.err, "an extension the files create is not on this server"), ext.err);
    CHECK(nothing_ran(db));
  }
  SUBCASE("a disabled module's dependants: the chain and the keys") {
    project.append_config("[module.module-kb]\nenabled = false\n[module.module-eval-studio]\nenabled = false\n");
    const auto chain = run_real(project, db, {"migrate", "--all-or-nothing"});
    CHECK(chain.exit_code == 8);
    CHECK_MESSAGE(contains(unwrapped(chain.err),
                           "module module-voice needs module-kb, which this database does not have (it is "
                           "disabled: [module.module-kb] enabled = false in cora-migrate.toml): module-voice -> "
                           "module-kb"),
                  chain.err);
    CHECK_MESSAGE(contains(unwrapped(chain.err), "leave out what needs it too: [module.module-voice] enabled = false"),
                  chain.err);
    CHECK_MESSAGE(!contains(chain.err, "--module"), chain.err);
    CHECK(nothing_ran(db));
  }
}

TEST_CASE("real project: a disabled module's dependants are skipped by default, with the chain and the key") {
  TestDatabase db;
  RealProject project;
  project.append_config("[module.module-kb]\nenabled = false\n[module.module-eval-studio]\nenabled = false\n");
  const auto r = run_real(project, db, {"migrate"});
  CHECK_MESSAGE(r.exit_code == 19, r.err);
  CHECK_MESSAGE(contains(unwrapped(r.err),
                         "warning: skipping module module-voice: it needs module-kb (module-voice -> module-kb), "
                         "which is disabled ([module.module-kb] enabled = false in cora-migrate.toml); to leave it "
                         "out too: [module.module-voice] enabled = false"),
                r.err);
  CHECK_MESSAGE(occurrences(r.err, "skipping module") == 1, r.err);
  CHECK(real_history(db, "action = 'apply'") == kAppliedFromZero);
  // Leaving out what the lines name makes the run green.
  project.append_config("[module.module-voice]\nenabled = false\n");
  const auto green = run_real(project, db, {"migrate"});
  CHECK_MESSAGE(green.exit_code == 0, green.err);
}

TEST_CASE(
    "real project: a required dependency on a module that cannot run skips its dependants; an optional does not") {
  TestDatabase db;
  RealProject project;
  project.append_config("[module.module-eval-studio]\nenabled = false\n");
  const std::string registry = "templates/_modules-core/module-registry.yaml";
  std::string text;
  {
    std::ifstream in(project.path() / registry);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string mgmt = "  module-mgmt:\n    type: core\n    dependencies:\n      - module-access\n";
  REQUIRE(contains(text, mgmt));
  SUBCASE("optional") {
    project.write(registry, text.replace(text.find(mgmt), mgmt.size(),
                                         mgmt + "      - module: module-kb\n        type: optional\n"));
    const auto r = run_real(project, db, {"migrate"});
    CHECK(r.exit_code == 19);
    CHECK_MESSAGE(occurrences(r.err, "skipping module") == 2, r.err);  // kb and voice
    CHECK_MESSAGE(!contains(r.err, "skipping module module-mgmt"), r.err);
    // mgmt is ordered after kb's place, and runs.
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE action = 'apply'") == "16");
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module = 'module-mgmt'") == "4");
  }
  SUBCASE("required") {
    project.write(registry, text.replace(text.find(mgmt), mgmt.size(),
                                         mgmt + "      - module: module-kb\n        type: required\n"));
    const auto r = run_real(project, db, {"migrate"});
    CHECK(r.exit_code == 19);
    const auto err = unwrapped(r.err);
    CHECK_MESSAGE(contains(err, "skipping module module-mgmt: it needs module-kb (module-mgmt -> module-kb)"), err);
    // chat needs mgmt's function at creation time: skipped through it.
    CHECK_MESSAGE(contains(err,
                           "skipping module module-chat: it needs module-kb (module-chat -> module-mgmt -> "
                           "module-kb)"),
                  err);
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module IN ('module-mgmt', "
                    "'module-chat')") == "0");
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module = 'module-eval'") != "0");
  }
}

TEST_CASE("real project: on a Supabase target an extension off the allow-list is said before anything runs") {
  TestDatabase db;
  RealProject project;
  project.append_config(
      "[module.module-eval-studio]\nenabled = false\n[module.module-kb]\nenabled = false\n"
      "[module.module-voice]\nenabled = false\n");
  // pageinspect is on the server but neither trusted nor allow-listed; pgcrypto is allow-listed.
  project.write("packages/module-chat/db/schema/002-chat-ext.sql",
                "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;\n"
                "CREATE EXTENSION IF NOT EXISTS pageinspect;\n");
  // As the embedded cluster's postgres, no superuser, as migrations run on Supabase.
  std::vector<std::string> args{"--database-url", db.conninfo_as("postgres"), "migrate"};
  CliOptions options;
  options.cwd = project.path();
  const auto r = run_cli(args, options);
  CHECK_MESSAGE(r.exit_code == 19, r.out, r.err);
  const auto err = unwrapped(r.err);
  CHECK_MESSAGE(contains(err,
                         "warning: skipping module module-chat: packages/module-chat/db/schema/002-chat-ext.sql:2: "
                         "creates extension pageinspect, which the server offers but Supabase does not let the "
                         "migrations' role create: it is not on the allow-list (supautils.privileged_extensions) nor "
                         "trusted by PostgreSQL; to apply it: use an allow-listed extension instead"),
                err);
  CHECK_MESSAGE(occurrences(err, "skipping module") == 1, err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module = 'module-chat'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE module = 'module-ws'") == "2");

  SUBCASE("[target] kind = \"postgres\": no allow-list, the file runs (and fails as postgres would)") {
    std::string config;
    {
      std::ifstream in(project.path() / "cora-migrate.toml");
      config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    project.write("cora-migrate.toml", config + "[target]\nkind = \"postgres\"\n");
    const auto plain = run_cli(args, options);
    CHECK_MESSAGE(!contains(plain.err, "skipping module module-chat"), plain.err);
  }
}

TEST_CASE("real project: from zero, every module that can run does, in the order the files need") {
  TestDatabase db;
  RealProject project;
  project.append_config(kLeaveOutTheThree);
  const auto r = run_real(project, db, {"migrate"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.out, r.err);
  // chat needs mgmt's is_sys_admin() (the registry does not say so) and ws's workspaces; eval
  // needs ai and ws. Nothing in the config orders them.
  CHECK(real_history(db, "action = 'apply'") == kAppliedFromZero);
  // Deltas are recorded, never run; the unnumbered one is excluded, the .bak and archive/ never read.
  CHECK(real_history(db, "action = 'included'") ==
        "module-access:20251220103900-rename-profiles module-access:20260113-profile-role "
        "module-mgmt:20260101-sys-admin-by-role module-eval:20260208-eval-cfg-rename "
        "module-eval:20260208-eval-runs-score");
  CHECK(db.scalar("SELECT to_regclass('public.should_never_run_bak') IS NULL AND "
                  "to_regclass('public.should_never_run_archive') IS NULL") == "t");
  // The delta recorded as included did not redefine is_sys_admin: the schema file's body stands.
  CHECK(contains(db.scalar("SELECT prosrc FROM pg_proc WHERE proname = 'is_sys_admin'"), "user_profiles"));
  // access's function reads ws_members in its body only: shown as a run-time need, and the advice
  // never closes a cycle (ws needs access to be created).
  const auto err = unwrapped(r.err);
  CHECK_MESSAGE(contains(err,
                         "002-access-rpcs.sql:5: warning[undeclared_module_dependency]: module-access uses table "
                         "public.ws_members inside a function body, which module module-ws creates"),
                err);
  CHECK_MESSAGE(contains(err, "a run-time dependency"), err);
  CHECK_MESSAGE(contains(err, "do not add depends_on: module-ws needs module-access at creation time"), err);
  // chat's creation-time use of mgmt: ordered, and worth declaring.
  CHECK_MESSAGE(contains(err,
                         "001-chat-rls.sql:4: warning[undeclared_module_dependency]: module-chat uses function "
                         "public.is_sys_admin, which module module-mgmt creates"),
                err);
  CHECK_MESSAGE(contains(err, "add \"module-mgmt\" to depends_on in [module.module-chat]"), err);

  const auto again = run_real(project, db, {"migrate"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "Nothing to apply"));

  // mgmt's delta, recorded as included, defines is_sys_admin() with a pinned search_path; it
  // never ran: the finding about the function cites the schema file that did.
  const auto verified = run_real(project, db, {"verify"});
  const auto& out = verified.out;
  const auto finding = out.find("lint:function_search_path_mutable public.is_sys_admin(p_user_id bigint)");
  REQUIRE_MESSAGE(finding != std::string::npos, out);
  const std::string made_by =
      "    made by  module-mgmt: packages/module-mgmt/db/schema/003-mgmt-usage-modules.sql:1 (the statement that "
      "defines it)\n";
  CHECK_MESSAGE(out.compare(out.find('\n', finding) + 1, made_by.size(), made_by) == 0, out);
  CHECK_MESSAGE(!contains(out, "20260101_sys-admin-by-role.sql"), out);

  // diff cites the same file for the same object.
  db.connect()->execute_script("ALTER FUNCTION public.is_sys_admin(bigint) SET search_path = public");
  const auto drift = run_real(project, db, {"diff"});
  CHECK(drift.exit_code == 15);
  CHECK_MESSAGE(contains(drift.out, "packages/module-mgmt/db/schema/003-mgmt-usage-modules.sql:1"), drift.out);
  CHECK_MESSAGE(!contains(drift.out, "20260101_sys-admin-by-role.sql"), drift.out);
}

TEST_CASE("real project: a declared dependency the files contradict is reported and left out of the order") {
  TestDatabase db;
  RealProject project;
  // What following the toolkit's advice for access's body use would give: access after ws.
  project.append_config(std::string(kLeaveOutTheThree) + "[module.module-access]\ndepends_on = [\"module-ws\"]\n");
  const auto r = run_real(project, db, {"migrate"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(contains(unwrapped(r.err),
                         "module module-access is declared to depend on module-ws (depends_on or the module registry), "
                         "but the files say the opposite: packages/module-ws/db/schema/000-ws-core.sql:3 uses table "
                         "public.orgs (packages/module-access/db/schema/001-access-orgs.sql:1 creates it); "
                         "module-access runs first"),
                r.err);
  CHECK(db.scalar("SELECT min(module) FROM cora_migrate.schema_history WHERE id = (SELECT min(id) FROM "
                  "cora_migrate.schema_history WHERE action = 'apply')") == "module-access");
}

TEST_CASE("real project: modules whose files need each other at creation time are a cycle naming the uses") {
  TestDatabase db;
  RealProject project;
  project.append_config(kLeaveOutTheThree);
  project.write("packages/module-access/db/schema/003-access-default-ws.sql",
                "CREATE TABLE IF NOT EXISTS public.default_workspaces (\n"
                "  user_id bigint PRIMARY KEY REFERENCES public.user_profiles (id),\n"
                "  ws_id bigint REFERENCES public.workspaces (id)\n);\n");
  const auto r = run_real(project, db, {"status"});
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(contains(r.err, "modules depend on each other in a cycle"), r.err);
  CHECK_MESSAGE(contains(r.err,
                         "the files need each other at creation time: "
                         "packages/module-access/db/schema/003-access-default-ws.sql:3 uses table "
                         "public.workspaces (packages/module-ws/db/schema/000-ws-core.sql:1 creates it)"),
                r.err);
  CHECK_MESSAGE(contains(r.err, "packages/module-ws/db/schema/000-ws-core.sql:3 uses table public.orgs"), r.err);
  // Not a declared dependency the files contradict: they need each other.
  CHECK_MESSAGE(!contains(r.err, "is declared to depend on"), r.err);
}

TEST_CASE("real project: the registry as the toolkit writes it, and its errors at the line") {
  TestDatabase db;
  RealProject project;
  const std::string registry = "templates/_modules-core/module-registry.yaml";
  SUBCASE("mappings, names and an optional module the project lacks are read") {
    project.append_config(kLeaveOutTheThree);
    const auto r = run_real(project, db, {"status"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
  }
  SUBCASE("a dependency of another shape") {
    project.write(registry,
                  "modules:\n  module-access:\n    dependencies: []\n  module-ws:\n    dependencies:\n"
                  "      - [module-access]\n");
    const auto r = run_real(project, db, {"status"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "module-registry.yaml:6"), r.err);
    CHECK_MESSAGE(contains(r.err, "module-ws: a dependency must be a module name or a mapping with module: and type:"),
                  r.err);
  }
  SUBCASE("an unknown key or type in a mapping") {
    project.write(registry,
                  "modules:\n  module-ws:\n    dependencies:\n      - module: module-access\n"
                  "        type: sometimes\n");
    const auto r = run_real(project, db, {"status"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "module-registry.yaml:5"), r.err);
    CHECK_MESSAGE(contains(r.err, "has type \"sometimes\" (expected required or optional)"), r.err);
    project.write(registry, "modules:\n  module-ws:\n    dependencies:\n      - name: module-access\n");
    const auto key = run_real(project, db, {"status"});
    CHECK(key.exit_code == 3);
    CHECK_MESSAGE(contains(key.err, "module-registry.yaml:4"), key.err);
    CHECK_MESSAGE(contains(key.err, "unknown key \"name\" in a dependency"), key.err);
  }
  SUBCASE("a required module the project lacks") {
    project.write(registry,
                  "modules:\n  module-ws:\n    dependencies:\n      - module: module-billing\n"
                  "        type: required\n");
    const auto r = run_real(project, db, {"status"});
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(contains(r.err, "module-registry.yaml:4"), r.err);
    CHECK_MESSAGE(contains(r.err, "module module-ws requires module-billing, which no modules glob found"), r.err);
  }
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
}

TEST_CASE("real project: files without a number are one error, each with the exclude that leaves it out") {
  TestDatabase db;
  RealProject project;
  project.append_config(kLeaveOutTheThree);
  project.write("packages/module-ai/db/migrations/fix-models.sql", "SELECT 1;\n");
  project.write("packages/module-chat/db/schema/chat-seed.sql", "SELECT 1;\n");
  const auto r = run_real(project, db, {"migrate"});
  CHECK(r.exit_code == 4);
  const auto err = unwrapped(r.err);
  CHECK_MESSAGE(contains(err, "2 files without a version, so no place in the order: "), err);
  CHECK_MESSAGE(contains(err,
                         "packages/module-ai/db/migrations/fix-models.sql (leave it out: [module.module-ai] "
                         "exclude = [\"db/migrations/fix-models.sql\"])"),
                err);
  CHECK_MESSAGE(contains(err,
                         "packages/module-chat/db/schema/chat-seed.sql (leave it out: [module.module-chat] "
                         "exclude = [\"db/schema/chat-seed.sql\"])"),
                err);
  // The one excluded by the fixture's [module.module-eval] is not listed.
  CHECK_MESSAGE(!contains(err, "add-score-value-columns"), err);
  CHECK(nothing_ran(db));

  // A project-wide glob and a module's own key leave them out; an excluded numbered file never runs.
  project.append_config("[module.module-ai]\nexclude = [\"db/migrations/fix-*.sql\"]\n");
  project.write("packages/module-ws/db/schema/009-ws-old.sql", "CREATE TABLE public.should_never_run_excluded ();\n");
  std::string config;
  {
    std::ifstream in(project.path() / "cora-migrate.toml");
    config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  project.write("cora-migrate.toml", "exclude = [\"packages/*/db/schema/*-seed.sql\", \"*-old.sql\"]\n" + config);
  const auto fixed = run_real(project, db, {"migrate"});
  REQUIRE_MESSAGE(fixed.exit_code == 0, fixed.err);
  CHECK(db.scalar("SELECT to_regclass('public.should_never_run_excluded') IS NULL") == "t");

  SUBCASE("exclude needs modules beside it, and a glob") {
    project.write("cora-migrate.toml", "exclude = [\"*.sql\"]\n");
    const auto alone = run_real(project, db, {"status"});
    CHECK(alone.exit_code == 3);
    CHECK_MESSAGE(contains(alone.err, "needs modules = [\"packages/*\"] beside it"), alone.err);
    project.write("cora-migrate.toml", "modules = [\"packages/*\"]\n[module.module-ai]\nexclude = [\"\"]\n");
    const auto empty = run_real(project, db, {"status"});
    CHECK(empty.exit_code == 3);
    CHECK_MESSAGE(contains(empty.err, "module.module-ai.exclude"), empty.err);
  }
}

TEST_CASE(
    "real project: verify and diff cite the statement that made the object, never an ENABLE or COMMENT beside it") {
  TestDatabase db;
  RealProject project;
  project.append_config(kLeaveOutTheThree);
  project.write("packages/module-chat/db/schema/001-chat-rls.sql",
                "-- Calls module-mgmt's function at creation time; the registry does not say chat needs mgmt.\n"
                "DROP POLICY IF EXISTS chat_sessions_admin ON public.chat_sessions;\n"
                "CREATE POLICY chat_sessions_admin ON public.chat_sessions\n"
                "  USING (public.is_sys_admin(user_id));\n"
                "COMMENT ON POLICY chat_sessions_admin ON public.chat_sessions IS 'sys admins see every session';\n"
                "COMMENT ON TABLE public.chat_sessions IS 'one row per chat';\n");
  REQUIRE(run_real(project, db, {"migrate"}).exit_code == 0);
  // A table's finding: its CREATE TABLE (line 1), not the ENABLE ROW LEVEL SECURITY of line 6.
  const auto verified = run_real(project, db, {"verify"});
  const auto& out = verified.out;
  const auto finding = out.find("lint:rls_enabled_no_policy public.user_profiles");
  REQUIRE_MESSAGE(finding != std::string::npos, out);
  const auto line_start = out.find('\n', finding) + 1;
  CHECK_MESSAGE(contains(out.substr(line_start, out.find('\n', line_start) - line_start),
                         "made by  module-access: packages/module-access/db/schema/000-access-profiles.sql:1 "),
                out);
  CHECK_MESSAGE(!contains(out, "000-access-profiles.sql:6"), out);
  // A table with a COMMENT after its ENABLE: still the CREATE TABLE.
  CHECK_MESSAGE(contains(out, "packages/module-chat/db/schema/000-chat-sessions.sql:1"), out);
  CHECK_MESSAGE(!contains(out, "001-chat-rls.sql:6"), out);

  // diff cites the same line for the same table, and a policy's CREATE POLICY, not its COMMENT.
  db.connect()->execute_script(
      "ALTER TABLE public.user_profiles ADD COLUMN nickname text;\n"
      "ALTER POLICY chat_sessions_admin ON public.chat_sessions USING (true);\n");
  const auto drift = run_real(project, db, {"diff"});
  CHECK(drift.exit_code == 15);
  CHECK_MESSAGE(contains(drift.out, "packages/module-access/db/schema/000-access-profiles.sql:1"), drift.out);
  CHECK_MESSAGE(contains(drift.out, "packages/module-chat/db/schema/001-chat-rls.sql:3"), drift.out);
  CHECK_MESSAGE(!contains(drift.out, "001-chat-rls.sql:5"), drift.out);
  CHECK_MESSAGE(!contains(drift.out, "000-access-profiles.sql:6"), drift.out);
}

TEST_CASE("real project: a schema file that drops before it creates is no re-run finding; an unguarded ADD is") {
  RealProject project;
  project.append_config(kLeaveOutTheThree);
  project.write("packages/module-ws/db/schema/002-ws-settings.sql",
                "ALTER TABLE public.workspaces DROP CONSTRAINT IF EXISTS workspaces_name_len;\n"  // 1
                "ALTER TABLE public.workspaces ADD CONSTRAINT workspaces_name_len CHECK (length(name) < 200);\n"
                "DROP INDEX IF EXISTS public.workspaces_org;\n"                   // 3
                "CREATE INDEX workspaces_org ON public.workspaces (org_id);\n"    // 4
                "DROP SCHEMA IF EXISTS ws_cache CASCADE;\n"                       // 5
                "CREATE SCHEMA ws_cache;\n"                                       // 6
                "CREATE TABLE ws_cache.recent (ws_id bigint);\n"                  // 7
                "ALTER TABLE public.workspaces ADD COLUMN archived boolean;\n");  // 8
  CliOptions options;
  options.cwd = project.path();
  const auto r = run_cli({"lint"}, options);
  const auto out = unwrapped(r.out);
  CHECK_MESSAGE(occurrences(out, "rerun_create_not_guarded") == 1, out);
  CHECK_MESSAGE(contains(out,
                         "002-ws-settings.sql:8: error[rerun_create_not_guarded]: ADD COLUMN archived to "
                         "public.workspaces in a file that runs again"),
                out);
}
