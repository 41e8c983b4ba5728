// The pure judges of verify and adopt (declared checks, built-in lints, adoption) on catalog
// snapshots read from JSON fixtures: no server. The fixture is the database of the incident that
// started the project: `log_auth_event()` still inserts into the renamed `auth_event_log`.

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cora/migrations/prepared_migration.hpp"
#include "cora/verify/adoption.hpp"
#include "cora/catalog/catalog_snapshot_json.hpp"
#include "cora/checks/check_loader.hpp"
#include "cora/checks/evaluate_checks.hpp"
#include "cora/lints/lints.hpp"
#include "cora/verify/verify_schema.hpp"
#include "lint_test_helpers.hpp"

namespace {

using cora::CatalogSnapshot;
using cora::CheckOutcome;

nlohmann::json fixture(const std::string& name) {
  std::ifstream in(std::string(CORA_SOURCE_DIR) + "/tests/fixtures/catalog/" + name);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

cora::CheckSet checks_from(const std::string& toml) {
  cora::CheckSet checks;
  cora::parse_check_text(toml, "checks/test.toml", checks);
  return checks;
}

std::vector<CheckOutcome> evaluate(const cora::CheckSet& checks, const CatalogSnapshot& snapshot) {
  return cora::evaluate_checks(checks, snapshot, {}, cora::analyse_functions(snapshot));
}

std::vector<CheckOutcome> lints(const CatalogSnapshot& snapshot, const cora::LintLevels& levels = {}) {
  return cora::run_lints(snapshot, cora::analyse_functions(snapshot), levels, {"public"});
}

// "kind subject" of each outcome that has findings, in order.
std::vector<std::string> failing(const std::vector<CheckOutcome>& outcomes) {
  std::vector<std::string> out;
  for (const auto& o : outcomes) {
    if (!o.passed()) out.push_back(o.kind + " " + o.subject);
  }
  return out;
}

const CheckOutcome* outcome_of(const std::vector<CheckOutcome>& outcomes, const std::string& kind) {
  for (const auto& o : outcomes) {
    if (o.kind == kind && !o.passed()) return &o;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("catalog fixture: absent keys take their defaults, relations default to the tables") {
  const auto snapshot = cora::catalog_snapshot_from_json(nlohmann::json::parse(R"({
    "tables": [{"schema": "public", "name": "t"}],
    "indexes": [{"schema": "public", "name": "i", "table": "public.t", "columns": ["id"]}]
  })"));
  REQUIRE(snapshot.tables.count("public.t") == 1);
  const auto& t = snapshot.tables.at("public.t");
  CHECK(t.kind == 'r');
  CHECK_FALSE(t.rls);
  CHECK(t.columns.empty());
  CHECK(snapshot.relations == std::set<std::string>{"public.t"});
  REQUIRE(snapshot.indexes.size() == 1);
  CHECK(snapshot.indexes[0].valid);  // an index is valid unless the catalog says otherwise
  CHECK(snapshot.indexes[0].columns == std::vector<std::string>{"id"});
  CHECK(snapshot.functions.empty());
  CHECK_FALSE(snapshot.recursion_probe_error.has_value());
}

TEST_CASE("catalog fixture: a value of the wrong type is refused, not guessed") {
  CHECK_THROWS_AS(cora::catalog_snapshot_from_json(nlohmann::json::parse(R"({"tables": [{"name": 7}]})")),
                  nlohmann::json::exception);
}

TEST_CASE("declared checks judged on a fixture") {
  const auto snapshot = cora::catalog_snapshot_from_json(fixture("stale-login-function.json"));
  SUBCASE("the table the checks describe passes") {
    const auto outcomes = evaluate(checks_from(R"toml(
[[table]]
name = "public.user_auth_log"
rls = true
columns = [
  { name = "id", type = "uuid", nullable = false },
  { name = "event_type", type = "varchar(50)", nullable = false },
]
)toml"),
                                   snapshot);
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].passed());
  }
  SUBCASE("a missing table, a wrong type and RLS off each fail, naming what was found") {
    const auto outcomes = evaluate(checks_from(R"toml(
[[table]]
name = "public.user_sessions"

[[table]]
name = "public.user_auth_log"
columns = [{ name = "event_type", type = "text" }]

[[table]]
name = "public.org_notes"
rls = true
)toml"),
                                   snapshot);
    CHECK(failing(outcomes) == std::vector<std::string>{"table public.user_sessions", "table public.user_auth_log",
                                                        "table public.org_notes"});
    REQUIRE(outcomes.size() == 3);
    REQUIRE_FALSE(outcomes[1].findings.empty());
    CHECK(outcomes[1].findings[0].found.find("character varying(50)") != std::string::npos);
    CHECK(outcomes[0].origin.file == "checks/test.toml");
  }
  SUBCASE("the guide's function check: the body names the old table, not the new one") {
    const auto outcomes = evaluate(checks_from(R"toml(
[[function]]
name = "public.log_auth_event"
language = "plpgsql"
search_path_pinned = true
references = ["public.user_auth_log"]
must_not_reference = ["public.auth_event_log"]
)toml"),
                                   snapshot);
    REQUIRE(outcomes.size() == 1);
    REQUIRE(outcomes[0].findings.size() == 2);
    std::string text;
    for (const auto& f : outcomes[0].findings) text += f.expected + " | " + f.found + "\n";
    CHECK(text.find("user_auth_log") != std::string::npos);
    CHECK(text.find("auth_event_log") != std::string::npos);
  }
  SUBCASE("the same check passes on a fixed body") {
    auto fixed = fixture("stale-login-function.json");
    auto body = fixed["functions"][0]["body"].get<std::string>();
    body.replace(body.find("auth_event_log"), std::string("auth_event_log").size(), "user_auth_log");
    fixed["functions"][0]["body"] = body;
    const auto outcomes = evaluate(checks_from(R"toml(
[[function]]
name = "public.log_auth_event"
references = ["public.user_auth_log"]
must_not_reference = ["public.auth_event_log"]
)toml"),
                                   cora::catalog_snapshot_from_json(fixed));
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].passed());
  }
}

