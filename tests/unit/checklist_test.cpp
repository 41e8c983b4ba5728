// Checklist files, check references, evidence rules and the Markdown report: pure, no database.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "cora/checklist/checklist.hpp"
#include "cora/checklist/checklist_report.hpp"
#include "cora/checklist/checklist_result.hpp"
#include "cora/checklist/evidence.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "unit_helpers.hpp"
#include "cora/checks/check_loader.hpp"

using cora::Checklist;
using cora::ExitCode;
using cora::ItemKind;
using cora::parse_checklist_text;
using cora::test::error_from;
using cora::test::ScratchDir;

namespace {

// A valid file with one item of each kind; tests append or replace parts.
const std::string kScenario = R"(title = "T"

[[scenario]]
name = "flow"
  [[scenario.step]]
  name = "first"
  sql = "SELECT 1; SELECT 2"
  [[scenario.step]]
  name = "second"
  role = "service_role"
  claims = { role = "service_role" }
  sql = ["SELECT 3"]
)";

const std::string kSections = R"(
[[section]]
name = "S"
  [[section.item]]
  id = "a"
  kind = "automatic"
  text = "A"
  checks = ["table user_sessions"]
  [[section.item]]
  id = "s"
  kind = "scenario"
  text = "S"
  scenario = "flow"
  after = "first"
    [[section.item.expect]]
    sql = """
    SELECT count(*)
    FROM t"""
    rows = [["1"]]
  [[section.item]]
  id = "e"
  kind = "evidence"
  text = "E"
  evidence = "log"
  absent = ["Failed"]
  [[section.item]]
  id = "m"
  kind = "manual"
  text = "M"
  how = "look"
)";

Checklist parse(const std::string& text) { return parse_checklist_text(text, "list.toml"); }

// Asserts that `text` is refused as configuration with a message containing `fragment`.
void check_error(const std::string& text, const std::string& fragment) {
  const auto error = error_from([&] { parse(text); });
  REQUIRE_MESSAGE(error.has_value(), "accepted: " << text);
  CHECK(error->code() == ExitCode::config);
  CHECK_CONTAINS(error->what(), fragment);
}

cora::CheckSet declared_checks() {
  cora::CheckSet set;
  cora::parse_check_text(R"(
[[table]]
name = "public.user_sessions"
[[policy]]
table = "public.user_sessions"
name = "user_sessions_service_role"
[[function]]
name = "public.end_user_session"
arguments = "p_session_id uuid"
[[function]]
name = "public.log_auth_event"
[[probe]]
name = "service_role can insert"
role = "service_role"
sql = "SELECT 1"
)",
                         "checks/c.toml", set);
  return set;
}

}  // namespace

TEST_CASE("parse_checklist_text: a file with each kind of item") {
  const auto c = parse(kScenario + kSections);
  CHECK(c.title == "T");
  REQUIRE(c.sections.size() == 1);
  const auto& items = c.sections[0].items;
  REQUIRE(items.size() == 4);
  CHECK(items[0].kind == ItemKind::automatic);
  CHECK(items[0].check_references == std::vector<std::string>{"table user_sessions"});
  CHECK(items[0].check_references_line == 20);
  CHECK(items[1].kind == ItemKind::scenario);
  CHECK(items[1].after_step == 0);
  REQUIRE(items[1].expect.size() == 1);
  CHECK(items[1].expect[0].what == "SELECT count(*)");  // the query's first line when no `what`
  CHECK(items[1].expect[0].origin.line == 27);
  CHECK(items[2].kind == ItemKind::evidence);
  CHECK(items[2].absent == std::vector<std::string>{"Failed"});
  CHECK(items[3].kind == ItemKind::manual);
  CHECK(items[0].origin.line == 16);
  REQUIRE(c.scenarios.size() == 1);
  const auto& steps = c.scenarios[0].steps;
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].statements == std::vector<std::string>{"SELECT 1", "SELECT 2"});  // split by PostgreSQL's parser
  CHECK(!steps[0].role);
  CHECK(*steps[1].role == "service_role");
  CHECK(nlohmann::json::parse(*steps[1].claims) == nlohmann::json{{"role", "service_role"}});
  CHECK(c.evidence_names() == std::vector<std::string>{"log"});
  CHECK(c.find_item("m") == &items[3]);
  CHECK(c.find_item("zz") == nullptr);

  SUBCASE("a scenario item without `after` is checked after the last step") {
    std::string text = kScenario + kSections;
    text.replace(text.find("  after = \"first\"\n"), 18, "");
    CHECK(parse(text).sections[0].items[1].after_step == 1);
  }
}

