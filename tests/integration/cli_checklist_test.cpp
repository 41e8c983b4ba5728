// `cora-migrate checklist` against a real PostgreSQL: the shipped Phase 14 checklist on a correct
// schema and on one with the stale log_auth_event(), evidence files, the Markdown output,
// --strict, and that no run (not even a killed one) leaves a row behind.

#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>
#include <utility>

#include "cora/util/subprocess.hpp"
#include "support/run_cli.hpp"
#include "support/stale_function.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// Someone who used the app before the checklist ran: one session that lasted 10 minutes, one
// still open. The figures count them; the checklist must leave them, and add nothing.
const char* kExistingUser = R"(
INSERT INTO auth.users (id, email) VALUES ('11111111-1111-4111-8111-111111111111', 'real@example.com');
INSERT INTO public.user_profiles (user_id, email) VALUES ('11111111-1111-4111-8111-111111111111', 'real@example.com');
INSERT INTO public.user_auth_ext_ids (auth_user_id, external_id, provider_name) VALUES ('11111111-1111-4111-8111-111111111111', 'okta-real', 'okta');
INSERT INTO public.user_sessions (user_id, started_at, last_activity_at, ended_at)
VALUES ('11111111-1111-4111-8111-111111111111', now() - interval '1 hour', now() - interval '50 minutes', now() - interval '50 minutes');
INSERT INTO public.user_sessions (user_id) VALUES ('11111111-1111-4111-8111-111111111111');
INSERT INTO public.user_auth_log (event_type, user_email, user_id) VALUES ('login_success', 'real@example.com', '11111111-1111-4111-8111-111111111111');
)";

const char* kFailingLambdaLog =
    "2025-12-20T18:01:02 START RequestId: 7f3c\n"
    "2025-12-20T18:01:02 Failed to log bootstrap event: {'message': 'relation \"public.auth_event_log\" does not "
    "exist', "
    "'code': '42P01'}\r\n"
    "2025-12-20T18:01:03 [INFO] Started session for user 42, session ID: 9b1e\n";

const char* kGoodLambdaLog =
    "2025-12-20T18:01:03 [INFO] Started session for user 42, session ID: 9b1e\n"
    "2025-12-20T18:01:03 [INFO] Logged login_success event\n";

// A database with the project's migrations applied and an existing user.
struct ChecklistDatabase {
  TestDatabase db;
  ChecklistDatabase() {
    const auto r =
        run_cli({"--database-url", db.conninfo(), "--migrations", (source_dir() / "migrations").string(), "migrate"});
    REQUIRE(r.exit_code == 0);
    exec(kExistingUser);
  }
  std::vector<std::string> args(std::vector<std::string> extra,
                                const std::string& checks = (source_dir() / "checks").string()) const {
    extra.insert(extra.begin(), {"--database-url", db.conninfo(), "--checks", checks, "checklist"});
    return extra;
  }
  CliResult checklist(std::vector<std::string> extra,
                      const std::string& checks = (source_dir() / "checks").string()) const {
    return run_cli(args(std::move(extra), checks));
  }
  void exec(const std::string& sql) const { db.connect()->execute_script(sql); }
  // Rows in every table the checklist's scenario and probes write to.
  std::string row_counts() const {
    return db.scalar(
        "SELECT concat_ws(' ', (SELECT count(*) FROM auth.users), (SELECT count(*) FROM public.user_profiles), "
        "(SELECT count(*) FROM public.user_auth_ext_ids), (SELECT count(*) FROM public.user_sessions), "
        "(SELECT count(*) FROM public.user_auth_log), (SELECT max(last_activity_at)::text FROM public.user_sessions))");
  }
};

