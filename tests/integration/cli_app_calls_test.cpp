// The backend's data API calls checked against the schema ([app], docs/app-calls.md): the built
// binary on tests/fixtures/app-backend, a project with the CORA toolkit's backend shape (a shared
// layer with the helpers and a wrapper, two lambdas), offline with `lint` and live with `verify`.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <string>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

const std::string kKb = "backend/lambdas/kb/lambda_function.py";
const std::string kSessions = "backend/lambdas/sessions/lambda_function.py";

// Every wrong call of the fixture, and only those: each clean call (multi-line, keyword
// arguments, a dict built before the call, a module constant, the wrapper, overloads, a view,
// client.table) would add a line here if it were reported.
const std::set<std::string> kExpected{
    kKb + ":6 app_unknown_parameter",         // p_kb_id for p_kb_ids
    kKb + ":18 app_unknown_column",           // a filter on a column the view does not have
    kKb + ":24 app_unknown_table",            // kb_documents
    kKb + ":25 app_unknown_column",           // titel, through execute_query's data=
    kKb + ":27 app_unknown_column",           // titl, in client.table(...).update({...})
    kSessions + ":29 app_unknown_function",   // end_user_session, inside a try
    kSessions + ":33 app_unknown_parameter",  // p_event, through the wrapper
    kSessions + ":38 app_role_not_granted",   // DELETE revoked from service_role
};

void copy_fixture(const ScratchDir& dir) {
  std::filesystem::copy(source_dir() / "tests" / "fixtures" / "app-backend", dir.path(),
                        std::filesystem::copy_options::recursive);
}

std::set<std::string> lint_findings(const nlohmann::json& doc) {
  std::set<std::string> out;
  for (const auto& f : doc["findings"]) {
    out.insert(
        fmt::format("{}:{} {}", f["file"].get<std::string>(), f["line"].get<int>(), f["rule"].get<std::string>()));
  }
  return out;
}

std::string message_at(const nlohmann::json& doc, const std::string& file, int line) {
  for (const auto& f : doc["findings"]) {
    if (f["file"] == file && f["line"] == line) return f["message"].get<std::string>();
  }
  return "";
}

}  // namespace

TEST_CASE("cora-migrate lint: the backend's calls against the migration files, no false positive") {
  ScratchDir dir;
  copy_fixture(dir);
  const auto r = lint_in(dir, {"--format", "json"});
  CHECK_MESSAGE(r.exit_code == 4, r.err);  // errors, as for any lint error
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(lint_findings(doc) == kExpected);
  CHECK(doc["app"]["files"] == 5);
  CHECK(doc["app"]["calls"] == 19);
  CHECK(doc["app"]["not_checked"] == 1);  // rpc(ACTIONS[action], ...)

  // One line: what is wrong, the nearest name, the migration file:line defining the object.
  CHECK(message_at(doc, kKb, 6) ==
        "rpc('search_kb_docs'): `p_kb_id` is not a parameter of search_kb_docs(p_kb_ids, p_query); did you mean "
        "`p_kb_ids`? (defined at migrations/002-kb.sql:14)");
  CHECK(message_at(doc, kSessions, 33) ==
        "call_session_rpc('log_auth_event'): `p_event` is not a parameter of log_auth_event(p_user_id, p_event_type, "
        "p_details?); did you mean `p_event_type`? (defined at migrations/001-sessions.sql:23) [through "
        "call_session_rpc at backend/layers/org-common/python/org_common/sessions.py:7]");
  CHECK(message_at(doc, kSessions, 38) ==
        "delete_many('user_auth_log'): service_role may not DELETE table public.user_auth_log (defined at "
        "migrations/001-sessions.sql:9)");

  SUBCASE("human: each finding at the .py line, and the count of calls not checked") {
    const auto human = lint_in(dir);
    CHECK_MESSAGE(contains(human.out, kSessions + ":29: error[app_unknown_function]: rpc('end_user_session'):"),
                  human.out);
    CHECK(contains(human.out, "backend: 5 Python files, 19 calls, 1 not checked\n"));
  }
  SUBCASE("github: annotations on the .py line; sarif: results at the .py file") {
    const auto github = lint_in(dir, {"--format", "github"});
    CHECK_MESSAGE(contains(github.out, "::error file=" + kKb + ",line=6,title=cora-migrate app_unknown_parameter::"),
                  github.out);
    const auto sarif = nlohmann::json::parse(lint_in(dir, {"--format", "sarif"}).out);
    std::set<std::string> located;
    for (const auto& result : sarif["runs"][0]["results"]) {
      const auto& location = result["locations"][0]["physicalLocation"];
      located.insert(fmt::format("{}:{} {}", location["artifactLocation"]["uri"].get<std::string>(),
                                 location["region"]["startLine"].get<int>(), result["ruleId"].get<std::string>()));
    }
    CHECK(located == kExpected);
  }
}

