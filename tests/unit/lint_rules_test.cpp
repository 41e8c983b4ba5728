// The offline lint of migration files (cli/cora/lint): each rule with the exact line it reports,
// the silences, and the statements that must not warn. No database.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cora/lint/lint.hpp"
#include "cora/lint/report.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "support/run_cli.hpp"
#include "lint_test_helpers.hpp"
#include "unit_helpers.hpp"

using cora::MigrationFile;
using cora::lint::FileRole;
using cora::lint::Finding;
using cora::lint::lint_migrations;
using cora::lint::LintInput;
using cora::lint::LintOptions;
using cora::lint::LintReport;
using cora::lint::Severity;
using cora::test::found;
using cora::test::lint;
using cora::test::lint_one;
using cora::test::migration;
using cora::test::silenced;

namespace {

LintOptions no_lock_timeout() {
  LintOptions options;
  options.default_lock_timeout = std::chrono::milliseconds(0);
  return options;
}

}  // namespace

TEST_CASE("lint: create_index_concurrently") {
  SUBCASE("on a table the file does not create: the CREATE INDEX line") {
    const auto report = lint_one("-- add an index\n\nCREATE INDEX idx_orgs_name\n    ON public.orgs (name);\n");
    CHECK(found(report) == "001-m.sql:3 create_index_concurrently");
    REQUIRE(report.findings.size() == 1);
    CHECK(report.findings[0].severity == Severity::warning);
    CHECK_CONTAINS(report.findings[0].message, "public.orgs");
    CHECK_CONTAINS(report.findings[0].hint, "transaction=false");
  }
  SUBCASE("clean: on a table created earlier in the same file (also IF NOT EXISTS)") {
    CHECK(found(lint_one("CREATE TABLE IF NOT EXISTS public.t (id int);\nCREATE INDEX IF NOT EXISTS i ON t (id);\n")) ==
          "");
    CHECK(found(lint_one("CREATE TABLE t (id int);\nALTER TABLE t RENAME TO u;\nCREATE INDEX ON public.u (id);\n")) ==
          "");
  }
  SUBCASE("clean: CONCURRENTLY, and temporary tables") {
    CHECK(found(lint_one("-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY i ON orgs (name);\n")) == "");
    CHECK(found(lint_one("CREATE TEMP TABLE scratch (id int);\nCREATE INDEX ON scratch (id);\n")) == "");
  }
  SUBCASE("lint: a table an earlier file created may hold data by now") {
    const auto report =
        lint({migration(1, "CREATE TABLE t (id int);\n"), migration(2, "SELECT 1;\nCREATE INDEX i ON t (id);\n")});
    CHECK(found(report) == "002-m.sql:2 create_index_concurrently");
  }
  SUBCASE("migrate: files applied in one run form one unit; already applied files do not") {
    const std::vector<MigrationFile> files{migration(1, "CREATE TABLE t (id int);\n"),
                                           migration(2, "CREATE INDEX i ON t (id);\n")};
    LintOptions together;
    together.checked_files_run_together = true;
    CHECK(found(lint(files, together)) == "");
    CHECK(found(lint(files, together, {FileRole::context, FileRole::check})) ==
          "002-m.sql:1 create_index_concurrently");
  }
  SUBCASE("a file already outside a transaction: the hint says only to add CONCURRENTLY") {
    const auto report = lint_one("-- cora-migrate: transaction=false\nCREATE INDEX i ON orgs (name);\n");
    REQUIRE(report.findings.size() == 1);
    CHECK(report.findings[0].line == 2);
    CHECK_CONTAINS(report.findings[0].hint, "already runs outside a transaction");
  }
}

TEST_CASE("lint: not_null_without_default") {
  SUBCASE("the line of the column") {
    const auto report =
        lint_one("ALTER TABLE public.orgs\n    ADD COLUMN note text,\n    ADD COLUMN plan text NOT NULL;\n");
    CHECK(found(report) == "001-m.sql:3 not_null_without_default");
    CHECK_CONTAINS(report.findings.at(0).message, "ADD COLUMN plan NOT NULL without a DEFAULT on public.orgs");
  }
  SUBCASE("a primary key is NOT NULL too") {
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN k int PRIMARY KEY;")) == "001-m.sql:1 not_null_without_default");
  }
  SUBCASE("clean: NOT NULL DEFAULT a constant, or now() (non-volatile: no rewrite either)") {
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN plan text NOT NULL DEFAULT 'free';")) == "");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN n int NOT NULL DEFAULT 0;")) == "");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN at timestamptz NOT NULL DEFAULT now();")) == "");
  }
  SUBCASE("clean: on a table created in the same file") {
    CHECK(found(lint_one("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN n int NOT NULL;\n")) == "");
  }
}