// The lines of `out` that belong to the item whose line contains `text`: that line and the
// indented ones after it, up to the next item.
std::string item_block(const std::string& out, const std::string& text) {
  const auto at = out.find(text);
  if (at == std::string::npos) return "";
  const auto start = out.rfind('\n', at) + 1;
  auto end = out.find('\n', at);
  while (end != std::string::npos && out.compare(end + 1, 6, "      ") == 0) end = out.find('\n', end + 1);
  return out.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Runs the binary with `input` on standard input (run_cli gives it /dev/null).
CliResult run_cli_with_stdin(const std::vector<std::string>& args, const std::string& input, const ScratchDir& dir) {
  std::vector<std::string> argv{CORA_MIGRATE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  cora::Subprocess::Options options;
  options.stdin_file = dir.write("stdin.txt", input);
  auto done = cora::Subprocess::run(argv, options);
  return {done.exit_code, std::move(done.out), std::move(done.err)};
}

const std::vector<std::string> kAutomaticAndScenarioItems = {
    "`user_auth_log` table exists",
    "`user_sessions` table exists",
    "`log_auth_event()` function references `user_auth_log` (not `auth_event_log`)",
    "RLS policies allow service role to insert records",
    "Fresh user login creates session record",
    "Fresh user login logs `bootstrap_created` and `login_success` events",
    "Logout ends session (sets `ended_at`)",
    "Logout logs `logout` event",
    "Returning user login creates NEW session",
    "Session duration calculated correctly",
};

}  // namespace

TEST_CASE("cora-migrate checklist: on a correct schema every automatic and scenario item is ticked") {
  ChecklistDatabase m;
  const auto before = m.row_counts();
  const auto r = m.checklist({});
  CHECK(r.exit_code == 0);
  INFO(r.out);
  for (const auto& item : kAutomaticAndScenarioItems) CHECK(contains(r.out, "  [x] " + item + "\n"));
  CHECK(!contains(r.out, "[!]"));
  CHECK(contains(r.out, "\nDatabase\n"));
  CHECK(contains(r.out, "\nLambda Functions\n"));
  CHECK(contains(r.out, "\nFrontend\n"));
  CHECK(contains(r.out, "\nEnd-to-End Flow\n"));
  // Evidence: each ticked item says what it saw.
  CHECK(contains(item_block(r.out, "[x] `log_auth_event()` function"),
                 "✓ probe \"service_role can log an auth event through log_auth_event()\""));
  CHECK(contains(item_block(r.out, "[x] Session duration calculated correctly"),
                 "✓ session_duration_seconds = ended_at - started_at = 1500"));
  // What needs a person, said plainly.
  CHECK(contains(r.out, "  [ ] Login endpoint deployed: `POST /profiles/me/login`  (manual)\n"));
  CHECK(contains(item_block(r.out, "Login endpoint deployed"), "once checked, pass --confirm login-endpoint"));
  CHECK(contains(item_block(r.out, "Lambda logs show NO \"Failed to log\" errors"),
                 "no evidence given: pass --evidence lambda-log=FILE"));
  // The guide's monitoring figures, from the existing user's sessions.
  CHECK(contains(r.out,
                 "\nMonitoring\n  Active sessions: 1\n  Average session duration of ended sessions (minutes): 10.0\n"));
  CHECK(contains(r.out, "ok 10 of 19 items ticked: 0 failed, 3 manual, 6 without evidence"));
  CHECK(m.row_counts() == before);
}

TEST_CASE("cora-migrate checklist: a project without checks/ runs the checklist shipped with cora-migrate") {
  ChecklistDatabase m;
  ScratchDir project;  // no checks/, no checklists: nothing copied by hand
  CliOptions options;
  options.cwd = project.path();
  const auto r = run_cli({"--database-url", m.db.conninfo(), "checklist"}, options);
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  INFO(r.out);
  CHECK(r.out.rfind("Phase 14: Session Tracking — validation checklist", 0) == 0);
  for (const auto& item : kAutomaticAndScenarioItems) CHECK(contains(r.out, "  [x] " + item + "\n"));
  CHECK(contains(r.out, "ok 10 of 19 items ticked: 0 failed, 3 manual, 6 without evidence"));
  // By name too; the project's own checklist of that name comes first.
  const auto named = run_cli({"--database-url", m.db.conninfo(), "checklist", "phase-14-session-tracking"}, options);
  CHECK_MESSAGE(named.exit_code == 0, named.err);
  project.write("checks/checklists/phase-14-session-tracking.toml",
                "title = \"Our own\"\n[[section]]\nname = \"S\"\n[[section.item]]\nid = \"a\"\nkind = "
                "\"manual\"\ntext = \"Ours\"\nhow = \"look\"\n");
  const auto own = run_cli({"--database-url", m.db.conninfo(), "checklist", "phase-14-session-tracking"}, options);
  CHECK_MESSAGE(own.out.rfind("Our own", 0) == 0, own.out, own.err);
  const auto unknown = run_cli({"--database-url", m.db.conninfo(), "checklist", "phase-15"}, options);
  CHECK(unknown.exit_code == 2);
  CHECK_MESSAGE(contains(unknown.err, "shipped with cora-migrate: phase-14-session-tracking"), unknown.err);
}

TEST_CASE(
    "cora-migrate checklist: the stale log_auth_event fails its item and the login scenario, quoting PostgreSQL") {
  ChecklistDatabase m;
  m.exec(kStaleLogAuthEvent);
  const auto before = m.row_counts();
  const auto r = m.checklist({});
  CHECK(r.exit_code == 12);
  INFO(r.out);
  const auto function_item = item_block(r.out, "`log_auth_event()` function references");
  CHECK(contains(function_item,
                 "[!] `log_auth_event()` function references `user_auth_log` (not `auth_event_log`)  FAILED"));
  CHECK(contains(
      function_item,
      "expected body does not reference public.auth_event_log; found line 5 of the body names public.auth_event_log"));
  CHECK(contains(function_item, "relation \"public.auth_event_log\" does not exist [SQLSTATE 42P01]"));
  CHECK(contains(function_item, "how: Re-run 007-auth-events-sessions.sql"));

  const auto login = item_block(r.out, "Fresh user login creates session record");
  CHECK(contains(login, "[!] Fresh user login creates session record  FAILED"));
  CHECK(contains(login, "not checked: step \"fresh login\" of scenario \"session-flow\" failed"));
  CHECK(contains(login, "ERROR: relation \"public.auth_event_log\" does not exist [SQLSTATE 42P01]"));
  CHECK(contains(login, "STATEMENT: SELECT public.log_auth_event('bootstrap_created'"));
  CHECK(contains(login, "CONTEXT: PL/pgSQL function public.log_auth_event("));
  // Every later item of the flow fails too, naming the error in one line.
  CHECK(contains(item_block(r.out, "Session duration calculated correctly"),
                 "failed before step \"logout\": relation \"public.auth_event_log\" does not exist [SQLSTATE 42P01]"));
  // What does not depend on the function still passes.
  CHECK(contains(r.out, "  [x] `user_auth_log` table exists\n"));
  CHECK(contains(r.out, "  [x] RLS policies allow service role to insert records\n"));
  CHECK(contains(r.out, "FAIL 3 of 19 items ticked: 7 failed"));
  CHECK(m.row_counts() == before);
}

TEST_CASE("cora-migrate checklist: Lambda logs as evidence") {
  ChecklistDatabase m;
  ScratchDir dir;
  const auto before = m.row_counts();

  SUBCASE("a \"Failed to log\" line fails the item, quoted with its line number") {
    const auto log = dir.write("lambda.log", kFailingLambdaLog).string();
    const auto r = m.checklist({"--evidence", "lambda-log=" + log});
    CHECK(r.exit_code == 12);
    INFO(r.out);
    const auto block = item_block(r.out, "Lambda logs show NO \"Failed to log\" errors");
    CHECK(contains(block, "[!] Lambda logs show NO \"Failed to log\" errors  FAILED"));
    CHECK(contains(block, "✗ \"Failed to log\" found on 1 line of " + log));
    CHECK(contains(block, log + ":2: 2025-12-20T18:01:02 Failed to log bootstrap event: {'message': 'relation "
                                "\"public.auth_event_log\" does not exist', 'code': '42P01'}\n"));
    const auto started = item_block(r.out, "Lambda logs show \"Started session\" messages");
    CHECK(contains(started, "[x] Lambda logs show \"Started session\" messages"));
    CHECK(contains(started, log + ":3: 2025-12-20T18:01:03 [INFO] Started session for user 42"));
    CHECK(contains(r.out, "FAIL 11 of 19 items ticked: 1 failed, 3 manual, 4 without evidence"));
  }
  SUBCASE("a clean log ticks both items") {
    const auto r = m.checklist({"--evidence", "lambda-log=" + dir.write("lambda.log", kGoodLambdaLog).string()});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "  [x] Lambda logs show NO \"Failed to log\" errors\n"));
    CHECK(contains(r.out, "no line of " + (dir.path() / "lambda.log").string() +
                              " contains \"Failed to log\" (2 lines read)"));
    CHECK(contains(r.out, "  [x] Lambda logs show \"Started session\" messages\n"));
  }
  SUBCASE("from standard input, as piped from `aws logs tail`") {
    const auto r = run_cli_with_stdin(m.args({"--evidence", "lambda-log=-"}), kFailingLambdaLog, dir);
    CHECK(r.exit_code == 12);
    CHECK(contains(r.out, "stdin:2: 2025-12-20T18:01:02 Failed to log bootstrap event"));
  }
  SUBCASE("an evidence name no item uses, or a file that cannot be read, is a usage error") {
    const auto unknown = m.checklist({"--evidence", "lambda-logs=x.log"});
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "no item of"));
    CHECK(contains(unknown.err, "it takes: lambda-log, module-access-index, layout, browser-console"));
    const auto missing = m.checklist({"--evidence", "lambda-log=" + (dir.path() / "none.log").string()});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "cannot read that file"));
  }
  CHECK(m.row_counts() == before);
}

