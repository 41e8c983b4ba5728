// The offline rules that read what every file leaves in place (unresolved_body_reference) and
// what a file does when it runs again (the rerun_* rules), each with the line it reports, a file
// that does not trigger it, and the [lints] switchboard. No database.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/lint/lint.hpp"
#include "lint_test_helpers.hpp"
#include "support/run_cli.hpp"
#include "unit_helpers.hpp"

using cora::lint::FileRole;
using cora::lint::lint_migrations;
using cora::lint::LintInput;
using cora::lint::LintOptions;
using cora::lint::Severity;
using cora::test::found;
using cora::test::lint;
using cora::test::lint_one;
using cora::test::migration;
using cora::test::silenced;

namespace {

cora::MigrationFile snapshot(int version, const std::string& content) {
  auto file = migration(version, content);
  file.role = cora::FileRole::snapshot;
  file.module = "module-access";
  file.path = "packages/module-access/db/schema/" + file.file_name;
  return file;
}

// The guide's log_auth_event(): the body inserts into a table by a name no file creates.
const std::string kTable = "CREATE TABLE public.user_auth_log (id bigint, event text);\n";
std::string log_auth_event(const std::string& table) {
  return "CREATE OR REPLACE FUNCTION public.log_auth_event(p_event text)\n"  // 1
         "RETURNS void\n"                                                    // 2
         "LANGUAGE plpgsql\n"                                                // 3
         "SET search_path = ''\n"                                            // 4
         "AS $$\n"                                                           // 5
         "BEGIN\n"                                                           // 6
         "    INSERT INTO " +
         table +
         " (event) VALUES (p_event);\n"  // 7
         "END;\n"
         "$$;\n";
}

}  // namespace

