// `cora-migrate verify` against a real PostgreSQL: every check kind and lint gives a finding on
// a schema that violates it and none on the correct schema.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "cora/db/connection.hpp"
#include "support/run_cli.hpp"
#include "support/stale_function.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

// A database with the project's migrations applied.
struct MigratedDatabase {
  TestDatabase db;
  MigratedDatabase() {
    const auto r =
        run_cli({"--database-url", db.conninfo(), "--migrations", (source_dir() / "migrations").string(), "migrate"});
    REQUIRE(r.exit_code == 0);
  }
  CliResult verify(std::vector<std::string> args,
                   const std::string& checks = (source_dir() / "checks").string()) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--checks", checks, "verify"});
    return run_cli(args);
  }
  void exec(const std::string& sql) const { db.connect()->execute_script(sql); }
};

nlohmann::json failed_checks(const CliResult& r) {
  nlohmann::json out = nlohmann::json::array();
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& c : doc["checks"]) {
    if (!c["passed"].get<bool>()) out.push_back(c);
  }
  return out;
}

bool has_failure(const nlohmann::json& failed, const std::string& kind, const std::string& subject) {
  for (const auto& c : failed) {
    if (c["kind"] == kind && c["subject"] == subject) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("cora-migrate verify: the shipped checks pass on a freshly migrated database") {
  MigratedDatabase m;
  const auto r = m.verify({"--format", "json"});
  CHECK(r.exit_code == 0);
  const auto failed = failed_checks(r);
  CHECK_MESSAGE(failed.empty(), failed.dump(2));
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["checks"].size() > 40);
}

TEST_CASE("cora-migrate verify: the stale log_auth_event is caught before anyone logs in") {
  MigratedDatabase m;
  m.exec(kStaleLogAuthEvent);
  const auto r = m.verify({"--format", "json"});
  CHECK(r.exit_code == 11);
  const auto failed = failed_checks(r);
  CHECK(has_failure(failed, "function", "public.log_auth_event"));
  const std::string lint_subject =
      "public.log_auth_event(p_event_type text, p_user_email text, p_user_id uuid, p_org_id uuid, p_ip_address text, "
      "p_user_agent text, p_failure_reason text, p_metadata jsonb)";
  REQUIRE(has_failure(failed, "lint:unresolved_relation", lint_subject));
  for (const auto& c : failed) {
    if (c["kind"] != "lint:unresolved_relation") continue;
    const auto& f = c["findings"][0];
    CHECK(f["expected"] == "line 5 of the body names an existing relation");
    CHECK(f["found"] == "public.auth_event_log does not exist");
  }
  // The probe that logs an event fails with the runtime error users saw.
  CHECK(r.out.find("relation \\\"public.auth_event_log\\\" does not exist") != std::string::npos);

  SUBCASE("human output names the check file and line, the function, and the fix") {
    const auto human = m.verify({});
    CHECK(human.exit_code == 11);
    CHECK(human.out.find("module-access.toml:") != std::string::npos);
    CHECK(human.out.find("body does not reference public.auth_event_log") != std::string::npos);
    CHECK(human.out.find("line 5 of the body names public.auth_event_log") != std::string::npos);
  }

  SUBCASE("restoring the function makes verify pass") {
    const auto again = run_cli({"--database-url", m.db.conninfo(), "--migrations",
                                (source_dir() / "migrations").string(), "status", "--format", "json"});
    CHECK(again.exit_code == 0);
    // History rows are never deleted; marking the row no longer current makes 007 pending again.
    m.db.connect()->execute_script("UPDATE cora_migrate.schema_history SET is_current = false WHERE version = 7");
    CHECK(
        run_cli({"--database-url", m.db.conninfo(), "--migrations", (source_dir() / "migrations").string(), "migrate"})
            .exit_code == 0);
    CHECK(m.verify({}).exit_code == 0);
  }
}

TEST_CASE("cora-migrate verify: each check kind reports a violation") {
  MigratedDatabase m;
  SUBCASE("table: RLS disabled and a column's nullability") {
    m.exec(
        "ALTER TABLE public.user_sessions DISABLE ROW LEVEL SECURITY; ALTER TABLE public.user_auth_log ALTER COLUMN "
        "occurred_at DROP NOT NULL");
    const auto failed = failed_checks(m.verify({"--format", "json"}));
    CHECK(has_failure(failed, "table", "public.user_sessions"));
    CHECK(has_failure(failed, "table", "public.user_auth_log"));
    CHECK(has_failure(failed, "lint:rls_disabled_in_public", "public.user_sessions"));
    CHECK(has_failure(failed, "lint:policy_on_rls_disabled_table", "public.user_sessions user_sessions_service_role"));
  }
  SUBCASE("index: a partial index without its predicate") {
    m.exec(
        "DROP INDEX public.idx_user_sessions_active; CREATE INDEX idx_user_sessions_active ON public.user_sessions "
        "(user_id, last_activity_at)");
    const auto failed = failed_checks(m.verify({"--format", "json"}));
    CHECK(has_failure(failed, "index", "public.idx_user_sessions_active"));
    CHECK(failed.size() == 1);
  }
  SUBCASE("index: a predicate that differs only in how it is written still passes") {
    ScratchDir dir;
    dir.write("c/i.toml",
              "[[index]]\nname = \"idx_user_auth_log_failures\"\n"
              "where = \"((event_type in ('login_failed','provisioning_denied')))\"\n"
              "[[index]]\nname = \"idx_user_sessions_active\"\nwhere = \"ended_at IS NOT NULL\"\n");
    const auto failed = failed_checks(m.verify({"--format", "json"}, (dir.path() / "c").string()));
    CHECK(!has_failure(failed, "index", "public.idx_user_auth_log_failures"));
    CHECK(has_failure(failed, "index", "public.idx_user_sessions_active"));
  }
  SUBCASE("table: defaults and generated expressions are compared in normalised form") {
    ScratchDir dir;
    dir.write("c/t.toml",
              "[[table]]\nname = \"user_sessions\"\ncolumns = [\n"
              "  { name = \"metadata\", default = \"'{}'\" },\n"
              "  { name = \"started_at\", default = \"NOW()\" },\n"
              "  { name = \"session_duration_seconds\", generated = \"extract(epoch from coalesce(ended_at, "
              "last_activity_at) - started_at)::int\" },\n"
              "]\n"
              "[[table]]\nname = \"user_auth_log\"\ncolumns = [\n"
              "  { name = \"occurred_at\", default = \"clock_timestamp()\" },\n"
              "  { name = \"metadata\", default = \"'{}' +\" },\n"
              "]\n");
    const auto r = m.verify({"--format", "json"}, (dir.path() / "c").string());
    const auto failed = failed_checks(r);
    CHECK(!has_failure(failed, "table", "public.user_sessions"));
    REQUIRE(has_failure(failed, "table", "public.user_auth_log"));
    CHECK(r.out.find("DEFAULT clock_timestamp()") != std::string::npos);
    CHECK(r.out.find("PostgreSQL cannot read that default") != std::string::npos);
    m.exec(
        "ALTER TABLE public.user_sessions DROP COLUMN session_duration_seconds, ADD COLUMN session_duration_seconds "
        "integer GENERATED ALWAYS AS (EXTRACT(EPOCH FROM (ended_at - started_at))::integer) STORED");
    CHECK(has_failure(failed_checks(m.verify({"--format", "json"})), "table", "public.user_sessions"));
  }
  SUBCASE("policy: the guide's service-role policy missing, or with other roles") {
    m.exec(
        "DROP POLICY user_sessions_service_role ON public.user_sessions; ALTER POLICY user_auth_log_service_role ON "
        "public.user_auth_log TO authenticated");
    const auto failed = failed_checks(m.verify({"--format", "json"}));
    CHECK(has_failure(failed, "policy", "public.user_sessions user_sessions_service_role"));
    CHECK(has_failure(failed, "policy", "public.user_auth_log user_auth_log_service_role"));
  }
  SUBCASE("function: search_path not pinned") {
    m.exec("ALTER FUNCTION public.start_user_session(uuid, uuid, text, text, jsonb) RESET search_path");
    const auto failed = failed_checks(m.verify({"--format", "json"}));
    CHECK(has_failure(failed, "function", "public.start_user_session"));
    bool lint_found = false;
    for (const auto& c : failed) lint_found |= c["kind"] == "lint:function_search_path_mutable";
    CHECK(lint_found);
  }
  SUBCASE("role: service_role without BYPASSRLS") {
    m.exec("ALTER ROLE service_role NOBYPASSRLS");
    const auto failed = failed_checks(m.verify({"--format", "json"}));
    m.exec("ALTER ROLE service_role BYPASSRLS");  // roles are cluster-wide: put it back
    CHECK(has_failure(failed, "role", "service_role"));
  }
  SUBCASE("probe: a self-referencing org_members policy recurses") {
    m.exec(
        "CREATE POLICY recursive_members ON public.org_members FOR SELECT TO authenticated USING "
        "(org_id IN (SELECT org_id FROM public.org_members WHERE user_id = auth.uid()))");
    const auto r = m.verify({"--format", "json"});
    CHECK(r.exit_code == 11);
    CHECK(has_failure(failed_checks(r), "probe", "authenticated can read own org_members rows"));
    CHECK(r.out.find("infinite recursion") != std::string::npos);
  }
  SUBCASE("lint: dynamic SQL is reported as not analysable, as a warning") {
    m.exec(
        "CREATE FUNCTION public.purge(p_table text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$\n"
        "BEGIN\n  EXECUTE format('DELETE FROM public.%I', p_table);\nEND\n$$");
    const auto r = m.verify({"--format", "json"});
    CHECK(r.exit_code == 0);
    const auto failed = failed_checks(r);
    REQUIRE(has_failure(failed, "lint:unresolved_relation", "public.purge(p_table text)"));
    for (const auto& c : failed) {
      if (c["subject"] != "public.purge(p_table text)") continue;
      CHECK(c["findings"][0]["severity"] == "warning");
      CHECK(c["findings"][0]["expected"] == "line 3 of the body can be analysed");
    }
  }
  SUBCASE("lint: an INVALID index") {
    m.exec("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.idx_user_auth_log_type'::regclass");
    const auto failed = failed_checks(m.verify({"--format", "json"}));
    CHECK(has_failure(failed, "lint:invalid_index", "public.idx_user_auth_log_type"));
    CHECK(has_failure(failed, "index", "public.idx_user_auth_log_type"));
  }
  SUBCASE("probe rows leave nothing behind") {
    CHECK(m.verify({}).exit_code == 0);
    CHECK(m.db.scalar("SELECT count(*) FROM auth.users") == "0");
    CHECK(m.db.scalar("SELECT count(*) FROM public.user_auth_log") == "0");
  }
}

TEST_CASE("cora-migrate verify: output formats and a constant number of queries") {
  MigratedDatabase m;
  m.exec(kStaleLogAuthEvent);
  const auto junit = m.verify({"--format", "junit"});
  CHECK(junit.exit_code == 11);
  CHECK(junit.out.find("<testsuites name=\"cora-migrate verify\"") != std::string::npos);
  CHECK(junit.out.find("<testcase classname=\"function\" name=\"public.log_auth_event\"") != std::string::npos);
  CHECK(junit.out.find("<failure type=\"error\"") != std::string::npos);

  const auto github = m.verify({"--format", "github"});
  CHECK(github.exit_code == 11);
  CHECK(github.out.find("::error file=") != std::string::npos);
  CHECK(github.out.find("module-access.toml,line=") != std::string::npos);

  // Catalog facts: one round trip; predicates: one; every probe together: one.
  ScratchDir dir;
  std::string many;
  for (int i = 0; i < 200; ++i) many += "[[table]]\nname = \"public.user_sessions\"\nrls = true\n";
  dir.write("c/many.toml", many);
  std::filesystem::create_directories(dir.path() / "none");  // no checks: an empty folder (a missing one is an error)
  const auto few = nlohmann::json::parse(m.verify({"--format", "json"}, (dir.path() / "none").string()).out);
  const auto lots = nlohmann::json::parse(m.verify({"--format", "json"}, (dir.path() / "c").string()).out);
  CHECK(few["queries"] == 1);
  CHECK(lots["queries"] == 1);
  // The project's checks: predicates and probes (one fails against the stale function), together: 2.
  const auto all = nlohmann::json::parse(m.verify({"--format", "json"}).out);
  CHECK(all["queries"] == 2);
  std::string probes;
  for (int i = 0; i < 12; ++i) {
    probes += fmt::format(
        "[[probe]]\nname = \"probe {0}\"\nrole = \"{1}\"\nsql = \"SELECT count(*) FROM public.user_sessions\"\n"
        "expect = \"{2}\"\n{3}",
        i, i % 3 == 0 ? "anon" : "service_role", i % 3 == 0 ? "fail" : "rows",
        i % 3 == 0 ? "sqlstate = \"42501\"\n" : "rows = [[\"0\"]]\n");
  }
  probes += "[[probe]]\nname = \"wrong on purpose\"\nrole = \"service_role\"\nsql = \"SELECT 1/0\"\n";
  dir.write("p/probes.toml", probes);
  const auto probed = nlohmann::json::parse(m.verify({"--format", "json"}, (dir.path() / "p").string()).out);
  CHECK(probed["queries"] == 2);
  std::size_t passed = 0;
  std::size_t failed = 0;
  for (const auto& check : probed["checks"]) {
    if (check["kind"] != "probe") continue;
    (check["passed"] == true ? passed : failed) += 1;
  }
  CHECK(passed == 12);
  CHECK(failed == 1);
  CHECK(m.db.scalar("SELECT count(*) FROM auth.users") == "0");
}

TEST_CASE("cora-migrate verify: a lint switched off in [lints] is not run") {
  MigratedDatabase m;
  m.exec("CREATE TABLE public.open_table (id int PRIMARY KEY)");
  ScratchDir dir;
  dir.write("cora-migrate.toml", "[lints]\nrls_disabled_in_public = false\n");
  std::filesystem::create_directories(dir.path() / "none");  // no checks: an empty folder
  const auto base =
      std::vector<std::string>{"--database-url", m.db.conninfo(), "--checks", (dir.path() / "none").string()};
  auto with_config = base;
  with_config.insert(with_config.begin(), {"--config", (dir.path() / "cora-migrate.toml").string()});
  with_config.push_back("verify");
  auto without = base;
  without.push_back("verify");
  const auto on = run_cli(without);
  CHECK(on.exit_code == 11);
  CHECK(on.out.find("lint:rls_disabled_in_public public.open_table") != std::string::npos);
  const auto off = run_cli(with_config);
  CHECK(off.exit_code == 0);
  CHECK(off.out.find("open_table") == std::string::npos);
  dir.write("cora-migrate.toml", "[lints]\nno_such_lint = false\n");
  const auto bad = run_cli(with_config);
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.find("cora-migrate.toml:2: lints.no_such_lint: unknown lint") != std::string::npos);
}