TEST_CASE("lint: volatile_default") {
  SUBCASE("clock_timestamp(): the line of the call") {
    const auto report = lint_one(
        "ALTER TABLE public.orgs\n"
        "    ADD COLUMN touched_at timestamptz\n"
        "        DEFAULT clock_timestamp();\n");
    CHECK(found(report) == "001-m.sql:3 volatile_default");
    CHECK_CONTAINS(report.findings.at(0).message, "clock_timestamp() is volatile");
    CHECK_CONTAINS(report.findings.at(0).message, "PostgreSQL 11+");
  }
  SUBCASE("other volatile defaults") {
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN u uuid DEFAULT gen_random_uuid();")) ==
          "001-m.sql:1 volatile_default");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN r float8 DEFAULT random() * 10;")) ==
          "001-m.sql:1 volatile_default");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN u uuid DEFAULT extensions.uuid_generate_v4();")) ==
          "001-m.sql:1 volatile_default");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN n bigserial;")) == "001-m.sql:1 volatile_default");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;")) ==
          "001-m.sql:1 volatile_default");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN d int GENERATED ALWAYS AS (id * 2) STORED;")) ==
          "001-m.sql:1 volatile_default");
  }
  SUBCASE("NOT NULL with a volatile default: one warning, about the rewrite") {
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN u uuid NOT NULL DEFAULT gen_random_uuid();")) ==
          "001-m.sql:1 volatile_default");
  }
  SUBCASE("functions the migrations define: VOLATILE unless declared otherwise") {
    const std::string volatile_function =
        "CREATE FUNCTION public.next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;\n";
    const std::string stable_function =
        "CREATE FUNCTION public.next_code() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'x' $$;\n";
    const std::string add = "ALTER TABLE orgs ADD COLUMN code text DEFAULT public.next_code();\n";
    CHECK(found(lint({migration(1, volatile_function), migration(2, add)})) == "002-m.sql:1 volatile_default");
    CHECK(found(lint({migration(1, stable_function), migration(2, add)})) == "");
  }
  SUBCASE("clean: constants, now(), current_timestamp, and new tables") {
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN at timestamptz DEFAULT now();")) == "");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN at timestamptz DEFAULT current_timestamp;")) == "");
    CHECK(found(lint_one("ALTER TABLE orgs ADD COLUMN m jsonb DEFAULT '{}'::jsonb;")) == "");
    CHECK(found(lint_one("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();\n")) ==
          "");
  }
}

TEST_CASE("lint: drop_column and drop_table") {
  SUBCASE("drop_column: the line of each DROP COLUMN") {
    const auto report = lint_one(
        "ALTER TABLE public.orgs\n"
        "    DROP COLUMN IF EXISTS logo_url,\n"
        "    ADD COLUMN note text,\n"
        "    DROP slug;\n");
    CHECK(found(report) == "001-m.sql:2 drop_column, 001-m.sql:4 drop_column");
  }
  SUBCASE("drop_table: the statement's line, one per table") {
    CHECK(found(lint_one("SELECT 1;\n\nDROP TABLE IF EXISTS a, public.b;\n")) ==
          "001-m.sql:3 drop_table, 001-m.sql:3 drop_table");
  }
  SUBCASE("clean: dropping what the same file created; dropping other kinds of objects") {
    CHECK(found(lint_one("CREATE TABLE t (id int, c int);\nALTER TABLE t DROP COLUMN c;\nDROP TABLE t;\n")) == "");
    CHECK(found(lint_one("DROP TRIGGER IF EXISTS tr ON orgs;\nDROP POLICY IF EXISTS p ON orgs;\nDROP VIEW v;\n")) ==
          "");
  }
}