TEST_CASE("cora-migrate lint: the backend's rules are graded in [lints] and silenced with a reason") {
  ScratchDir dir;
  copy_fixture(dir);
  dir.write("cora-migrate.toml",
            "[lints]\napp_unknown_table = \"warning\"\napp_call_not_checked = \"warning\"\n"
            "app_unknown_column = \"off\"\n");
  auto sessions = read_text(dir.path() / kSessions);
  const std::string call = "    common.delete_many(\"user_auth_log\"";
  REQUIRE(sessions.find(call) != std::string::npos);
  sessions.insert(sessions.find(call),
                  "    # cora-migrate: ignore=app_role_not_granted reason=\"the retention job runs as postgres\"\n");
  dir.write(kSessions, sessions);
  const auto r = lint_in(dir, {"--format", "json"});
  const auto doc = nlohmann::json::parse(r.out);
  const auto found = lint_findings(doc);
  CHECK(found.count(kKb + ":24 app_unknown_table") == 1);
  CHECK(found.count(kKb + ":18 app_unknown_column") == 0);          // off
  CHECK(found.count(kSessions + ":48 app_call_not_checked") == 1);  // listed once turned on
  CHECK(message_at(doc, kSessions, 48) == "rpc(...) not checked: the function name: an expression (ACTIONS[action])");
  REQUIRE(doc["silenced"].size() == 1);
  CHECK(doc["silenced"][0]["rule"] == "app_role_not_granted");
  CHECK(doc["silenced"][0]["reason"] == "the retention job runs as postgres");
  CHECK(doc["silenced"][0]["line"] == 39);
  for (const auto& f : doc["findings"]) {
    if (f["rule"] == "app_unknown_table") CHECK(f["severity"] == "warning");
  }

  SUBCASE("a silence without a reason is an error at its line") {
    dir.write(kSessions,
              "import org_common as common\n# cora-migrate: ignore=app_unknown_table\n"
              "common.find_one(\"nowhere\", {})\n");
    const auto bad = lint_in(dir);
    CHECK(bad.exit_code == 4);
    CHECK_MESSAGE(contains(bad.out, kSessions + ":2: error[invalid_silence]: "), bad.out);
  }
}

