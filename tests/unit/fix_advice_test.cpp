// What a report tells a person to do next: verify names the file, its line and the command that
// fits the file (re-run it, add a migration, run the pending one, create the object); the lint's
// advice goes on its own indented `help:` line; long advice wraps. No database.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/diff/object_sources.hpp"
#include "cora/lint/report.hpp"
#include "cora/output/terminal.hpp"
#include "cora/output/wrap.hpp"
#include "cora/util/text_lines.hpp"
#include "cora/verify/finding_sources.hpp"
#include "cora/verify/report.hpp"
#include "lint_test_helpers.hpp"
#include "support/run_cli.hpp"

using cora::CheckOutcome;
using cora::fix_advice;
using cora::HistoryRecord;
using cora::ObjectOrigin;
using cora::ObjectSources;
using cora::PreparedMigration;
using cora::test::migration;

namespace {

using cora::lines_of;

// The lint finding both layout tests print: a not_null_without_default warning at 009:17.
cora::lint::Finding not_null_warning(const std::string& message, const std::string& hint) {
  cora::lint::Finding f;
  f.rule = "not_null_without_default";
  f.severity = cora::lint::Severity::warning;
  f.file = "migrations/009-add-teams.sql";
  f.line = 17;
  f.message = message;
  f.hint = hint;
  return f;
}

CheckOutcome failed_function_check(const std::string& subject) {
  CheckOutcome o;
  o.kind = "function";
  o.subject = subject;
  o.findings.push_back({cora::Severity::error, "a body", "another body", "fix the function's body"});
  return o;
}

}  // namespace

TEST_CASE("fix_advice: the command fits the file that made the object") {
  ObjectOrigin origin;
  origin.file = "migrations/007-auth.sql";
  origin.line = 12;
  origin.selector = "7";

  SUBCASE("an applied file that may run again: edit it, then re-apply it by its selector") {
    origin.rerunnable = true;
    CHECK(fix_advice(origin, "public.log_auth_event") ==
          "edit migrations/007-auth.sql:12, then run: cora-migrate migrate --reapply 7");
  }
  SUBCASE("an applied file that may not run twice: a new migration named after the object") {
    CHECK(fix_advice(origin, "public.log_auth_event(text)") ==
          "migrations/007-auth.sql:12 is applied and does not run twice: change it in a new migration: "
          "cora-migrate new fix-log-auth-event");
  }
  SUBCASE("in a module, the new migration goes to that module") {
    origin.module = "module-access";
    CHECK(fix_advice(origin, "public.user_sessions") ==
          "migrations/007-auth.sql:12 is applied and does not run twice: change it in a new migration: "
          "cora-migrate new fix-user-sessions --module module-access");
  }
  SUBCASE("an applied file that re-creates the object (CREATE OR REPLACE): re-apply it, --force when unchanged") {
    origin.recreates = true;
    CHECK(fix_advice(origin, "public.log_auth_event") ==
          "migrations/007-auth.sql:12 re-creates it: edit the file, then run: cora-migrate migrate --reapply 7 (if the "
          "file is right, add --force)");
  }
  SUBCASE("a file that has not run: migrate, not --reapply") {
    origin.pending = true;
    origin.rerunnable = true;
    CHECK(fix_advice(origin, "public.t") ==
          "migrations/007-auth.sql:12 has not run on this database: cora-migrate migrate");
  }
  SUBCASE("a module's schema file runs again when it changes: plain migrate") {
    origin.snapshot = true;
    CHECK(fix_advice(origin, "public.t") ==
          "edit migrations/007-auth.sql:12, then run: cora-migrate migrate (a changed schema file runs again)");
  }
  SUBCASE("no file creates it: write it in a new migration") {
    const ObjectOrigin none;
    CHECK(fix_advice(none, "public.items items_owner") == "write it in a new migration: cora-migrate new items-owner");
  }
}