TEST_CASE("lint: rename_referenced_table") {
  // As 007 looked before the incident: log_auth_event inserts into the table by its old name.
  const std::string defines = R"(CREATE TABLE public.auth_event_log (id bigint, event text);
CREATE OR REPLACE FUNCTION public.log_auth_event(p_event text)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    INSERT INTO public.auth_event_log (event) VALUES (p_event);
END;
$$;
)";
  const std::string renames = "-- the new name\nALTER TABLE public.auth_event_log RENAME TO user_auth_log;\n";

  SUBCASE("the rename's line, naming the function and where its body names the old table") {
    const auto report = lint({migration(7, defines), migration(8, renames)});
    // And, once every file is read, the function itself (lint_offline_rules_test.cpp).
    CHECK(found(report) == "007-m.sql:8 unresolved_body_reference, 008-m.sql:2 rename_referenced_table");
    const auto& message = report.findings.at(1).message;
    CHECK_CONTAINS(message, "public.log_auth_event");
    CHECK_CONTAINS(message, "public.auth_event_log");
    CHECK_CONTAINS(message, "migrations/007-m.sql:8");
  }
  SUBCASE("an unqualified name in a LANGUAGE sql body") {
    const auto report = lint({migration(1,
                                        "CREATE TABLE items (id int);\n"
                                        "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql\n"
                                        "AS $$ SELECT count(*) FROM items $$;\n"),
                              migration(2, "ALTER TABLE items RENAME TO things;\n")});
    CHECK(found(report) == "001-m.sql:3 unresolved_body_reference, 002-m.sql:1 rename_referenced_table");
  }
  SUBCASE("clean: the function is re-created after the rename in the same file") {
    std::string fixed = renames + defines.substr(defines.find("CREATE OR REPLACE"));
    fixed.replace(fixed.find("public.auth_event_log (event)"), 21, "public.user_auth_log");
    CHECK(found(lint({migration(7, defines), migration(8, fixed)})) == "");
  }
  SUBCASE("clean: the function is dropped, or a view keeps the old name") {
    CHECK(found(lint(
              {migration(7, defines), migration(8, renames + "DROP FUNCTION public.log_auth_event(text);\n")})) == "");
    CHECK(
        found(lint(
            {migration(7, defines),
             migration(8, renames + "CREATE VIEW public.auth_event_log AS SELECT * FROM public.user_auth_log;\n")})) ==
        "");
  }
  SUBCASE("lint: a fix in a later file leaves a window in which every call fails") {
    std::string fix = defines.substr(defines.find("CREATE OR REPLACE"));
    fix.replace(fix.find("public.auth_event_log (event)"), 21, "public.user_auth_log");
    CHECK(found(lint({migration(7, defines), migration(8, renames), migration(9, fix)})) ==
          "008-m.sql:2 rename_referenced_table");
  }
  SUBCASE("clean: renaming a table no function names") {
    CHECK(found(lint({migration(7, defines), migration(8, "ALTER TABLE public.other RENAME TO other2;\n")})) == "");
  }
}

TEST_CASE("lint: copy_to_stdout") {
  SUBCASE("COPY of a table or a query to STDOUT, at its line") {
    CHECK(found(lint_one("CREATE TABLE t (id int);\n\nCOPY t TO STDOUT;\n")) == "001-m.sql:3 copy_to_stdout");
    CHECK(found(lint_one("COPY (SELECT 1) TO STDOUT WITH (FORMAT csv);\n")) == "001-m.sql:1 copy_to_stdout");
    CHECK(found(lint_one("-- cora-migrate: transaction=false\nCOPY t TO STDOUT;\n")) == "001-m.sql:2 copy_to_stdout");
  }
  SUBCASE("clean: COPY to or from a server file or a program") {
    CHECK(found(lint_one("COPY t TO '/tmp/t.copy';\nCOPY t FROM '/tmp/t.copy';\nCOPY t TO PROGRAM 'cat';\n")) == "");
  }
  SUBCASE("silenced with a reason") {
    CHECK(found(lint_one("-- cora-migrate: ignore=copy_to_stdout reason=\"shows the rows in the log\"\n"
                         "COPY t TO STDOUT;\n")) == "");
  }
}