TEST_CASE("built-in lints judged on a fixture") {
  const auto snapshot = cora::catalog_snapshot_from_json(fixture("stale-login-function.json"));
  const auto outcomes = lints(snapshot);
  SUBCASE("the stale function body is an error naming the renamed table") {
    const auto* stale = outcome_of(outcomes, "lint:unresolved_relation");
    REQUIRE(stale != nullptr);
    CHECK(stale->subject.find("log_auth_event") != std::string::npos);
    CHECK(stale->findings.at(0).severity == cora::Severity::error);
    CHECK(stale->findings.at(0).found.find("auth_event_log") != std::string::npos);
  }
  SUBCASE("a table anon can read with RLS off is an error") {
    const auto* open = outcome_of(outcomes, "lint:rls_disabled_in_public");
    REQUIRE(open != nullptr);
    CHECK(open->subject == "public.org_notes");
  }
  SUBCASE("[lints] re-grades and switches off") {
    const auto off = lints(snapshot, {{"unresolved_relation", cora::LintLevel::off}});
    CHECK(outcome_of(off, "lint:unresolved_relation") == nullptr);
    const auto warn = lints(snapshot, {{"rls_disabled_in_public", cora::LintLevel::warning}});
    const auto* open = outcome_of(warn, "lint:rls_disabled_in_public");
    REQUIRE(open != nullptr);
    CHECK(open->findings.at(0).severity == cora::Severity::warning);
  }
  SUBCASE("fixing the body in the fixture clears the finding") {
    auto fixed = fixture("stale-login-function.json");
    auto& body = fixed["functions"][0]["body"];
    auto text = body.get<std::string>();
    text.replace(text.find("auth_event_log"), std::string("auth_event_log").size(), "user_auth_log");
    body = text;
    CHECK(outcome_of(lints(cora::catalog_snapshot_from_json(fixed)), "lint:unresolved_relation") == nullptr);
  }
}