TEST_CASE("lint: unresolved_body_reference") {
  SUBCASE("the guide's auth_event_log: an error at the body's line, before any database") {
    const auto report = lint({migration(1, kTable), migration(2, log_auth_event("public.auth_event_log"))});
    CHECK(found(report) == "002-m.sql:7 unresolved_body_reference");
    REQUIRE(report.findings.size() == 1);
    CHECK(report.findings[0].severity == Severity::error);
    CHECK_CONTAINS(report.findings[0].message,
                   "function public.log_auth_event names public.auth_event_log, which no "
                   "migration creates");
    CHECK_CONTAINS(report.findings[0].message, "42P01");
  }
  SUBCASE("clean: the table it names exists") {
    CHECK(found(lint({migration(1, kTable), migration(2, log_auth_event("public.user_auth_log"))})) == "");
  }
  SUBCASE("clean: a later file creates the table the function names") {
    CHECK(found(lint({migration(1, log_auth_event("public.user_auth_log")), migration(2, kTable)})) == "");
  }
  SUBCASE("a table renamed by a later file no longer exists under the old name") {
    const auto report = lint({migration(1, "CREATE TABLE public.auth_event_log (id bigint, event text);\n" +
                                               log_auth_event("public.auth_event_log")),
                              migration(2, "ALTER TABLE public.auth_event_log RENAME TO user_auth_log;\n")});
    CHECK(found(report) == "001-m.sql:8 unresolved_body_reference, 002-m.sql:1 rename_referenced_table");
    CHECK_CONTAINS(report.findings.at(0).message, "which migrations/002-m.sql:1 renamed to user_auth_log");
    CHECK_CONTAINS(report.findings.at(0).hint, "public.user_auth_log");
  }
  SUBCASE("a table dropped by a later file") {
    CHECK(found(lint(
              {migration(1, kTable + log_auth_event("public.user_auth_log")),
               migration(2,
                         "-- cora-migrate: ignore=drop_table reason=\"test\"\nDROP TABLE public.user_auth_log;\n")})) ==
          "001-m.sql:8 unresolved_body_reference");
  }
  SUBCASE("clean: the base schema (auth, extensions, pg_catalog), CTEs and tables the body creates") {
    const std::string body = R"(CREATE FUNCTION public.f() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  CREATE TEMP TABLE scratch (x int);
  WITH recent AS (SELECT id FROM auth.users WHERE id = auth.uid())
  SELECT count(*) INTO n FROM recent, pg_class, storage.objects, scratch;
  PERFORM extensions.gen_random_bytes(16), now(), coalesce(n, 0);
  RETURN n;
END $$;
)";
    CHECK(found(lint_one(body)) == "");
  }
  SUBCASE("an unqualified name outside the function's search_path") {
    const auto report = lint_one(
        "CREATE TABLE public.items (id int);\n"
        "CREATE FUNCTION public.n() RETURNS bigint LANGUAGE sql SET search_path = '' AS $$\n"
        "  SELECT count(*) FROM items $$;\n");
    CHECK(found(report) == "001-m.sql:3 unresolved_body_reference");
    CHECK_CONTAINS(report.findings.at(0).message, "public.items, a schema its SET search_path = '' does not include");
    CHECK(found(lint_one("CREATE TABLE public.items (id int);\n"
                         "CREATE FUNCTION public.n() RETURNS bigint LANGUAGE sql SET search_path = public AS $$\n"
                         "  SELECT count(*) FROM items $$;\n")) == "");
  }
  SUBCASE("functions: a schema-qualified call no file defines, or one off the search_path") {
    const std::string helper =
        "CREATE FUNCTION public.is_member(u uuid) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;\n";
    const auto missing = lint_one(helper +
                                  "CREATE FUNCTION public.g() RETURNS boolean LANGUAGE sql AS $$\n"
                                  "  SELECT public.is_admin(auth.uid()) $$;\n");
    CHECK(found(missing) == "001-m.sql:3 unresolved_body_reference");
    CHECK_CONTAINS(missing.findings.at(0).message, "calls public.is_admin(), which no migration creates");
    const auto off_path =
        lint_one(helper +
                 "CREATE FUNCTION public.g() RETURNS boolean LANGUAGE sql SET search_path = '' AS $$\n"
                 "  SELECT is_member(auth.uid()) $$;\n");
    CHECK(found(off_path) == "001-m.sql:3 unresolved_body_reference");
    CHECK(
        found(lint_one(helper + "CREATE FUNCTION public.g() RETURNS boolean LANGUAGE sql SET search_path = '' AS $$\n"
                                "  SELECT public.is_member(auth.uid()) AND is_member(auth.uid()) IS NOT NULL $$;\n")) ==
        "001-m.sql:3 unresolved_body_reference");  // the second call, unqualified
    CHECK(found(lint_one(helper + "CREATE FUNCTION public.g() RETURNS boolean LANGUAGE sql AS $$\n"
                                  "  SELECT public.is_member(auth.uid()) AND is_member(auth.uid()) $$;\n")) == "");
  }
  SUBCASE("silenced above the CREATE FUNCTION, with a reason") {
    const auto report =
        lint({migration(1, kTable), migration(2,
                                              "SELECT 1;\n-- cora-migrate: ignore=unresolved_body_reference "
                                              "reason=\"created by the app at start-up\"\n" +
                                                  log_auth_event("public.auth_event_log"))});
    CHECK(found(report) == "");
    CHECK(silenced(report) == "9 unresolved_body_reference \"created by the app at start-up\"");
  }
  SUBCASE("[lints] grades it: warning, or off") {
    LintOptions options;
    options.levels["unresolved_body_reference"] = cora::LintLevel::warning;
    const auto warned = lint({migration(1, kTable), migration(2, log_auth_event("public.auth_event_log"))}, options);
    REQUIRE(warned.findings.size() == 1);
    CHECK(warned.findings[0].severity == Severity::warning);
    options.levels["unresolved_body_reference"] = cora::LintLevel::off;
    CHECK(found(lint({migration(1, kTable), migration(2, log_auth_event("public.auth_event_log"))}, options)) == "");
  }
  SUBCASE("migrate: a function of an applied file is not reported again") {
    const auto report = lint({migration(1, log_auth_event("public.auth_event_log")), migration(2, kTable)}, {},
                             {FileRole::context, FileRole::check});
    CHECK(found(report) == "");
  }
}