TEST_CASE("cora-migrate checklist: the service-role item is decided by an insert as service_role, not policy names") {
  ChecklistDatabase m;
  // Another project's names for the same policies: the inserts still succeed.
  m.exec(
      "ALTER POLICY user_sessions_service_role ON public.user_sessions RENAME TO sessions_backend_all;\n"
      "ALTER POLICY user_auth_log_service_role ON public.user_auth_log RENAME TO auth_log_backend_all;\n");
  const auto r = m.checklist({});
  INFO(r.out);
  CHECK(contains(r.out, "  [x] RLS policies allow service role to insert records\n"));
  // Without a way in, the insert fails and the item with it.
  m.exec(
      "ALTER ROLE service_role NOBYPASSRLS;\n"
      "DROP POLICY sessions_backend_all ON public.user_sessions;\n");
  const auto denied = m.checklist({});
  m.exec("ALTER ROLE service_role BYPASSRLS;\n");
  CHECK(contains(item_block(denied.out, "RLS policies allow service role to insert records"),
                 "[!] RLS policies allow service role to insert records  FAILED"));
}

TEST_CASE("cora-migrate checklist: a scenario step needing a column the schema lacks says which, and why") {
  ChecklistDatabase m;
  m.exec("ALTER TABLE public.user_auth_ext_ids DROP COLUMN provider_name CASCADE;\n");
  const auto r = m.checklist({});
  CHECK(r.exit_code == 12);
  const auto login = unwrapped(item_block(r.out, "Fresh user login creates session record"));
  CHECK_MESSAGE(contains(login, "column \"provider_name\" does not exist [SQLSTATE 42703]"), login);
  CHECK_MESSAGE(contains(login,
                         "the scenario needs column provider_name, which this schema does not have: its steps "
                         "are written for the schema the checklist's guide describes"),
                login);
}