TEST_CASE("adoption judged on a fixture") {
  const auto snapshot = cora::catalog_snapshot_from_json(fixture("stale-login-function.json"));
  const auto checks = checks_from(R"toml(
[[table]]
name = "public.user_auth_log"
rls = true
)toml");
  const auto outcomes = evaluate(checks, snapshot);
  SUBCASE("a file whose objects all exist and pass is adoptable") {
    const auto file = cora::test::migration(7, "CREATE TABLE public.user_auth_log (id uuid PRIMARY KEY);\n");
    const auto verdict = cora::judge_adoption(cora::prepare_migration(file), snapshot, outcomes);
    CHECK(verdict.adoptable);
    CHECK(verdict.objects == 1);
    CHECK(verdict.checks == 1);
  }
  SUBCASE("a file whose table is missing is not, and says which") {
    const auto file = cora::test::migration(8, "CREATE TABLE public.user_sessions (id uuid PRIMARY KEY);\n");
    const auto verdict = cora::judge_adoption(cora::prepare_migration(file), snapshot, outcomes);
    CHECK_FALSE(verdict.adoptable);
    REQUIRE(verdict.missing.size() == 1);
    CHECK(verdict.missing[0].find("user_sessions") != std::string::npos);
  }
  SUBCASE("a file whose object exists but fails a check is not, and says why") {
    const auto failing_checks = checks_from(R"toml(
[[table]]
name = "public.org_notes"
rls = true
)toml");
    const auto file = cora::test::migration(9, "CREATE TABLE public.org_notes (id uuid PRIMARY KEY, body text);\n");
    const auto verdict =
        cora::judge_adoption(cora::prepare_migration(file), snapshot, evaluate(failing_checks, snapshot));
    CHECK_FALSE(verdict.adoptable);
    CHECK(verdict.missing.empty());
    REQUIRE_FALSE(verdict.failing.empty());
    CHECK(verdict.failing[0].find("org_notes") != std::string::npos);
  }
  SUBCASE("an object a later file drops need not exist") {
    const auto file = cora::test::migration(8, "CREATE TABLE public.user_sessions (id uuid PRIMARY KEY);\n");
    const auto verdict =
        cora::judge_adoption(cora::prepare_migration(file), snapshot, outcomes, {"table:public.user_sessions"});
    CHECK(verdict.adoptable);
  }
}

TEST_CASE("verify_schema: declared checks, then probes as recorded, then lints when asked") {
  auto facts = cora::facts_from_catalog(cora::catalog_snapshot_from_json(fixture("stale-login-function.json")));
  const auto checks = checks_from(R"toml(
[[table]]
name = "public.user_auth_log"

[[probe]]
name = "anon cannot read the log"
role = "anon"
sql = "SELECT * FROM public.user_auth_log"
expect = "fail"
)toml");
  REQUIRE(checks.probes.size() == 1);
  SUBCASE("a probe the facts do not hold fails, saying it did not run") {
    const auto outcomes = cora::verify_schema(checks, nullptr, facts);
    REQUIRE(outcomes.size() == 2);
    CHECK(outcomes[0].kind == "table");
    CHECK(outcomes[0].passed());
    CHECK(outcomes[1].kind == "probe");
    REQUIRE(outcomes[1].findings.size() == 1);
    CHECK(outcomes[1].findings[0].found == "it was not run");
  }
  SUBCASE("a probe's recorded outcome is matched by file, line and name") {
    cora::CheckOutcome ran{"probe", "anon cannot read the log", checks.probes[0].origin, {}};
    cora::CheckOutcome other{"probe", "anon cannot read the log", {"checks/other.toml", 3}, {}};
    other.findings.push_back({cora::Severity::error, "x", "y", "z"});
    facts.probes = {other, ran};
    const auto outcomes = cora::verify_schema(checks, nullptr, facts);
    REQUIRE(outcomes.size() == 2);
    CHECK(outcomes[1].passed());
  }
  SUBCASE("with a lint selection the built-in lints follow the checks") {
    const cora::LintLevels levels;
    const std::vector<std::string> exposed{"public"};
    const cora::LintSelection lints{levels, exposed};
    const auto without = cora::verify_schema(checks, nullptr, facts);
    const auto with = cora::verify_schema(checks, &lints, facts);
    CHECK(outcome_of(without, "lint:unresolved_relation") == nullptr);
    CHECK(outcome_of(with, "lint:unresolved_relation") != nullptr);
    CHECK(with.size() > without.size());
    CHECK(with[0].kind == "table");
  }
}