TEST_CASE("lint: rerun_policy_not_dropped") {
  const std::string policy = "CREATE POLICY \"own rows\" ON public.t FOR SELECT USING (true);\n";
  SUBCASE("a schema/ snapshot file: file:line") {
    const auto report = lint({snapshot(1, "SELECT 1;\n" + policy)});
    CHECK(found(report) == "001-m.sql:2 rerun_policy_not_dropped");
    CHECK(report.findings.at(0).file == "packages/module-access/db/schema/001-m.sql");
    CHECK(report.findings.at(0).severity == Severity::error);
    CHECK_CONTAINS(report.findings.at(0).hint, "DROP POLICY IF EXISTS \"own rows\" ON public.t");
  }
  SUBCASE("clean: DROP POLICY IF EXISTS before it") {
    CHECK(found(lint({snapshot(1, "DROP POLICY IF EXISTS \"own rows\" ON t;\n" + policy)})) == "");
  }
  SUBCASE("clean: a delta in migrations/, which runs once") { CHECK(found(lint({migration(1, policy)})) == ""); }
  SUBCASE("a delta marked rerunnable=true, or one migrate runs again") {
    CHECK(found(lint({migration(1, "-- cora-migrate: rerunnable=true\n" + policy)})) ==
          "001-m.sql:2 rerun_policy_not_dropped");
    const auto file = migration(1, policy);
    const std::vector<LintInput> inputs{{&file, FileRole::check, true}};
    CHECK(found(lint_migrations(inputs, {})) == "001-m.sql:1 rerun_policy_not_dropped");
  }
}

TEST_CASE("lint: rerun_create_not_guarded") {
  SUBCASE("each kind, at its line") {
    const auto report =
        lint({snapshot(1,
                       "CREATE TABLE public.t (id int);\n"          // 1
                       "CREATE INDEX t_id ON public.t (id);\n"      // 2
                       "CREATE INDEX ON public.t (id);\n"           // 3
                       "CREATE TYPE public.mood AS ENUM ('ok');\n"  // 4
                       "CREATE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                       "CREATE TRIGGER t_tg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tg();\n"
                       "CREATE VIEW public.v AS SELECT 1 AS one;\n"  // 7
                       "CREATE SCHEMA app;\n")});                    // 8
    CHECK(found(report) ==
          "001-m.sql:1 rerun_create_not_guarded, 001-m.sql:2 rerun_create_not_guarded, "
          "001-m.sql:3 rerun_create_not_guarded, 001-m.sql:4 rerun_create_not_guarded, "
          "001-m.sql:5 rerun_create_not_guarded, 001-m.sql:6 rerun_create_not_guarded, "
          "001-m.sql:7 rerun_create_not_guarded, 001-m.sql:8 rerun_create_not_guarded");
    CHECK_CONTAINS(report.findings.at(0).message, "CREATE TABLE public.t in a file that runs again");
    CHECK_CONTAINS(report.findings.at(0).hint, "IF NOT EXISTS");
  }
  SUBCASE("clean: IF NOT EXISTS, OR REPLACE, or a drop before it") {
    CHECK(
        found(lint({snapshot(
            1,
            "CREATE TABLE IF NOT EXISTS public.t (id int);\n"
            "CREATE INDEX IF NOT EXISTS t_id ON public.t (id);\n"
            "DROP TYPE IF EXISTS public.mood;\n"
            "CREATE TYPE public.mood AS ENUM ('ok');\n"
            "CREATE OR REPLACE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
            "DROP TRIGGER IF EXISTS t_tg ON public.t;\n"
            "CREATE TRIGGER t_tg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tg();\n"
            "CREATE OR REPLACE TRIGGER t_tg2 BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tg();\n"
            "CREATE OR REPLACE VIEW public.v AS SELECT 1 AS one;\n"
            "CREATE SCHEMA IF NOT EXISTS app;\n")})) == "");
  }
  SUBCASE("clean: a DROP TABLE earlier in the file takes its indexes, policies and triggers with it") {
    const auto report = lint({snapshot(
        1,
        "DROP TABLE IF EXISTS public.voice_sessions CASCADE;\n"            // 1
        "CREATE TABLE public.voice_sessions (id int);\n"                   // 2
        "CREATE INDEX voice_sessions_id ON public.voice_sessions (id);\n"  // 3
        "CREATE POLICY own ON public.voice_sessions USING (true);\n"       // 4
        "CREATE OR REPLACE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "CREATE TRIGGER vs_tg BEFORE INSERT ON public.voice_sessions FOR EACH ROW EXECUTE FUNCTION public.tg();\n"
        "CREATE INDEX other_id ON public.other (id);\n")});  // 7: another table's index is still a finding
    CHECK(found(report) ==
          "001-m.sql:1 rerun_destroys_data, 001-m.sql:1 drop_table, 001-m.sql:7 rerun_create_not_guarded, "
          "001-m.sql:7 create_index_concurrently");
  }
}