TEST_CASE("parse_checklist_text: the shipped Phase 14 checklist") {
  const auto c = cora::load_checklist(cora::test::source_dir() / "checks/checklists/phase-14-session-tracking.toml");
  std::vector<std::string> sections;
  std::size_t automatic = 0, scenario = 0, evidence = 0, manual = 0;
  for (const auto& s : c.sections) {
    sections.push_back(s.name);
    for (const auto& i : s.items) {
      automatic += i.kind == ItemKind::automatic ? 1U : 0U;
      scenario += i.kind == ItemKind::scenario ? 1U : 0U;
      evidence += i.kind == ItemKind::evidence ? 1U : 0U;
      manual += i.kind == ItemKind::manual ? 1U : 0U;
    }
  }
  // The guide's four sections and its 19 items.
  CHECK(sections == std::vector<std::string>{"Database", "Lambda Functions", "Frontend", "End-to-End Flow"});
  CHECK(automatic == 4);
  CHECK(scenario == 6);
  CHECK(evidence == 6);
  CHECK(manual == 3);
  CHECK(c.figures.size() == 2);
  // Every reference resolves against the shipped checks.
  auto resolved = c;
  cora::resolve_check_references(resolved, cora::load_checks(cora::test::source_dir() / "checks"));
  const auto* function_item = resolved.find_item("log-auth-event-function");
  REQUIRE(function_item);
  CHECK(function_item->checks.functions.size() == 1);
  CHECK(function_item->checks.probes.size() == 1);
}

TEST_CASE("parse_checklist_text, error handling: file, line and key") {
  SUBCASE("TOML syntax") { check_error("title = \"T\"\n[[section]\n", "list.toml:2:"); }
  SUBCASE("unknown top-level key") {
    check_error("colour = 1\n" + kScenario + kSections, "list.toml:1: colour: unknown key");
  }
  SUBCASE("unknown key in a scenario step") {
    check_error(kScenario + "colour = 1\n" + kSections, "list.toml:13: scenario.step.colour: unknown key");
  }
  SUBCASE("no sections") { check_error("title = \"T\"\n", "section: is required"); }
  SUBCASE("missing title") { check_error(kSections, "title: is required"); }
  SUBCASE("unknown kind") {
    std::string text = kScenario + kSections;
    text.replace(text.find("kind = \"manual\""), 15, "kind = \"auto\"");
    check_error(text, "list.toml:40: section.item.kind: must be automatic, scenario, evidence or manual, not \"auto\"");
  }
  SUBCASE("a key that does not go with the item's kind") {
    check_error(kScenario + kSections + "  absent = [\"x\"]\n", "list.toml:43: section.item.absent: unknown key");
  }
  SUBCASE("manual item without how") {
    std::string text = kScenario + kSections;
    text.replace(text.find("  how = \"look\"\n"), 15, "");
    check_error(text, "list.toml:38: section.item.how: is required for a manual item");
  }
  SUBCASE("duplicate id") {
    std::string text = kScenario + kSections;
    text.replace(text.find("id = \"m\""), 8, "id = \"a\"");
    check_error(text, "list.toml:39: section.item.id: \"a\" is already used");
  }
  SUBCASE("an id that needs quoting on the command line") {
    std::string text = kScenario + kSections;
    text.replace(text.find("id = \"m\""), 8, "id = \"My Item\"");
    check_error(text, "list.toml:39: section.item.id: must be lower-case letters");
  }
  SUBCASE("unknown scenario") {
    std::string text = kScenario + kSections;
    text.replace(text.find("scenario = \"flow\""), 17, "scenario = \"flw\"");
    check_error(text, "list.toml:25: section.item.scenario: no [[scenario]] is named \"flw\" (declared: flow)");
  }
  SUBCASE("unknown step") {
    std::string text = kScenario + kSections;
    text.replace(text.find("after = \"first\""), 15, "after = \"third\"");
    check_error(
        text,
        "list.toml:26: section.item.after: scenario \"flow\" has no step \"third\" (its steps: \"first\", \"second\")");
  }
  SUBCASE("scenario SQL that does not parse") {
    std::string text = kScenario + kSections;
    text.replace(text.find("SELECT 1; SELECT 2"), 18, "SELECT 1;\\nSELEC 2");
    check_error(text, "list.toml:7: scenario.step.sql: line 2 column 1 of the SQL: syntax error at or near \"SELEC\"");
  }
  SUBCASE("transaction control in a scenario") {
    std::string text = kScenario + kSections;
    text.replace(text.find("\"SELECT 3\""), 10, "\"SELECT 3\", \"COMMIT\"");
    check_error(
        text,
        "list.toml:12: scenario.step.sql: transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is not allowed");
  }
  SUBCASE("an expectation of two statements") {
    std::string text = kScenario + kSections;
    text.replace(text.find("FROM t\"\"\""), 9, "FROM t; SELECT 2\"\"\"");
    check_error(text, "list.toml:28: section.item.expect.sql: must be one statement, not 2");
  }
  SUBCASE("an expectation without rows") {
    std::string text = kScenario + kSections;
    text.replace(text.find("    rows = [[\"1\"]]\n"), 19, "");
    check_error(text, "list.toml:27: section.item.expect.rows: is required");
  }
  SUBCASE("rows that are not strings") {
    std::string text = kScenario + kSections;
    text.replace(text.find("rows = [[\"1\"]]"), 14, "rows = [[1]]");
    check_error(text, "list.toml:31: section.item.expect.rows: cells are strings");
  }
  SUBCASE("an evidence item without rules") {
    std::string text = kScenario + kSections;
    text.replace(text.find("  absent = [\"Failed\"]\n"), 22, "");
    check_error(text, "list.toml:32: section.item.present: an evidence item needs present");
  }
  SUBCASE("an automatic item without checks") {
    std::string text = kScenario + kSections;
    text.replace(text.find("  checks = [\"table user_sessions\"]\n"), 35, "");
    check_error(text, "list.toml:16: section.item.checks: an automatic item needs checks");
  }
  SUBCASE("an inline check is read as in check files") {
    check_error(kScenario + kSections +
                    "[[section.item]]\nid = \"p\"\nkind = \"automatic\"\ntext = \"P\"\n"
                    "[[section.item.probe]]\nname = \"x\"\nrole = \"anon\"\n",
                "list.toml:47: probe.sql: is required");
  }
  SUBCASE("a figure of two statements") {
    check_error(kScenario + kSections + "[[figure]]\nlabel = \"F\"\nsql = \"SELECT 1; SELECT 2\"\n",
                "list.toml:45: figure.sql: must be one statement, not 2");
  }
}