TEST_CASE("lint: missing_lock_timeout") {
  const std::string alter =
      "-- tighten\nCREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN x int;\nALTER TABLE public.orgs ENABLE ROW LEVEL "
      "SECURITY;\n";
  SUBCASE("configured lock_timeout \"0\": the first statement locking an existing table, once per file") {
    const auto report = lint_one(alter + "ALTER TABLE public.orgs FORCE ROW LEVEL SECURITY;\n", no_lock_timeout());
    CHECK(found(report) == "001-m.sql:4 missing_lock_timeout");
    CHECK_CONTAINS(report.findings.at(0).message, "table public.orgs");
  }
  SUBCASE("other strong locks") {
    CHECK(found(lint_one("CREATE TRIGGER t BEFORE UPDATE ON orgs FOR EACH ROW EXECUTE FUNCTION f();",
                         no_lock_timeout())) == "001-m.sql:1 missing_lock_timeout");
    CHECK(found(lint_one("DROP POLICY IF EXISTS p ON public.orgs;", no_lock_timeout())) ==
          "001-m.sql:1 missing_lock_timeout");
    CHECK(found(lint_one("TRUNCATE orgs;", no_lock_timeout())) == "001-m.sql:1 missing_lock_timeout");
  }
  SUBCASE("clean: the default configuration (10s) already sets one") { CHECK(found(lint_one(alter)) == ""); }
  SUBCASE("clean: a lock_timeout directive, or SET lock_timeout before the statement") {
    CHECK(found(lint_one("-- cora-migrate: lock_timeout=5s\n" + alter, no_lock_timeout())) == "");
    CHECK(found(lint_one("SET lock_timeout = '5s';\n" + alter, no_lock_timeout())) == "");
  }
  SUBCASE("SET lock_timeout after the statement is too late") {
    CHECK(found(lint_one(alter + "SET lock_timeout = '5s';\n", no_lock_timeout())) ==
          "001-m.sql:4 missing_lock_timeout");
  }
  SUBCASE("clean: only tables created in the same file, or CONCURRENTLY") {
    CHECK(found(lint_one("CREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN x int;\nCREATE INDEX ON n (x);\n",
                         no_lock_timeout())) == "");
    CHECK(found(lint_one("-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY i ON orgs (id);\n",
                         no_lock_timeout())) == "");
  }
}