TEST_CASE("cora-migrate checklist --format markdown: GitHub task lists") {
  ChecklistDatabase m;
  m.exec(kStaleLogAuthEvent);
  const auto r = m.checklist({"--format", "markdown"});
  CHECK(r.exit_code == 12);
  INFO(r.out);
  CHECK(r.out.rfind("## Phase 14: Session Tracking — validation checklist\n", 0) == 0);
  CHECK(contains(r.out,
                 "\n### Database\n\n- [x] `user_auth_log` table exists\n  - ✓ table public.user_auth_log\n- [x] "));
  CHECK(contains(r.out,
                 "- [x] RLS policies allow service role to insert records\n"
                 "  - ✓ probe \"service_role can insert into user_sessions\" · probe "
                 "\"service_role can insert into user_auth_log\"\n\n### Lambda Functions\n"));
  CHECK(contains(r.out,
                 "- [ ] **FAILED** `log_auth_event()` function references `user_auth_log` (not `auth_event_log`)\n"));
  CHECK(contains(r.out, "- [ ] **FAILED** Fresh user login creates session record\n"));
  CHECK(contains(r.out, "    - `ERROR: relation \"public.auth_event_log\" does not exist [SQLSTATE 42P01]`\n"));
  CHECK(contains(r.out,
                 "- [ ] Login endpoint deployed: `POST /profiles/me/login`\n"
                 "  - _manual: check by hand, then run again with --confirm login-endpoint_\n"));
  CHECK(contains(r.out, "\n### Lambda Functions\n\n"));
  CHECK(contains(r.out, "\n### Frontend\n\n"));
  CHECK(contains(r.out, "\n### End-to-End Flow\n\n"));
  CHECK(contains(r.out, "\n### Monitoring\n\n| figure | value |\n|---|---|\n| Active sessions | 1 |\n"));
  CHECK(contains(r.out, "\n**3 of 19 items ticked: 7 failed, 3 manual, 6 without evidence**\n"));
  // Each item is one task-list line; nothing else starts a line with "- [".
  std::size_t items = 0;
  for (std::size_t at = r.out.find("\n- ["); at != std::string::npos; at = r.out.find("\n- [", at + 1)) {
    const auto box = r.out.substr(at + 1, 6);
    CHECK((box == "- [x] " || box == "- [ ] "));
    ++items;
  }
  CHECK(items == 19);
  CHECK(!contains(r.out, "\033["));
}