TEST_CASE("resolve_check_references: KIND SUBJECT as verify reports it") {
  auto with = [](const std::string& references) {
    return parse(kScenario +
                 "\n[[section]]\nname = \"S\"\n[[section.item]]\nid = \"a\"\nkind = \"automatic\"\ntext = \"A\"\n"
                 "checks = [" +
                 references + "]\n");
  };
  SUBCASE("each kind, names without a schema meaning public") {
    auto c = with(
        "\"table user_sessions\", \"policy user_sessions user_sessions_service_role\", "
        "\"function public.end_user_session(p_session_id uuid)\", \"function log_auth_event\", "
        "\"probe service_role can insert\"");
    cora::resolve_check_references(c, declared_checks());
    const auto& checks = c.sections[0].items[0].checks;
    CHECK(checks.tables.size() == 1);
    CHECK(checks.policies.size() == 1);
    CHECK(checks.functions.size() == 2);
    CHECK(checks.probes.size() == 1);
    CHECK(checks.probes[0].origin.file == "checks/c.toml");
  }
  SUBCASE("a reference that matches nothing names the item's line and what exists") {
    auto c = with("\"function public.end_user_session(p_session_id text)\"");
    const auto error = error_from([&] { cora::resolve_check_references(c, declared_checks()); });
    REQUIRE(error);
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), "list.toml:20: section.item.checks: no function check in the checks folder matches");
    CHECK_CONTAINS(error->what(), "(declared: public.end_user_session(p_session_id uuid), public.log_auth_event)");
  }
  SUBCASE("an unknown kind") {
    auto c = with("\"view public.v\"");
    const auto error = error_from([&] { cora::resolve_check_references(c, declared_checks()); });
    REQUIRE(error);
    CHECK_CONTAINS(error->what(), "\"view public.v\" must start with table, index, policy, function, role or probe");
  }
}

TEST_CASE("find_checklist: a name, a path, or the only file") {
  ScratchDir dir;
  const auto checks = dir.path() / "checks";
  SUBCASE("no checklists folder") {
    const auto error = error_from([&] { cora::find_checklist(checks, ""); });
    REQUIRE(error);
    CHECK(error->code() == ExitCode::usage);
    CHECK_CONTAINS(error->what(), "no checklist files in");
  }
  dir.write("checks/checklists/one.toml", "");
  CHECK(cora::find_checklist(checks, "") == checks / "checklists/one.toml");
  CHECK(cora::find_checklist(checks, "one") == checks / "checklists/one.toml");
  CHECK(cora::find_checklist(checks, "elsewhere/x.toml") == "elsewhere/x.toml");
  dir.write("checks/checklists/two.toml", "");
  const auto several = error_from([&] { cora::find_checklist(checks, ""); });
  REQUIRE(several);
  CHECK_CONTAINS(several->hint(), "one, two");
  const auto unknown = error_from([&] { cora::find_checklist(checks, "three"); });
  REQUIRE(unknown);
  CHECK_CONTAINS(unknown->what(), "no checklist \"three\"");
}