TEST_CASE("attribute_outcomes: selector, rerunnable and pending come from the file and the history") {
  auto first = migration(1,
                         "-- cora-migrate: rerunnable=true\nCREATE OR REPLACE FUNCTION public.f() RETURNS int\n"
                         "LANGUAGE sql AS 'SELECT 1';\n");
  auto second = migration(2,
                          "CREATE FUNCTION public.g() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
                          "CREATE OR REPLACE FUNCTION public.h() RETURNS int LANGUAGE sql AS 'SELECT 3';\n"
                          "GRANT EXECUTE ON FUNCTION public.h() TO anon;\n");
  const std::vector<cora::MigrationFile> files{first, second};
  const std::vector<PreparedMigration> prepared{cora::prepare_migration(files[0]), cora::prepare_migration(files[1])};
  const ObjectSources sources(prepared);
  const cora::SourceFiles facts{&files, cora::touched_objects(prepared), false};
  std::vector<CheckOutcome> outcomes{failed_function_check("public.f()"), failed_function_check("public.g()"),
                                     failed_function_check("public.h()")};
  HistoryRecord applied;
  applied.version = 1;
  applied.name = files[0].name;
  applied.checksum = files[0].checksum;
  applied.state = "applied";
  const std::vector<HistoryRecord> history{applied};
  cora::attribute_outcomes(outcomes, sources, &facts, &history);

  REQUIRE(outcomes[0].source);
  CHECK(outcomes[0].source->line == 2);
  CHECK(outcomes[0].source->selector == "1");
  CHECK(outcomes[0].source->rerunnable);
  CHECK_FALSE(outcomes[0].source->pending);
  REQUIRE(outcomes[1].source);
  CHECK_FALSE(outcomes[1].source->rerunnable);
  CHECK(outcomes[1].source->pending);          // no history row for version 2
  CHECK_FALSE(outcomes[1].source->recreates);  // a plain CREATE FUNCTION fails when run again
  REQUIRE(outcomes[2].source);
  CHECK(outcomes[2].source->line == 3);  // the GRANT is its last change
  CHECK(outcomes[2].source->recreates);  // and the file's CREATE OR REPLACE runs before it again

  cora::attribute_outcomes(outcomes, sources, &facts);  // no history read: taken as applied
  CHECK_FALSE(outcomes[1].source->pending);

  SUBCASE("a row left running (transaction=false stopped part-way) is dirty: repair, not --reapply") {
    auto running = history;
    running[0].state = "running";
    cora::attribute_outcomes(outcomes, sources, &facts, &running);
    CHECK(outcomes[0].source->dirty);
    CHECK(fix_advice(*outcomes[0].source, "public.f()") ==
          "migrations/001-m.sql:2 stopped part-way (dirty): finish or undo its statements by hand, then run: "
          "cora-migrate repair 1");
  }
  SUBCASE("a row of another file under the version: this file never ran") {
    auto other = history;
    other[0].name = "another";
    cora::attribute_outcomes(outcomes, sources, &facts, &other);
    CHECK(outcomes[0].source->pending);
  }
}

TEST_CASE("attribute_outcomes: running a file again is no answer when a later file changes what it defines") {
  auto first = migration(5,
                         "CREATE OR REPLACE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                         "CREATE OR REPLACE VIEW public.v AS SELECT 1 AS a;\n");
  auto later = migration(9, "CREATE OR REPLACE VIEW public.v AS SELECT 1 AS a, 2 AS b;\n");
  const std::vector<cora::MigrationFile> files{first, later};
  const std::vector<PreparedMigration> prepared{cora::prepare_migration(files[0]), cora::prepare_migration(files[1])};
  const ObjectSources sources(prepared);
  const cora::SourceFiles facts{&files, cora::touched_objects(prepared), false};
  std::vector<CheckOutcome> outcomes{failed_function_check("public.f()")};
  cora::attribute_outcomes(outcomes, sources, &facts);
  REQUIRE(outcomes[0].source);
  CHECK_FALSE(outcomes[0].source->recreates);  // file 5 would put back its own v over file 9's
  CHECK(fix_advice(*outcomes[0].source, "public.f()").find("new migration: cora-migrate new fix-f") !=
        std::string::npos);

  cora::attribute_outcomes(outcomes, sources);  // without the files' facts: the statement alone
  CHECK(outcomes[0].source->recreates);
}

TEST_CASE("fix_advice: names for new files, and --module where the project needs it") {
  ObjectOrigin none;
  CHECK(fix_advice(none, "public.\"MyTable\"") == "write it in a new migration: cora-migrate new mytable");
  CHECK(fix_advice(none, "public.\"__\"") == "write it in a new migration: cora-migrate new schema");
  none.in_modules = true;
  CHECK(fix_advice(none, "public.t") == "write it in a new migration: cora-migrate new t --module MODULE");
  ObjectOrigin applied;
  applied.file = "migrations/002-x.sql";
  applied.line = 1;
  applied.selector = "2";
  CHECK(fix_advice(applied, "public.\"__\"") ==
        "migrations/002-x.sql:1 is applied and does not run twice: change it in a new migration: cora-migrate new "
        "fix-schema");
}

TEST_CASE("lint: a short finding on one line, what to do on an indented help: line") {
  auto f = not_null_warning("ADD COLUMN team_limit NOT NULL", "give it a DEFAULT");
  const auto lines = lines_of(cora::lint::format_finding(f, cora::Style::plain()));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "migrations/009-add-teams.sql:17: warning[not_null_without_default]: ADD COLUMN team_limit NOT NULL");
  CHECK(lines[1] == "  help: give it a DEFAULT");

  f.hint.clear();
  CHECK(lines_of(cora::lint::format_finding(f, cora::Style::plain())).size() == 1);
}

