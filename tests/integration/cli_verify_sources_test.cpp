// verify's findings point at the file that made their object: the migration (module, file, line)
// of the last statement that created or altered it, in every output format, or that no file
// creates it (drift). The built binary against a real PostgreSQL.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// A project of four files, applied; then a table made by hand. Run from the project's folder, so
// that paths read as a CI job prints them.
struct SourcesProject {
  TestDatabase db;
  ScratchDir dir;
  SourcesProject() {
    dir.write("migrations/001-notes.sql",
              "-- notes, without row level security\n"
              "CREATE TABLE public.notes (id int PRIMARY KEY, body text);\n");
    dir.write("migrations/002-notes-comment.sql", "-- describe them\n\nCOMMENT ON TABLE public.notes IS 'Notes.';\n");
    dir.write("migrations/003-definer.sql",
              "CREATE FUNCTION public.note_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER\n"
              "AS $$ SELECT count(*) FROM public.notes $$;\n");
    dir.write("migrations/004-pin.sql", "SELECT 1;\nALTER FUNCTION public.note_count() SET search_path = '';\n");
    dir.write("checks/notes.toml", "[[table]]\nname = \"public.notes\"\nrls = true\n");
    const auto r = run({"migrate"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    db.connect()->execute_script("CREATE TABLE public.handmade (id int PRIMARY KEY)");
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", "migrations", "--checks", "checks"});
    CliOptions options;
    options.cwd = dir.path();
    return run_cli(args, options);
  }
  CliResult verify(const std::string& format) const { return run({"verify", "--format", format}); }
};

const nlohmann::json* check(const nlohmann::json& doc, const std::string& kind, const std::string& subject) {
  for (const auto& c : doc["checks"]) {
    if (c["kind"] == kind && c["subject"] == subject) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("verify: each finding names the migration that last created or altered its object") {
  SourcesProject p;

  SUBCASE("json: source with module, file and line; a hand-made table has none, and says so") {
    const auto r = p.verify("json");
    CHECK_MESSAGE(r.exit_code == 11, r.err);
    const auto doc = nlohmann::json::parse(r.out);
    const auto* notes = check(doc, "lint:rls_disabled_in_public", "public.notes");
    REQUIRE(notes);
    // The CREATE TABLE: a COMMENT after it changes nothing a finding is about.
    CHECK((*notes)["source"]["file"] == "migrations/001-notes.sql");
    CHECK((*notes)["source"]["line"] == 2);
    CHECK((*notes)["source"]["module"].is_null());
    const auto* definer = check(doc, "lint:security_definer_executable_by_anon", "public.note_count()");
    REQUIRE(definer);
    CHECK((*definer)["source"]["file"] == "migrations/004-pin.sql");  // ALTER FUNCTION alters it
    CHECK((*definer)["source"]["line"] == 2);
    const auto* table_check = check(doc, "table", "public.notes");
    REQUIRE(table_check);
    CHECK((*table_check)["file"] == "checks/notes.toml");
    CHECK((*table_check)["source"]["file"] == "migrations/001-notes.sql");
    const auto* handmade = check(doc, "lint:rls_disabled_in_public", "public.handmade");
    REQUIRE(handmade);
    CHECK((*handmade)["source"]["file"].is_null());
    CHECK(contains((*handmade)["source"]["note"].get<std::string>(), "no migration file creates public.handmade"));
    CHECK(contains((*handmade)["source"]["note"].get<std::string>(), "cora-migrate diff"));
  }
  SUBCASE("human: a line under the finding") {
    const auto r = p.verify("human");
    CHECK(r.exit_code == 11);
    CHECK_MESSAGE(contains(r.out,
                           "  lint:rls_disabled_in_public public.notes (built-in lint)\n"
                           "    made by  migrations/001-notes.sql:2 (the statement that defines it)\n"),
                  r.out);
    CHECK(contains(r.out,
                   "  lint:rls_disabled_in_public public.handmade (built-in lint)\n"
                   "    made by  no migration file creates public.handmade: if the database has it, it was "
                   "made outside the migrations (drift); `cora-migrate diff` lists it\n"));
  }
  SUBCASE("github: the annotation lands on the .sql line, a check's annotation too") {
    const auto r = p.verify("github");
    CHECK(r.exit_code == 11);
    CHECK_MESSAGE(contains(r.out,
                           "::error file=migrations/001-notes.sql,line=2,title=lint%3Arls_disabled_in_public "
                           "public.notes::"),
                  r.out);
    CHECK(contains(r.out,
                   "::error file=migrations/004-pin.sql,line=2,title=lint%3Asecurity_definer_executable_by_anon "
                   "public.note_count()::"));
    CHECK(contains(r.out, "::error file=migrations/001-notes.sql,line=2,title=table public.notes::"));
    CHECK(contains(r.out, "; check: checks/notes.toml:1"));
    // No file to land on: a workflow-level annotation that says why.
    CHECK(contains(r.out, "::error title=lint%3Arls_disabled_in_public public.handmade::"));
    CHECK(contains(r.out, "no migration file creates public.handmade"));
  }
  SUBCASE("junit: the test case's file and line are the .sql statement's") {
    const auto r = p.verify("junit");
    CHECK(r.exit_code == 11);
    CHECK_MESSAGE(contains(r.out,
                           "<testcase classname=\"lint:rls_disabled_in_public\" name=\"public.notes\" "
                           "file=\"migrations/001-notes.sql\" line=\"2\">"),
                  r.out);
    CHECK(contains(r.out, "last created or altered by migrations/001-notes.sql:2"));
    CHECK(contains(r.out, "<testcase classname=\"lint:rls_disabled_in_public\" name=\"public.handmade\" file=\"\">"));
  }
  SUBCASE("a rename: the new name is the object, the rename its last change") {
    p.dir.write("migrations/005-rename.sql", "ALTER TABLE public.notes RENAME TO memos;\n");
    REQUIRE(p.run({"migrate"}).exit_code == 0);
    const auto doc = nlohmann::json::parse(p.verify("json").out);
    const auto* memos = check(doc, "lint:rls_disabled_in_public", "public.memos");
    REQUIRE(memos);
    CHECK((*memos)["source"]["file"] == "migrations/005-rename.sql");
    CHECK((*memos)["source"]["line"] == 1);
  }
  SUBCASE("without migration files (a database checked from elsewhere) no source is given") {
    std::filesystem::remove_all(p.dir.path() / "migrations");
    const auto doc = nlohmann::json::parse(p.verify("json").out);
    const auto* notes = check(doc, "lint:rls_disabled_in_public", "public.notes");
    REQUIRE(notes);
    CHECK((*notes)["source"].is_null());
  }
}

TEST_CASE("verify: across modules, the source names the module and its file") {
  TestDatabase db;
  ScratchDir dir;
  std::filesystem::copy(source_dir() / "tests" / "fixtures" / "cora-project", dir.path(),
                        std::filesystem::copy_options::recursive);
  dir.write(
      "packages/module-ws/db/schema/002-ws-notes.sql",
      "-- a table the ws module forgot to protect\nCREATE TABLE IF NOT EXISTS public.ws_notes (id int PRIMARY KEY);\n");
  std::filesystem::create_directories(dir.path() / "no-checks");  // a --checks folder must exist
  CliOptions options;
  options.cwd = dir.path();
  const auto migrated = run_cli({"--database-url", db.conninfo(), "migrate"}, options);
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
  const auto r =
      run_cli({"--database-url", db.conninfo(), "--checks", "no-checks", "verify", "--format", "json"}, options);
  const auto doc = nlohmann::json::parse(r.out);
  const auto* ws = check(doc, "lint:rls_disabled_in_public", "public.ws_notes");
  REQUIRE_MESSAGE(ws, r.out);
  CHECK((*ws)["source"]["module"] == "module-ws");
  CHECK((*ws)["source"]["file"] == "packages/module-ws/db/schema/002-ws-notes.sql");
  CHECK((*ws)["source"]["line"] == 2);
  const auto human = run_cli({"--database-url", db.conninfo(), "--checks", "no-checks", "verify"}, options);
  CHECK_MESSAGE(contains(human.out, "    made by  module-ws: packages/module-ws/db/schema/002-ws-notes.sql:2"),
                human.out);
}

TEST_CASE("verify: the next step names the file, its line and a command that works") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("migrations/001-notes.sql",
            "-- cora-migrate: rerunnable=true\n"
            "CREATE TABLE IF NOT EXISTS public.notes (id int PRIMARY KEY);\n");
  dir.write("migrations/002-items.sql", "CREATE TABLE public.items (id int PRIMARY KEY);\n");
  std::filesystem::create_directories(dir.path() / "checks");
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", "migrations", "--checks", "checks"});
    CliOptions options;
    options.cwd = dir.path();
    return run_cli(args, options);
  };
  const auto next_of = [&](const std::string& subject) {
    const auto r = run({"verify", "--format", "json"});
    const auto doc = nlohmann::json::parse(r.out);
    const auto* c = check(doc, "lint:rls_disabled_in_public", subject);
    REQUIRE_MESSAGE(c, r.out);
    return (*c)["source"]["next"].is_string() ? (*c)["source"]["next"].get<std::string>() : std::string("(none)");
  };
  REQUIRE(run({"migrate"}).exit_code == 0);

  SUBCASE("a rerunnable file: edit it, re-apply it with the printed command, and the finding is gone") {
    const std::string next = next_of("public.notes");
    CHECK(next == "edit migrations/001-notes.sql:2, then run: cora-migrate migrate --reapply 001");
    const auto human = run({"verify"});
    CHECK_MESSAGE(contains(human.out,
                           "    next     edit migrations/001-notes.sql:2, then run: cora-migrate migrate "
                           "--reapply 001\n"),
                  human.out);
    dir.write("migrations/001-notes.sql",
              "-- cora-migrate: rerunnable=true\n"
              "CREATE TABLE IF NOT EXISTS public.notes (id int PRIMARY KEY);\n"
              "ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;\n");
    const auto reapplied = run({"migrate", "--reapply", "1"});  // the words after "cora-migrate "
    CHECK_MESSAGE(reapplied.exit_code == 0, reapplied.err);
    const auto doc = nlohmann::json::parse(run({"verify", "--format", "json"}).out);
    const auto* after = check(doc, "lint:rls_disabled_in_public", "public.notes");
    REQUIRE(after);
    CHECK((*after)["passed"] == true);
    CHECK((*after)["source"]["next"].is_null());
  }
  SUBCASE("a file that may not run twice: a new migration, and the printed `new` makes it") {
    const std::string next = next_of("public.items");
    CHECK(next ==
          "migrations/002-items.sql:1 is applied and does not run twice: change it in a new migration: "
          "cora-migrate new fix-items");
    const auto made = run({"new", "fix-items"});
    CHECK_MESSAGE(made.exit_code == 0, made.err);
    CHECK(std::filesystem::exists(dir.path() / "migrations" / "003-fix-items.sql"));
  }
  SUBCASE("the object's last change is in a file not run yet: migrate") {
    dir.write("migrations/003-items-note.sql", "ALTER TABLE public.items ADD COLUMN note text;\n");
    CHECK(next_of("public.items") ==
          "migrations/003-items-note.sql:1 has not run on this database: cora-migrate migrate");
  }
  SUBCASE("no file makes the object: write it in a new migration") {
    db.connect()->execute_script("CREATE TABLE public.handmade (id int PRIMARY KEY)");
    CHECK(next_of("public.handmade") == "write it in a new migration: cora-migrate new handmade");
  }
}