TEST_CASE("lint: silences") {
  SUBCASE("the line before the statement silences that statement, with its reason") {
    const auto report = lint_one(
        "SELECT 1;\n"
        "-- cora-migrate: ignore=create_index_concurrently reason=\"orgs has 12 rows\"\n"
        "CREATE INDEX a ON orgs (name);\n"
        "\n"
        "-- several lines of comment may sit between\n"
        "-- cora-migrate: ignore=create_index_concurrently reason=\"table is empty at this point\"\n"
        "-- more prose\n"
        "CREATE INDEX b ON orgs (slug);\n"
        "CREATE INDEX c ON orgs (owner_id);\n");
    CHECK(found(report) == "001-m.sql:9 create_index_concurrently");
    CHECK(silenced(report) ==
          "3 create_index_concurrently \"orgs has 12 rows\", 8 create_index_concurrently \"table is empty at this "
          "point\"");
    REQUIRE(report.silenced.size() == 2);
    CHECK(report.silenced[0].silence_line == 2);
  }
  SUBCASE("above the first statement is the leading comment block: it covers the whole file") {
    const auto report = lint_one(
        "-- cora-migrate: ignore=create_index_concurrently reason=\"orgs has 12 rows\"\n"
        "CREATE INDEX a ON orgs (name);\n"
        "CREATE INDEX b ON orgs (slug);\n");
    CHECK(found(report) == "");
    CHECK(silenced(report) ==
          "2 create_index_concurrently \"orgs has 12 rows\", 3 create_index_concurrently \"orgs has 12 rows\"");
  }
  SUBCASE("in the leading comment block: the whole file; several rules at once") {
    const auto report = lint_one(
        "-- 009: retire the old columns\n"
        "-- cora-migrate: lock_timeout=5s\n"
        "-- cora-migrate: ignore=drop_column,drop_table reason=\"unused since v2, backed up\"\n"
        "\n"
        "ALTER TABLE orgs DROP COLUMN a;\n"
        "DROP TABLE legacy;\n"
        "CREATE INDEX i ON orgs (b);\n");
    CHECK(found(report) == "001-m.sql:7 create_index_concurrently");
    CHECK(silenced(report) ==
          "5 drop_column \"unused since v2, backed up\", 6 drop_table \"unused since v2, backed up\"");
  }
  SUBCASE("a silence for another rule silences nothing; a comment on the previous statement's line is not a silence") {
    CHECK(
        found(lint_one("SELECT 1;\n-- cora-migrate: ignore=drop_table reason=\"x\"\nCREATE INDEX i ON orgs (b);\n")) ==
        "001-m.sql:3 create_index_concurrently");
    CHECK(found(lint_one("SELECT 1; -- cora-migrate: ignore=create_index_concurrently reason=\"x\"\nCREATE INDEX i ON "
                         "orgs (b);\n")) == "001-m.sql:2 create_index_concurrently");
  }
  SUBCASE("a silence without a reason is an error, before a statement and in the header") {
    const auto before =
        lint_one("SELECT 1;\n-- cora-migrate: ignore=create_index_concurrently\nCREATE INDEX i ON orgs (b);\n");
    CHECK(found(before) == "001-m.sql:2 invalid_silence, 001-m.sql:3 create_index_concurrently");
    CHECK(before.findings.at(0).severity == Severity::error);
    CHECK_CONTAINS(before.findings.at(0).message, "without a reason");

    const auto header = lint_one("-- cora-migrate: ignore=drop_table\nDROP TABLE t;\n");
    CHECK(found(header) == "001-m.sql:1 invalid_silence");
    CHECK(header.findings.at(0).severity == Severity::error);

    CHECK(found(lint_one("SELECT 1;\n-- cora-migrate: ignore=drop_table reason=\"\"\nDROP TABLE t;\n")) ==
          "001-m.sql:2 invalid_silence, 001-m.sql:3 drop_table");
  }
  SUBCASE("unknown rules and other directives before a statement are errors") {
    const auto unknown = lint_one("SELECT 1;\n-- cora-migrate: ignore=drop_tables reason=\"typo\"\nDROP TABLE t;\n");
    CHECK(found(unknown) == "001-m.sql:2 invalid_silence, 001-m.sql:3 drop_table");
    CHECK_CONTAINS(unknown.findings.at(0).hint, "drop_table");
    CHECK(found(lint_one("-- cora-migrate: ignore=nope reason=\"x\"\nSELECT 1;\n")) == "001-m.sql:1 invalid_silence");
    CHECK(found(lint_one("SELECT 1;\n-- cora-migrate: transaction=false\nSELECT 2;\n")) ==
          "001-m.sql:2 invalid_silence");
  }
  SUBCASE("parse_directives reads header silences and still rejects unknown keys") {
    const auto file =
        migration(1,
                  "-- cora-migrate: transaction=false ignore=drop_table reason=\"legacy, see #12\"\nDROP TABLE t;\n");
    const auto directives = cora::parse_directives(file);
    CHECK_FALSE(directives.transaction);
    REQUIRE(directives.silences.size() == 1);
    CHECK(directives.silences[0].rules == std::vector<std::string>{"drop_table"});
    CHECK(directives.silences[0].reason == "legacy, see #12");
    CHECK(directives.silences[0].line == 1);
    const auto error =
        cora::test::error_from([] { cora::parse_directives(migration(1, "-- cora-migrate: colour=red\nSELECT 1;")); });
    REQUIRE(error.has_value());
    CHECK(error->code() == cora::ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "unknown directive \"colour\"");
  }
}

TEST_CASE("lint: errors that stop migrate") {
  SUBCASE("a syntax error, with line and column") {
    const auto report = lint_one("CREATE TABLE t (id int);\n\n  SELEC 1;\n");
    CHECK(found(report) == "001-m.sql:3 invalid_file");
    CHECK(report.findings.at(0).column == 3);
    CHECK(report.findings.at(0).severity == Severity::error);
    CHECK_CONTAINS(report.findings.at(0).message, "syntax error at or near \"SELEC\"");
  }
  SUBCASE("BEGIN in a transactional file") {
    CHECK(found(lint_one("SELECT 1;\nBEGIN;\n")) == "001-m.sql:2 invalid_file");
  }
  SUBCASE("other files are still linted") {
    const auto report = lint({migration(1, "SELEC 1;"), migration(2, "CREATE INDEX i ON t (x);")});
    CHECK(found(report) == "001-m.sql:1 invalid_file, 002-m.sql:1 create_index_concurrently");
  }
}