TEST_CASE("cora-migrate checklist --strict: unticked items fail the run until confirmed or evidenced") {
  ChecklistDatabase m;
  ScratchDir dir;
  const auto lenient = m.checklist({});
  CHECK(lenient.exit_code == 0);
  const auto strict = m.checklist({"--strict"});
  CHECK(strict.exit_code == 12);
  CHECK(contains(
      strict.out,
      "10 of 19 items ticked: 0 failed, 3 manual, 6 without evidence (--strict: unticked items fail the run)"));

  const auto everything = m.checklist(
      {"--strict", "--evidence", "lambda-log=" + dir.write("lambda.log", kGoodLambdaLog).string(), "--evidence",
       "module-access-index=" +
           dir.write("index.ts", "export { SessionTracking } from './components/SessionTracking';\n").string(),
       "--evidence",
       "layout=" + dir.write("layout.tsx", "<UserProvider><SessionTracking />{children}</UserProvider>\n").string(),
       "--evidence",
       "browser-console=" + dir.write("console.log",
                                      "[SessionTracking] Login tracked, session ID: 9b1e\n"
                                      "[SessionTracking] Logout tracked\n")
                                .string(),
       "--confirm", "login-endpoint", "--confirm", "logout-endpoint", "--confirm", "no-javascript-errors"});
  CHECK(everything.exit_code == 0);
  INFO(everything.out);
  CHECK(contains(everything.out, "ok 19 of 19 items ticked: 0 failed, 0 manual, 0 without evidence"));
  CHECK(contains(everything.out, "✓ confirmed by a person (--confirm login-endpoint)"));

  SUBCASE("--confirm names only manual items") {
    const auto automatic = m.checklist({"--confirm", "auth-log-table"});
    CHECK(automatic.exit_code == 2);
    CHECK(contains(automatic.err, "--confirm auth-log-table: that item is automatic"));
    CHECK(contains(automatic.err, "the manual items: login-endpoint, logout-endpoint, no-javascript-errors"));
  }
}