TEST_CASE("cora-migrate verify: bad check files exit 3 with file and line") {
  MigratedDatabase m;
  ScratchDir dir;
  dir.write("c/bad.toml", "[[table]]\nname = \"public.user_sessions\"\n\n[[tabel]]\nname = \"x\"\n");
  const auto r = m.verify({}, (dir.path() / "c").string());
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("bad.toml:4: tabel: unknown key") != std::string::npos);
  dir.write("c/bad.toml", "[[index]]\nname = \"i\"\nunique = \"yes\"\n");
  const auto r2 = m.verify({}, (dir.path() / "c").string());
  CHECK(r2.exit_code == 3);
  CHECK(r2.err.find("bad.toml:3: index.unique: must be true or false") != std::string::npos);
}

TEST_CASE("cora-migrate verify --scratch: migrate from zero on the local cluster, verify, drop") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "[local]\ndata_dir = \"pg\"\n");
  // CI=true: --scratch chooses the embedded cluster, so it is never refused as a fallback.
  const CliOptions here{dir.path(), {{"CI", "true"}}};
  const auto migrations = (source_dir() / "migrations").string();
  const auto checks = (source_dir() / "checks").string();
  const auto ok = run_cli({"--migrations", migrations, "--checks", checks, "verify", "--scratch"}, here);
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.find("Applied 9 migrations to scratch database") != std::string::npos);

  std::filesystem::copy(source_dir() / "migrations", dir.path() / "m");
  dir.write("m/009-stale.sql", kStaleLogAuthEvent);
  const auto bad =
      run_cli({"--migrations", (dir.path() / "m").string(), "--checks", checks, "verify", "--scratch"}, here);
  CHECK(bad.exit_code == 11);
  const auto status = run_cli({"local", "status"}, here);
  const auto begin = status.out.find("psql \"") + 6;
  auto db =
      cora::Connection::open(status.out.substr(begin, status.out.find('"', begin) - begin), std::chrono::seconds(5));
  CHECK(db->query("SELECT count(*) FROM pg_database WHERE datname LIKE 'cora_scratch_%'").rows[0][0].value_or("") ==
        "0");
  run_cli({"local", "stop"}, here);
}