TEST_CASE("cora-migrate lint: [app] configures the paths, the role and the data API") {
  ScratchDir dir;
  dir.write("migrations/001-notes.sql",
            "CREATE TABLE public.notes (id int PRIMARY KEY, body text);\n"
            "CREATE FUNCTION public.add_note(p_body text) RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;\n"
            "REVOKE INSERT ON public.notes FROM api_user;\n");
  dir.write("src/handler.py",
            "from store import save, call\n"
            "save(\"notes\", row={\"body\": 1})\n"
            "save(\"notes\", row={\"bdy\": 1})\n"
            "call(\"add_note\", args={\"p_body\": \"x\"})\n"
            "call(\"add_notes\", args={\"p_body\": \"x\"})\n");
  dir.write("backend/ignored.py", "rpc(\"nothing_here\", {})\n");
  dir.write("cora-migrate.toml",
            "[app]\npaths = [\"src/**/*.py\"]\nrole = \"api_user\"\n"
            "[app.helpers]\n"
            "save = { access = \"insert\", arguments = [\"table\", \"row:data\"] }\n"
            "call = { access = \"execute\", arguments = [\"name:function\", \"args:params\"] }\n");
  const auto r = lint_in(dir, {"--format", "json"});
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(lint_findings(doc) ==
        std::set<std::string>{"src/handler.py:2 app_role_not_granted", "src/handler.py:3 app_role_not_granted",
                              "src/handler.py:3 app_unknown_column", "src/handler.py:5 app_unknown_function"});
  CHECK(doc["app"]["files"] == 1);
  CHECK(contains(message_at(doc, "src/handler.py", 5), "did you mean `add_note`?"));

  SUBCASE("a bad key or value is a one-line error naming the file and line") {
    dir.write("cora-migrate.toml", "[app]\npath = [\"src\"]\n");
    const auto bad_key = lint_in(dir);
    CHECK(bad_key.exit_code == 3);
    CHECK_MESSAGE(contains(bad_key.err, "cora-migrate.toml:2: app.path: unknown key"), bad_key.err);
    dir.write("cora-migrate.toml",
              "[app.helpers]\nsave = { access = \"insert\", arguments = [\"table\", \"row:rows\"] }\n");
    const auto bad_role = lint_in(dir);
    CHECK(bad_role.exit_code == 3);
    CHECK_MESSAGE(contains(bad_role.err, "cora-migrate.toml:2: app.helpers.save.arguments: \"row:rows\": unknown role"),
                  bad_role.err);
    dir.write("cora-migrate.toml", "[app.helpers]\nsave = { access = \"insert\", arguments = [\"row:data\"] }\n");
    const auto no_table = lint_in(dir);
    CHECK(no_table.exit_code == 3);
    CHECK(contains(no_table.err,
                   "cora-migrate.toml:2: app.helpers.save: needs exactly one argument with the role table"));
    CHECK(std::count(no_table.err.begin(), no_table.err.end(), '\n') == 1);
  }
  SUBCASE("no Python: a one-line error that says what to do") {
    dir.write("cora-migrate.toml", "[app]\npaths = [\"src\"]\npython = \"no-such-python3\"\n");
    const auto none = lint_in(dir);
    CHECK(none.exit_code == 3);
    CHECK_MESSAGE(contains(none.err, "no-such-python3 is not in PATH: checking the application code needs Python 3"),
                  none.err);
  }
}

TEST_CASE("cora-migrate verify: the backend's calls against the live catalog") {
  ScratchDir dir;
  copy_fixture(dir);
  TestDatabase db;
  const auto migrated = run_in(dir, {"--database-url", db.conninfo(), "migrate"});
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
  const auto verify = [&](const std::string& format) {
    return run_in(dir, {"--database-url", db.conninfo(), "verify", "--format", format});
  };
  const auto app_findings = [&](const nlohmann::json& doc) {
    std::set<std::string> out;
    for (const auto& c : doc["checks"]) {
      const auto kind = c["kind"].get<std::string>();
      if (kind.rfind("lint:app_", 0) == 0) out.insert(c["subject"].get<std::string>() + " " + kind.substr(5));
    }
    return out;
  };
  const auto r = verify("json");
  CHECK(r.exit_code == 11);
  CHECK_MESSAGE(app_findings(nlohmann::json::parse(r.out)) == kExpected, r.out);
  CHECK(contains(r.err, "Backend: 5 Python files, 19 calls, 1 not checked"));

  SUBCASE("junit and github name the .py file and line") {
    const auto junit = verify("junit");
    CHECK_MESSAGE(contains(junit.out, kSessions + ":38"), junit.out);
    const auto github = verify("github");
    CHECK_MESSAGE(contains(github.out, "file=" + kSessions + ",line=38"), github.out);
  }
  SUBCASE("what the database has, not what the files say: an overload dropped by hand") {
    db.connect()->execute_script("DROP FUNCTION public.count_kb_docs(uuid, boolean)");
    auto expected = kExpected;
    expected.insert(kKb + ":11 app_unknown_parameter");
    CHECK(app_findings(nlohmann::json::parse(verify("json").out)) == expected);
    CHECK(lint_findings(nlohmann::json::parse(lint_in(dir, {"--format", "json"}).out)) == kExpected);
  }
  SUBCASE("a role that does not exist: the privileges are not checked, and stderr says so") {
    dir.write("cora-migrate.toml", "[app]\nrole = \"lambda_runner\"\n");
    const auto r2 = verify("json");
    CHECK(contains(r2.err, "role lambda_runner does not exist: privileges not checked"));
    auto expected = kExpected;
    expected.erase(kSessions + ":38 app_role_not_granted");
    CHECK(app_findings(nlohmann::json::parse(r2.out)) == expected);
  }
  SUBCASE("a grant given back is no finding any more") {
    db.connect()->execute_script("GRANT DELETE ON public.user_auth_log TO service_role");
    auto expected = kExpected;
    expected.erase(kSessions + ":38 app_role_not_granted");
    CHECK(app_findings(nlohmann::json::parse(verify("json").out)) == expected);
  }
}