TEST_CASE("cora-migrate checklist: a team's own checklist file, with its own scenario") {
  ChecklistDatabase m;
  ScratchDir dir;
  const auto file = dir.write("checks/checklists/ours.toml", R"toml(title = "Ours"

[[scenario]]
name = "as-a-user"
  [[scenario.step]]
  name = "request"
  role = "authenticated"
  claims = { sub = "22222222-2222-4222-8222-222222222222", role = "authenticated" }
  sql = "SELECT set_config('checklist.seen', auth.uid()::text || ' as ' || current_user, true)"

[[section]]
name = "Ours"
  [[section.item]]
  id = "role-and-claims"
  kind = "scenario"
  text = "Steps run as their role with their claims; expectations as the connecting user"
  scenario = "as-a-user"
    [[section.item.expect]]
    sql = "SELECT current_setting('checklist.seen'), current_user = 'authenticated'"
    rows = [["22222222-2222-4222-8222-222222222222 as authenticated", "f"]]
  [[section.item]]
  id = "wrong-rows"
  kind = "scenario"
  text = "Wrong rows fail"
  scenario = "as-a-user"
    [[section.item.expect]]
    what = "one plus one"
    sql = "SELECT 1 + 1"
    rows = [["3"]]
    [[section.item.expect]]
    what = "a query the server refuses"
    sql = "SELECT * FROM public.no_such_table"
    rows = []
  [[section.item]]
  id = "after-a-failed-query"
  kind = "scenario"
  text = "Expectations after a failed query still run"
  scenario = "as-a-user"
    [[section.item.expect]]
    sql = "SELECT count(*) FROM public.user_sessions"
    rows = [["2"]]
  [[section.item]]
  id = "inline"
  kind = "automatic"
  text = "Inline checks"
    [[section.item.table]]
    name = "user_sessions"
    rls = true
    [[section.item.index]]
    name = "idx_user_sessions_active"
    where = "ended_at is null"
)toml");
  const auto r = m.checklist({"ours"}, (dir.path() / "checks").string());
  CHECK(r.exit_code == 12);
  INFO(r.out);
  CHECK(contains(r.out, "  [x] Steps run as their role with their claims; expectations as the connecting user\n"));
  const auto wrong = item_block(r.out, "Wrong rows fail");
  CHECK(contains(wrong, "✗ one plus one (after \"request\"): expected rows [[3]]; found [[2]]"));
  CHECK(contains(wrong, "✗ a query the server refuses (after \"request\"): the query failed"));
  CHECK(contains(wrong, "ERROR: relation \"public.no_such_table\" does not exist [SQLSTATE 42P01]"));
  CHECK(contains(r.out, "  [x] Expectations after a failed query still run\n"));
  CHECK(contains(
      r.out,
      "  [x] Inline checks\n      ✓ table public.user_sessions\n      ✓ index public.idx_user_sessions_active\n"));
  CHECK(contains(r.out, "3 of 4 items ticked: 1 failed, 0 manual, 0 without evidence"));
  CHECK(m.db.scalar("SELECT current_setting('checklist.seen', true)") == "");

  SUBCASE("a reference to a check that checks/ does not declare is a configuration error naming the line") {
    dir.write("checks/checklists/ours.toml",
              "title = \"T\"\n[[section]]\nname = \"S\"\n[[section.item]]\nid = \"a\"\n"
              "kind = \"automatic\"\ntext = \"A\"\nchecks = [\"table public.nope\"]\n");
    const auto bad = m.checklist({}, (dir.path() / "checks").string());
    CHECK(bad.exit_code == 3);
    CHECK(contains(
        bad.err,
        "ours.toml:8: section.item.checks: no table check in the checks folder matches \"table public.nope\""));
  }
}

TEST_CASE("cora-migrate checklist: a killed run leaves nothing behind") {
  ChecklistDatabase m;
  ScratchDir dir;
  const auto before = m.row_counts();
  const auto file = dir.write("slow.toml", R"toml(title = "Slow"
[[scenario]]
name = "slow"
  [[scenario.step]]
  name = "sign-up, then wait"
  sql = """
  INSERT INTO auth.users (id, email) VALUES ('33333333-3333-4333-8333-333333333333', 'killed@example.invalid');
  SELECT pg_sleep(30) AS checklist_sleep;
  """
[[section]]
name = "S"
  [[section.item]]
  id = "slow"
  kind = "scenario"
  text = "Slow"
  scenario = "slow"
    [[section.item.expect]]
    sql = "SELECT count(*) FROM auth.users WHERE email = 'killed@example.invalid'"
    rows = [["1"]]
)toml");
  const std::string sleeping =
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
      "AND query LIKE 'SELECT pg_sleep(30) AS checklist_sleep%'";
  auto wait_for_sleep = [&] {
    for (int i = 0; i < 200 && m.db.scalar(sleeping).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return m.db.scalar(sleeping);
  };

  SUBCASE("SIGKILL: the transaction was never committed") {
    auto running = start_cli(m.args({file.string()}));
    const auto backend = wait_for_sleep();
    REQUIRE(!backend.empty());
    // The row is there, inside the scenario's open transaction, and invisible to everyone else.
    CHECK(m.row_counts() == before);
    kill(running.pid, SIGKILL);
    CHECK(wait_cli(running).exit_code == 128 + SIGKILL);
    // The server notices the dead client when the sleep ends; end it now instead.
    m.exec("SELECT pg_terminate_backend(" + backend + ")");
    for (int i = 0; i < 100 && !m.db.scalar(sleeping).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(m.row_counts() == before);
  }
  SUBCASE("SIGTERM: the statement is cancelled, the transaction rolled back, exit 130") {
    auto running = start_cli(m.args({file.string()}));
    REQUIRE(!wait_for_sleep().empty());
    kill(running.pid, SIGTERM);
    const auto r = wait_cli(running);
    CHECK(r.exit_code == 130);
    CHECK(contains(r.err, "interrupted while running scenario \"slow\""));
    CHECK(m.db.scalar(sleeping).empty());
    CHECK(m.row_counts() == before);
  }
}