TEST_CASE("lint: the rerun rules know what earlier statements of the file removed") {
  SUBCASE("DROP INDEX / POLICY / TRIGGER / FUNCTION / VIEW / TYPE / SEQUENCE, then CREATE of the same name") {
    const auto report =
        lint({snapshot(1,
                       "CREATE TABLE IF NOT EXISTS public.t (id int);\n"
                       "DROP INDEX IF EXISTS public.t_id;\n"
                       "CREATE INDEX t_id ON public.t (id);\n"
                       "DROP INDEX IF EXISTS t_id2;\n"
                       "CREATE INDEX t_id2 ON public.t (id);\n"
                       "DROP POLICY IF EXISTS own ON public.t;\n"
                       "CREATE POLICY own ON public.t USING (true);\n"
                       "DROP FUNCTION IF EXISTS public.tg();\n"
                       "CREATE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                       "DROP TRIGGER IF EXISTS t_tg ON public.t;\n"
                       "CREATE TRIGGER t_tg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tg();\n"
                       "DROP VIEW IF EXISTS public.v;\n"
                       "CREATE VIEW public.v AS SELECT 1 AS one;\n"
                       "DROP TYPE IF EXISTS public.mood;\n"
                       "CREATE TYPE public.mood AS ENUM ('ok');\n"
                       "DROP SEQUENCE IF EXISTS public.s;\n"
                       "CREATE SEQUENCE public.s;\n"
                       "DROP INDEX IF EXISTS public.other_id;\n"
                       "CREATE INDEX another_id ON public.t (id);\n")});  // 19: another name is still a finding
    CHECK(found(report) == "001-m.sql:19 rerun_create_not_guarded");
  }
  SUBCASE("DROP SCHEMA ... CASCADE takes what the schema holds") {
    const auto report = lint({snapshot(1,
                                       "DROP SCHEMA IF EXISTS app CASCADE;\n"    // 1
                                       "CREATE SCHEMA app;\n"                    // 2
                                       "CREATE TABLE app.t (id int);\n"          // 3
                                       "CREATE INDEX t_id ON app.t (id);\n"      // 4
                                       "CREATE TYPE app.mood AS ENUM ('ok');\n"  // 5
                                       "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                                       "CREATE VIEW app.v AS SELECT 1 AS one;\n"     // 7
                                       "CREATE POLICY own ON app.t USING (true);\n"  // 8
                                       "CREATE TABLE public.kept (id int);\n")});    // 9
    CHECK(found(report) == "001-m.sql:1 rerun_destroys_data, 001-m.sql:9 rerun_create_not_guarded");
  }
  SUBCASE("ALTER TABLE ... DROP CONSTRAINT / COLUMN, then ADD of the same name") {
    const auto report =
        lint({snapshot(1,
                       "CREATE TABLE IF NOT EXISTS public.t (id int, ref int);\n"
                       "ALTER TABLE public.t DROP CONSTRAINT IF EXISTS t_ref_positive;\n"
                       "ALTER TABLE public.t ADD CONSTRAINT t_ref_positive CHECK (ref > 0);\n"
                       "ALTER TABLE public.t DROP COLUMN IF EXISTS note;\n"
                       "ALTER TABLE public.t ADD COLUMN note text;\n"
                       "ALTER TABLE public.t ADD CONSTRAINT t_id_positive CHECK (id > 0);\n"  // 6: never dropped
                       "ALTER TABLE public.t ADD COLUMN extra text;\n")});                    // 7: never dropped
    CHECK(found(report) == "001-m.sql:6 rerun_create_not_guarded, 001-m.sql:7 rerun_create_not_guarded");
    CHECK_CONTAINS(report.findings.at(0).message, "ADD CONSTRAINT t_id_positive to public.t in a file that runs again");
    CHECK_CONTAINS(report.findings.at(1).hint, "ADD COLUMN IF NOT EXISTS");
  }
}