TEST_CASE("cora-migrate checklist: the Lambda-log items are decided from the backend's calls when no log is given") {
  ScratchDir dir;
  copy_fixture(dir);
  dir.write("checks/checklists/deploy.toml",
            "title = \"Before the Lambda deploy\"\n"
            "[[section]]\nname = \"Lambda Functions\"\n"
            "[[section.item]]\nid = \"no-log-failures\"\nkind = \"evidence\"\ntext = \"No Failed to log\"\n"
            "evidence = \"lambda-log\"\nabsent = [\"Failed to log\"]\napp_calls = [\"log_auth_event\"]\n"
            "[[section.item]]\nid = \"started-session\"\nkind = \"evidence\"\ntext = \"Started session\"\n"
            "evidence = \"lambda-log\"\npresent = [\"Started session\"]\napp_calls = [\"start_user_session\"]\n"
            "[[section.item]]\nid = \"nothing-calls-it\"\nkind = \"evidence\"\ntext = \"Cleanup ran\"\n"
            "evidence = \"lambda-log\"\npresent = [\"cleanup\"]\napp_calls = [\"cleanup_sessions\"]\n");
  TestDatabase db;
  REQUIRE(run_in(dir, {"--database-url", db.conninfo(), "migrate"}).exit_code == 0);
  const auto items = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"--database-url", db.conninfo(), "checklist", "deploy", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_in(dir, args);
    std::map<std::string, nlohmann::json> out;
    const auto doc = nlohmann::json::parse(r.out);
    for (const auto& item : doc["sections"][0]["items"]) out[item["id"].get<std::string>()] = item;
    CHECK_MESSAGE(out.size() == 3, std::string(r.out + r.err));
    return out;
  };
  auto by_id = items({});
  // log_auth_event is called with p_event, a name the function does not have: the log would say so.
  CHECK(by_id["no-log-failures"]["state"] == "failed");
  const auto& quotes = by_id["no-log-failures"]["notes"][0]["quotes"];
  REQUIRE(quotes.size() == 1);
  CHECK(contains(quotes[0].get<std::string>(), kSessions + ":33: call_session_rpc('log_auth_event'): `p_event`"));
  CHECK(by_id["started-session"]["state"] == "ticked");
  CHECK(by_id["nothing-calls-it"]["state"] == "unticked");

  // The calls fixed, the item is ticked; a log given still decides it.
  auto sessions = read_text(dir.path() / kSessions);
  sessions.replace(sessions.find("\"p_event\""), 9, "\"p_event_type\"");
  dir.write(kSessions, sessions);
  by_id = items({});
  CHECK(by_id["no-log-failures"]["state"] == "ticked");
  dir.write("lambda.log", "[ERROR] Failed to log bootstrap event\n");
  by_id = items({"--evidence", "lambda-log=lambda.log"});
  CHECK(by_id["no-log-failures"]["state"] == "failed");
  CHECK(by_id["started-session"]["state"] == "failed");  // the log has no "Started session"
}