TEST_CASE("lint: the project's own migrations are clean") {
  const auto files = cora::discover_migrations(cora::test::source_dir() / "migrations");
  REQUIRE(files.size() >= 8);
  const auto report = lint(files);
  CHECK(found(report) == "");
  CHECK(report.files == files.size());
}

TEST_CASE("lint: report formats") {
  const auto report = lint_one("SELECT 1;\nCREATE INDEX i ON orgs (b);\n");
  SUBCASE("human: file:line: warning[rule]: message, an indented help: line, then a summary") {
    const auto text = cora::lint::human_report(report, cora::Style::plain());
    CHECK(text.rfind("migrations/001-m.sql:2: warning[create_index_concurrently]: CREATE INDEX i on public.orgs", 0) ==
          0);
    CHECK_CONTAINS(text, "\n  help: write CREATE INDEX CONCURRENTLY");
    CHECK_CONTAINS(text, "\nlint: 1 file, 1 warning, 0 errors, 0 silenced\n");
  }
  SUBCASE("json") {
    const auto json = nlohmann::json::parse(cora::lint::json_report(report));
    CHECK(json["files"] == 1);
    CHECK(json["summary"]["warnings"] == 1);
    CHECK(json["summary"]["errors"] == 0);
    const auto& finding = json["findings"].at(0);
    CHECK(finding["rule"] == "create_index_concurrently");
    CHECK(finding["severity"] == "warning");
    CHECK(finding["file"] == "migrations/001-m.sql");
    CHECK(finding["line"] == 2);
    CHECK(finding["column"].is_null());
    CHECK(json["silenced"].empty());
  }
}