TEST_CASE("lint: a long message wraps two columns in; the help: line follows, none over 100 columns") {
  const auto f = not_null_warning(
      "ADD COLUMN team_limit NOT NULL without a DEFAULT on public.orgs, a table that already exists: it fails "
      "with \"column contains null values\" [SQLSTATE 23502] as soon as the table has a row",
      "give it a DEFAULT (a constant one costs no table rewrite on PostgreSQL 11+), or add it nullable, fill it, "
      "then ALTER COLUMN ... SET NOT NULL");
  const auto lines = lines_of(cora::lint::format_finding(f, cora::Style::plain(100)));
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0].rfind("migrations/009-add-teams.sql:17: warning[not_null_without_default]: ADD COLUMN team_limit",
                       0) == 0);
  CHECK(lines[1].rfind("  ", 0) == 0);
  CHECK(lines[1][2] != ' ');
  std::size_t help = 0;
  while (help < lines.size() && lines[help].rfind("  help: ", 0) != 0) ++help;
  REQUIRE(help < lines.size());
  CHECK(lines[help] ==
        "  help: give it a DEFAULT (a constant one costs no table rewrite on PostgreSQL 11+), or add it");
  CHECK(lines.back().rfind("        ", 0) == 0);  // lined up under the help text
  for (const auto& line : lines) CHECK(line.size() <= 100);
  // The tests' reader joins it back: message and help each on one line again.
  CHECK(cora::test::unwrapped(cora::lint::format_finding(f, cora::Style::plain(100))) ==
        "migrations/009-add-teams.sql:17: warning[not_null_without_default]: " + f.message + "\n  help: " + f.hint);
}

TEST_CASE("wrap_text: never inside a code span or a quoted name") {
  CHECK(cora::wrap_text("> ", "run `cora-migrate migrate --reapply 7` now", 20) ==
        "> run\n  `cora-migrate migrate --reapply 7`\n  now");
  CHECK(cora::wrap_text("> ", "table \"my table\" is open", 12) == "> table\n  \"my table\"\n  is open");
  // An apostrophe is no quote.
  CHECK(cora::wrap_text("> ", "the file's line is long", 12) == "> the file's\n  line is\n  long");
  // No width: one line, whatever its length.
  const std::string words(50, 'w');
  CHECK(cora::wrap_text("> ", words + " " + words + " " + words, cora::kNoWrap).find('\n') == std::string::npos);
}

TEST_CASE("wrap_text: breaks at spaces within the width, keeps a long word whole") {
  CHECK(cora::wrap_text("  help: ", "short advice", 100) == "  help: short advice");
  CHECK(cora::wrap_text("  help: ", "short advice", cora::kNoWrap) == "  help: short advice");
  CHECK(cora::wrap_text("> ", "aaa bbb ccc", 9) == "> aaa bbb\n  ccc");
  CHECK(cora::wrap_text("> ", "averyveryverylongword x", 9) == "> averyveryverylongword\n  x");
  CHECK(cora::wrap_text("> ", "", 9) == "> ");
  // Blanks inside a value are kept (a mismatch only in blanks must still show); only the space a
  // break replaces goes.
  CHECK(cora::wrap_text("> ", "'a  b'", 20) == "> 'a  b'");
  CHECK(cora::wrap_text("> ", "aaa  bbb", 6) == "> aaa \n  bbb");
  // The text's own newline starts an indented line, and the width counts from there.
  CHECK(cora::wrap_text("> ", "one\ntwo three", 9) == "> one\n  two\n  three");
}

TEST_CASE("verify's summary counts in words: 1 error, 1 warning, 1 query; 2 of each in plural") {
  CheckOutcome warned;
  warned.kind = "lint:rls_enabled_no_policy";
  warned.subject = "public.teams";
  warned.findings.push_back({cora::Severity::warning, "a policy", "none", "add one"});
  CheckOutcome failed = failed_function_check("public.f()");
  cora::VerifySummary summary;
  summary.database = "db";
  summary.queries = 1;
  const auto one = cora::render_human({warned, failed}, summary, cora::Style::plain());
  // A warning alone does not fail: the checks are counted apart from their findings, and add up.
  CHECK(one.find("2 checks and lints: 0 passed, 1 warned, 1 failed; findings: 1 error, 1 warning; 1 query to db\n") !=
        std::string::npos);
  CHECK(one.find("FAIL built-in lints (2 checked, 1 warned, 1 failed)\n") != std::string::npos);
  const auto warnings_only = cora::render_human({warned}, summary, cora::Style::plain());
  CHECK(warnings_only.find("WARN built-in lints (1 checked, 1 warned, 0 failed)\n") != std::string::npos);
  CHECK(warnings_only.find("FAIL") == std::string::npos);
  summary.queries = 2;
  const auto two = cora::render_human({warned, warned, failed, failed}, summary, cora::Style::plain());
  CHECK(
      two.find("4 checks and lints: 0 passed, 2 warned, 2 failed; findings: 2 errors, 2 warnings; 2 queries to db\n") !=
      std::string::npos);
}