TEST_CASE("check_evidence: present and absent rules, line by line") {
  cora::ChecklistItem item;
  item.present = {"Started session"};
  item.absent = {"Failed to log"};
  const auto rules =
      cora::check_evidence(item, "a\r\n[INFO] Started session 1\nFailed to log bootstrap event: x\r\nFailed to log y");
  REQUIRE(rules.size() == 2);
  CHECK(rules[0].passed());
  REQUIRE(rules[0].matches.size() == 1);
  CHECK(rules[0].matches[0].number == 2);
  CHECK(!rules[1].passed());
  REQUIRE(rules[1].matches.size() == 2);
  CHECK(rules[1].matches[0].number == 3);
  CHECK(rules[1].matches[0].text == "Failed to log bootstrap event: x");  // without the CR
  CHECK(rules[1].lines_read == 4);
  const auto none = cora::check_evidence(item, "");
  CHECK(!none[0].passed());
  CHECK(none[1].passed());
}

TEST_CASE("parse_evidence_argument") {
  CHECK(cora::parse_evidence_argument("lambda-log=a=b.log") ==
        std::pair<std::string, std::string>{"lambda-log", "a=b.log"});
  CHECK(cora::parse_evidence_argument("x=-").second == "-");
  for (const char* bad : {"lambda-log", "=file", "name="}) {
    const auto error = error_from([&] { cora::parse_evidence_argument(bad); });
    REQUIRE(error);
    CHECK(error->code() == ExitCode::usage);
  }
}

TEST_CASE("render_checklist_markdown: GitHub task lists") {
  cora::ChecklistItem ticked, failed, manual, evidence;
  ticked.text = "`user_auth_log` table exists";
  ticked.kind = ItemKind::automatic;
  failed.text = "Lambda logs show NO \"Failed to log\" errors";
  failed.kind = ItemKind::evidence;
  manual.id = "login-endpoint";
  manual.text = "Login endpoint deployed";
  manual.kind = ItemKind::manual;
  manual.how = "Sign in\nand look.";
  evidence.text = "Started session";
  evidence.kind = ItemKind::evidence;
  cora::ChecklistResult result;
  result.title = "Phase 14";
  result.file = "c.toml";
  result.database = "db";
  result.sections.push_back(
      {"Database",
       {{&ticked,
         cora::ItemState::ticked,
         "",
         {{true, "table public.user_auth_log", {}, ""}, {true, "probe \"p\"", {}, ""}}},
        {&failed,
         cora::ItemState::failed,
         "",
         {{false, "\"Failed to log\" found on 1 line of l.log", {"l.log:3: a `b` c"}, ""}}},
        {&manual, cora::ItemState::unticked, "manual", {}},
        {&evidence, cora::ItemState::unticked, "no evidence given: pass --evidence lambda-log=FILE", {}}}});
  result.figures.push_back({"Active sessions", std::string("3"), ""});
  result.figures.push_back({"Average", std::nullopt, "public.user_sessions does not exist"});
  const auto md = cora::render_checklist_markdown(result);
  CHECK_CONTAINS(md, "## Phase 14\n");
  CHECK_CONTAINS(
      md, "### Database\n\n- [x] `user_auth_log` table exists\n  - ✓ table public.user_auth_log · probe \"p\"\n");
  CHECK_CONTAINS(md,
                 "- [ ] **FAILED** Lambda logs show NO \"Failed to log\" errors\n"
                 "  - ✗ \"Failed to log\" found on 1 line of l.log\n    - ``l.log:3: a `b` c``\n");
  CHECK_CONTAINS(
      md,
      "- [ ] Login endpoint deployed\n  - _manual: check by hand, then run again with --confirm login-endpoint_\n"
      "  - how: Sign in and look.\n");
  CHECK_CONTAINS(md, "- [ ] Started session\n  - _no evidence given: pass --evidence lambda-log=FILE_\n");
  CHECK_CONTAINS(md, "| Active sessions | 3 |\n| Average | n/a (public.user_sessions does not exist) |\n");
  CHECK_CONTAINS(md, "**1 of 4 items ticked: 1 failed, 1 manual, 1 without evidence**\n");
  CHECK(!cora::checklist_passed(result));

  SUBCASE("--strict: unticked items fail the run; without failures and unticked items it passes") {
    result.sections[0].items.erase(result.sections[0].items.begin() + 1);
    CHECK(cora::checklist_passed(result));
    result.strict = true;
    CHECK(!cora::checklist_passed(result));
    CHECK_CONTAINS(cora::checklist_summary(result), "(--strict: unticked items fail the run)");
  }
}