namespace {

MigrationFile module_file(const std::string& module, const std::string& file_name, const std::string& content) {
  MigrationFile f = migration(1, content);
  f.module = module;
  f.file_name = file_name;
  f.name = file_name.substr(4, file_name.size() - 8);
  f.path = "packages/" + module + "/db/schema/" + file_name;
  return f;
}

std::vector<Finding> module_findings(const std::vector<MigrationFile>& files,
                                     const cora::lint::ModuleClosures& closures) {
  std::vector<LintInput> inputs;
  for (const auto& f : files) inputs.push_back({&f, FileRole::check});
  LintOptions options;
  options.module_closures = closures;
  std::vector<Finding> out;
  for (const auto& f : lint_migrations(inputs, options).findings) {
    if (f.rule == "undeclared_module_dependency") out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_CASE("lint: undeclared_module_dependency") {
  const MigrationFile mgmt =
      module_file("module-mgmt", "001-roles.sql",
                  "CREATE TABLE public.sys_admins (user_id bigint PRIMARY KEY);\n"
                  "CREATE TYPE public.mgmt_level AS ENUM ('a', 'b');\n"
                  "CREATE FUNCTION public.is_sys_admin(p bigint) RETURNS boolean LANGUAGE sql STABLE\n"
                  "AS $$ SELECT EXISTS (SELECT 1 FROM public.sys_admins WHERE user_id = p) $$;\n");
  const cora::lint::ModuleClosures undeclared{{"module-mgmt", {}}, {"module-chat", {}}};
  const cora::lint::ModuleClosures declared{{"module-mgmt", {}}, {"module-chat", {"module-mgmt"}}};

  SUBCASE("a policy calling another module's function: both files, and the depends_on to add") {
    const MigrationFile chat =
        module_file("module-chat", "001-chat.sql",
                    "CREATE TABLE public.chat (id bigint PRIMARY KEY, author bigint);\n"
                    "ALTER TABLE public.chat ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY admins ON public.chat\n  USING (public.is_sys_admin(author));\n");
    // The user sorts first: the creator is found wherever it is in the run.
    const auto found = module_findings({chat, mgmt}, undeclared);
    REQUIRE(found.size() == 1);
    CHECK(found[0].file == "packages/module-chat/db/schema/001-chat.sql");
    CHECK(found[0].line == 4);
    CHECK(found[0].severity == Severity::warning);
    CHECK_CONTAINS(found[0].message,
                   "module-chat uses function public.is_sys_admin, which module module-mgmt creates "
                   "(packages/module-mgmt/db/schema/001-roles.sql:3), but module-chat does not depend on "
                   "module-mgmt");
    CHECK_CONTAINS(found[0].hint, "add \"module-mgmt\" to depends_on in [module.module-chat]");
    CHECK(module_findings({mgmt, chat}, declared).empty());
  }

  SUBCASE("foreign keys, types, triggers, views and function bodies are uses too") {
    const MigrationFile chat =
        module_file("module-chat", "002-more.sql",
                    "CREATE TABLE public.chat_admin (user_id bigint REFERENCES public.sys_admins (user_id), level "
                    "public.mgmt_level);\n"
                    "CREATE VIEW public.chat_admins AS SELECT user_id FROM public.sys_admins;\n"
                    "CREATE FUNCTION public.chat_count() RETURNS bigint LANGUAGE plpgsql AS $$\nBEGIN\n"
                    "  RETURN (SELECT count(*) FROM public.sys_admins);\nEND $$;\n"
                    "CREATE FUNCTION public.chat_check(p bigint) RETURNS boolean LANGUAGE sql AS $$\n  SELECT "
                    "public.is_sys_admin(p)\n$$;\n");
    const auto found = module_findings({mgmt, chat}, undeclared);
    std::vector<std::string> seen;
    for (const auto& f : found) seen.push_back(fmt::format("{}:{}", f.line, f.message.substr(0, f.message.find(','))));
    // One finding per object and file, at its first use; the plpgsql body's line is the file's.
    std::string all;
    for (const auto& line : seen) all += line + "\n";
    INFO(all);
    CHECK(seen == std::vector<std::string>{"1:module-chat uses table public.sys_admins",
                                           "1:module-chat uses type public.mgmt_level",
                                           "8:module-chat uses function public.is_sys_admin inside a function body"});
    CHECK(module_findings({mgmt, chat}, declared).empty());
  }

  SUBCASE("a use inside a body is a run-time dependency; advice that would close a cycle is never given") {
    const MigrationFile chat = module_file("module-chat", "001-chat.sql",
                                           "CREATE FUNCTION public.chat_check(p bigint) RETURNS boolean LANGUAGE sql "
                                           "AS $$\n  SELECT public.is_sys_admin(p)\n$$;\n");
    const auto free = module_findings({mgmt, chat}, undeclared);
    REQUIRE(free.size() == 1);
    CHECK_CONTAINS(free[0].message, "a run-time dependency");
    CHECK_CONTAINS(free[0].hint, "or add \"module-mgmt\" to depends_on in [module.module-chat]");
    // mgmt depends on chat: adding chat -> mgmt would close a cycle.
    const cora::lint::ModuleClosures mgmt_needs_chat{{"module-mgmt", {"module-chat"}}, {"module-chat", {}}};
    const auto cycle = module_findings({mgmt, chat}, mgmt_needs_chat);
    REQUIRE(cycle.size() == 1);
    CHECK_CONTAINS(cycle[0].hint, "do not add depends_on: module-mgmt needs module-chat at creation time");
    CHECK(cycle[0].hint.find("add \"module-mgmt\"") == std::string::npos);
  }

  SUBCASE("its own objects, unknown ones and a project without modules are no finding") {
    const MigrationFile chat =
        module_file("module-chat", "001-chat.sql",
                    "CREATE TABLE IF NOT EXISTS public.sys_admins (user_id bigint PRIMARY KEY);\n"
                    "CREATE TABLE public.t (id bigint REFERENCES auth.users (id));\n");
    CHECK(module_findings({mgmt, chat}, undeclared).empty());
    CHECK(module_findings({mgmt, chat}, {}).empty());
  }

  SUBCASE("a silence comment with a reason silences it") {
    const MigrationFile chat =
        module_file("module-chat", "001-chat.sql",
                    "-- cora-migrate: ignore=undeclared_module_dependency reason=\"mgmt is always there\"\n"
                    "CREATE VIEW public.v AS SELECT * FROM public.sys_admins;\n");
    CHECK(module_findings({mgmt, chat}, undeclared).empty());
  }
}