TEST_CASE("lint: rerun_destroys_data") {
  SUBCASE("DROP TABLE ... CASCADE and TRUNCATE") {
    const auto report = lint({snapshot(1,
                                       "CREATE TABLE IF NOT EXISTS public.t (id int);\n"
                                       "DROP TABLE IF EXISTS public.old CASCADE;\n"
                                       "TRUNCATE public.t;\n")});
    // drop_table too: the table may hold rows however the file runs.
    CHECK(found(report) == "001-m.sql:2 rerun_destroys_data, 001-m.sql:2 drop_table, 001-m.sql:3 rerun_destroys_data");
    CHECK_CONTAINS(report.findings.at(0).message, "DROP TABLE ... CASCADE in a file that runs again");
  }
  SUBCASE("DROP TYPE, SCHEMA, FUNCTION, DOMAIN, EXTENSION ... CASCADE, and DROP OWNED") {
    const auto report = lint({snapshot(1,
                                       "DROP TYPE IF EXISTS public.status CASCADE;\n"
                                       "DROP SCHEMA IF EXISTS reporting CASCADE;\n"
                                       "DROP FUNCTION IF EXISTS public.gross(int) CASCADE;\n"
                                       "DROP DOMAIN IF EXISTS public.email CASCADE;\n"
                                       "DROP EXTENSION IF EXISTS hstore CASCADE;\n"
                                       "DROP OWNED BY cora_scratch;\n")});
    CHECK(found(report) ==
          "001-m.sql:1 rerun_destroys_data, 001-m.sql:2 rerun_destroys_data, 001-m.sql:3 rerun_destroys_data, "
          "001-m.sql:4 rerun_destroys_data, 001-m.sql:5 rerun_destroys_data, 001-m.sql:6 rerun_destroys_data");
    CHECK_CONTAINS(report.findings.at(0).message, "DROP TYPE public.status CASCADE in a file that runs again");
    CHECK_CONTAINS(report.findings.at(2).message, "DROP FUNCTION public.gross CASCADE");
  }
  SUBCASE("clean: the same drops without CASCADE, which PostgreSQL refuses while anything depends on them") {
    CHECK(found(lint(
              {snapshot(1,
                        "DROP TYPE IF EXISTS public.status;\nDROP SCHEMA IF EXISTS reporting;\n"
                        "DROP FUNCTION IF EXISTS public.gross(int);\nDROP VIEW IF EXISTS public.v CASCADE;\n")})) ==
          "");
  }
  SUBCASE("clean: a scratch table the file creates and drops, and a delta") {
    CHECK(found(lint({snapshot(1, "CREATE TABLE public.tmp_load (id int);\nDROP TABLE public.tmp_load;\n")})) == "");
    CHECK(found(lint({migration(1, "CREATE TABLE public.t (id int);\nTRUNCATE public.t;\n")})) == "");
  }
}

TEST_CASE("lint: [lints] switches and re-grades the offline rules") {
  const std::string drop = "DROP TABLE public.legacy;\n";
  CHECK(found(lint_one(drop)) == "001-m.sql:1 drop_table");
  LintOptions options;
  options.levels["drop_table"] = cora::LintLevel::off;
  CHECK(found(lint_one(drop, options)) == "");
  options.levels["drop_table"] = cora::LintLevel::error;
  const auto graded = lint_one(drop, options);
  REQUIRE(graded.findings.size() == 1);
  CHECK(graded.findings[0].severity == Severity::error);
  CHECK(cora::find_lint_rule("rerun_destroys_data")->scope == cora::LintScope::offline);
  CHECK(cora::find_lint_rule("missing_lock_timeout")->scope == cora::LintScope::offline);
}

TEST_CASE("lint: the module-access schema passes the offline rules, also as files that run again") {
  const auto files = cora::discover_migrations(cora::test::source_dir() / "migrations");
  REQUIRE(files.size() >= 9);
  std::vector<LintInput> inputs;
  for (const auto& file : files) inputs.push_back({&file, FileRole::check, true});
  // Each was pasted into real databases by hand before any tool tracked it: safe to run twice.
  CHECK(found(lint_migrations(inputs, {})) == "");
}
