// verify's built-in lints against a real PostgreSQL: each rule finds its defect on a schema that
// has it, and the project's own schema passes every rule.

#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// No checks: an empty folder (a checks folder that does not exist is an error).
std::string no_checks() {
  static const ScratchDir dir("cora-no-checks");
  std::filesystem::create_directories(dir.path() / "none");
  return (dir.path() / "none").string();
}

struct LintedDatabase {
  TestDatabase db;
  LintedDatabase() {
    const auto r =
        run_cli({"--database-url", db.conninfo(), "--migrations", (source_dir() / "migrations").string(), "migrate"});
    REQUIRE(r.exit_code == 0);
  }
  nlohmann::json verify() const {
    const auto r = run_cli({"--database-url", db.conninfo(), "--checks", no_checks(), "verify", "--format", "json"});
    return nlohmann::json::parse(r.out);
  }
  void exec(const std::string& sql) const { db.connect()->execute_script(sql); }
};

// The findings of lint RULE about SUBJECT, as "severity: found" lines.
std::vector<std::string> findings(const nlohmann::json& doc, const std::string& rule, const std::string& subject) {
  std::vector<std::string> out;
  for (const auto& c : doc["checks"]) {
    if (c["kind"] != "lint:" + rule || c["subject"] != subject) continue;
    for (const auto& f : c["findings"])
      out.push_back(f["severity"].get<std::string>() + ": " + f["found"].get<std::string>());
  }
  return out;
}

bool any_failed(const nlohmann::json& doc, const std::string& rule) {
  for (const auto& c : doc["checks"]) {
    if (c["kind"] == "lint:" + rule && !c["passed"].get<bool>()) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("verify lints: the module-access schema passes every rule") {
  LintedDatabase m;
  const auto doc = m.verify();
  for (const auto& c : doc["checks"]) CHECK_MESSAGE(c["passed"].get<bool>(), c.dump());
  CHECK(doc["queries"] == 1);  // every live lint and the recursion probe: one round trip
}

TEST_CASE("verify lints: policy_recursion, live and static") {
  LintedDatabase m;
  m.exec(
      "CREATE TABLE public.a (id int PRIMARY KEY, b_id int); CREATE TABLE public.b (id int PRIMARY KEY, a_id int);"
      "ALTER TABLE public.a ENABLE ROW LEVEL SECURITY; ALTER TABLE public.b ENABLE ROW LEVEL SECURITY;"
      "CREATE POLICY a_via_b ON public.a FOR SELECT TO authenticated USING (EXISTS (SELECT 1 FROM public.b WHERE "
      "b.a_id = a.id));");

  SUBCASE("through two tables: both fail as authenticated, with the cycle") {
    m.exec(
        "CREATE POLICY b_via_a ON public.b FOR SELECT TO authenticated USING (EXISTS (SELECT 1 FROM public.a WHERE "
        "a.b_id = b.id))");
    const auto doc = m.verify();
    const auto a = findings(doc, "policy_recursion", "public.a");
    REQUIRE(a.size() == 1);
    CHECK(a[0].rfind("error: every query fails: infinite recursion detected in policy for relation \"a\"", 0) == 0);
    CHECK(a[0].find("the cycle: a -> b (policy \"a_via_b\") -> a (policy \"b_via_a\")") != std::string::npos);
    CHECK(findings(doc, "policy_recursion", "public.b").size() == 1);
    CHECK(findings(doc, "policy_recursion", "public.org_members").empty());
  }
  SUBCASE("a table reading itself, the toolkit's org_members bug") {
    m.exec(
        "CREATE POLICY recursive_members ON public.org_members FOR SELECT TO authenticated USING "
        "(org_id IN (SELECT org_id FROM public.org_members WHERE user_id = auth.uid()))");
    const auto f = findings(m.verify(), "policy_recursion", "public.org_members");
    REQUIRE(f.size() == 1);
    CHECK(f[0].find("org_members -> org_members (policy \"recursive_members\")") != std::string::npos);
  }
  SUBCASE("through a function that is not SECURITY DEFINER: the cycle names it") {
    m.exec(
        "CREATE FUNCTION public.a_visible(p_id int) RETURNS boolean LANGUAGE sql STABLE SET search_path = '' AS "
        "$$ SELECT EXISTS (SELECT 1 FROM public.a WHERE a.id = p_id) $$;"
        "CREATE POLICY b_via_function ON public.b FOR SELECT TO authenticated USING (public.a_visible(b.a_id))");
    const auto f = findings(m.verify(), "policy_recursion", "public.a");
    REQUIRE(f.size() == 1);
    CHECK(f[0].find("a -> b (policy \"a_via_b\") -> a (policy \"b_via_function\" via a_visible())") !=
          std::string::npos);
  }
  SUBCASE("broken by a SECURITY DEFINER function: no finding") {
    m.exec(
        "CREATE FUNCTION public.a_visible(p_id int) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET "
        "search_path = '' AS "
        "$$ SELECT EXISTS (SELECT 1 FROM public.a WHERE a.id = p_id) $$;"
        "REVOKE EXECUTE ON FUNCTION public.a_visible(int) FROM PUBLIC, anon;"
        "CREATE POLICY b_via_function ON public.b FOR SELECT TO authenticated USING (public.a_visible(b.a_id))");
    const auto doc = m.verify();
    CHECK(findings(doc, "policy_recursion", "public.a").empty());
    CHECK(findings(doc, "policy_recursion", "public.b").empty());
  }
}

TEST_CASE("verify lints: adopt refuses a file whose policy makes its table recurse") {
  TestDatabase db;
  ScratchDir dir;
  dir.write(
      "m/001-t.sql",
      "CREATE TABLE public.t (id int PRIMARY KEY, owner uuid);\nALTER TABLE public.t ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY t_self ON public.t FOR SELECT TO authenticated USING (owner IN (SELECT owner FROM public.t));\n");
  db.connect()->execute_script(
      "CREATE TABLE public.t (id int PRIMARY KEY, owner uuid); ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;"
      "CREATE POLICY t_self ON public.t FOR SELECT TO authenticated USING (owner IN (SELECT owner FROM public.t))");
  dir.write("cora-migrate.toml", test_cluster_local_settings());
  const auto r = run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                          "--migrations", (dir.path() / "m").string(), "--checks", no_checks(), "adopt"});
  CHECK(r.exit_code == 11);
  CHECK(r.out.find("not adopted 001-t.sql") != std::string::npos);
  // About the table and about its policy: one finding, said once.
  CHECK_MESSAGE(occurrences(r.out, "lint:policy_recursion public.t") == 1, r.out);
}

TEST_CASE("verify lints: each rule finds its defect") {
  LintedDatabase m;
  m.exec(R"sql(
CREATE TABLE public.open_secrets (id int PRIMARY KEY, password text);
GRANT SELECT ON public.open_secrets TO anon;
CREATE TABLE public.no_key (x int); ALTER TABLE public.no_key ENABLE ROW LEVEL SECURITY;
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid REFERENCES auth.users (id), body text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_own ON public.notes FOR SELECT TO authenticated USING (user_id = auth.uid());
CREATE POLICY notes_meta ON public.notes FOR SELECT TO authenticated USING ((auth.jwt() -> 'user_metadata' ->> 'admin') = 'true');
CREATE POLICY notes_write ON public.notes FOR UPDATE TO authenticated USING (true);
CREATE INDEX notes_body_1 ON public.notes (body); CREATE INDEX notes_body_2 ON public.notes (body);
CREATE FUNCTION public.leaky(p uuid) RETURNS text LANGUAGE sql SECURITY DEFINER AS $$ SELECT 'x' $$;
GRANT EXECUTE ON FUNCTION public.leaky(uuid) TO anon;
CREATE VIEW public.emails AS SELECT id, email, raw_user_meta_data FROM auth.users;
GRANT SELECT ON public.emails TO authenticated;
CREATE MATERIALIZED VIEW public.counts AS SELECT count(*) FROM public.notes;
GRANT SELECT ON public.counts TO anon;
ALTER TABLE auth.users ADD COLUMN IF NOT EXISTS lint_handle text UNIQUE;
CREATE TABLE public.handles (id int PRIMARY KEY, handle text REFERENCES auth.users (lint_handle));
CREATE INDEX ON public.handles (handle);
ALTER TABLE public.handles ENABLE ROW LEVEL SECURITY;
CREATE POLICY handles_read ON public.handles FOR SELECT TO authenticated USING (true);
)sql");
  const auto doc = m.verify();
  m.exec(
      "DROP TABLE public.handles; ALTER TABLE auth.users DROP COLUMN lint_handle");  // auth.users is shared by the cluster's tests
  CHECK(!findings(doc, "rls_disabled_in_public", "public.open_secrets").empty());
  CHECK(!findings(doc, "sensitive_columns_exposed", "public.open_secrets").empty());
  CHECK(!findings(doc, "rls_enabled_no_policy", "public.no_key").empty());
  CHECK(!findings(doc, "no_primary_key", "public.no_key").empty());
  CHECK(!findings(doc, "auth_rls_initplan", "public.notes notes_own").empty());
  CHECK(findings(doc, "auth_rls_initplan", "public.orgs orgs_select_owner_or_member").empty());  // wrapped in SELECT
  CHECK(!findings(doc, "user_metadata_referenced", "public.notes notes_meta").empty());
  CHECK(!findings(doc, "user_metadata_referenced", "public.emails").empty());
  CHECK(!findings(doc, "multiple_permissive_policies", "public.notes").empty());
  CHECK(!findings(doc, "policy_always_true", "public.notes notes_write").empty());
  CHECK(findings(doc, "policy_always_true", "public.handles handles_read").empty());  // SELECT USING (true): publishing
  CHECK(!findings(doc, "duplicate_index", "public.notes_body_2").empty());
  CHECK(findings(doc, "duplicate_index", "public.notes_body_1").empty());
  CHECK(!findings(doc, "unindexed_foreign_key", "public.notes").empty());
  CHECK(findings(doc, "unindexed_foreign_key", "public.handles").empty());
  CHECK(findings(doc, "security_definer_executable_by_anon", "public.leaky(p uuid)") ==
        std::vector<std::string>{"error: anon may execute it (it runs as its owner, past row level security), with "
                                 "nothing but the public anon key"});
  CHECK(!findings(doc, "function_search_path_mutable", "public.leaky(p uuid)").empty());
  CHECK(!findings(doc, "auth_users_exposed", "public.emails").empty());
  CHECK(!findings(doc, "security_definer_view", "public.emails").empty());
  CHECK(!findings(doc, "materialized_view_in_api", "public.counts").empty());
  CHECK(!findings(doc, "fkey_to_auth_unique", "public.handles").empty());
  CHECK(findings(doc, "fkey_to_auth_unique", "public.notes").empty());  // references auth.users (id)
}

TEST_CASE("verify lints: [lints] re-grades or switches off any rule") {
  LintedDatabase m;
  m.exec(
      "CREATE TABLE public.no_key (x int); ALTER TABLE public.no_key ENABLE ROW LEVEL SECURITY;"
      "CREATE POLICY p ON public.no_key FOR SELECT TO authenticated USING (x = 1)");
  ScratchDir dir;
  auto run = [&](const std::string& toml) {
    dir.write("cora-migrate.toml", toml);
    return run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", m.db.conninfo(),
                    "--checks", no_checks(), "verify", "--format", "json"});
  };
  const auto warned = run("");
  CHECK(warned.exit_code == 0);
  CHECK(findings(nlohmann::json::parse(warned.out), "no_primary_key", "public.no_key").at(0).rfind("warning:", 0) == 0);
  const auto error = run("[lints]\nno_primary_key = \"error\"\n");
  CHECK(error.exit_code == 11);
  CHECK(findings(nlohmann::json::parse(error.out), "no_primary_key", "public.no_key").at(0).rfind("error:", 0) == 0);
  const auto off = run("[lints]\nno_primary_key = \"off\"\n");
  CHECK(off.out.find("lint:no_primary_key") == std::string::npos);
  CHECK(run("[lints]\nno_primary_key = false\n").out.find("lint:no_primary_key") == std::string::npos);
  CHECK(run("[lints]\nsecurity_definer_search_path = false\n").out.find("lint:function_search_path_mutable") ==
        std::string::npos);
  const auto bad = run("[lints]\nno_primary_key = \"loud\"\n");
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.find(
            "cora-migrate.toml:2: lints.no_primary_key: must be \"off\", \"warning\", \"error\", true or false") !=
        std::string::npos);
}

TEST_CASE("verify lints: a COMMENT silences one rule for one object, with a reason") {
  LintedDatabase m;
  m.exec(
      "CREATE TABLE public.no_key (x int); ALTER TABLE public.no_key ENABLE ROW LEVEL SECURITY;"
      "CREATE POLICY p ON public.no_key FOR SELECT TO authenticated USING (x = 1)");
  CHECK(any_failed(m.verify(), "no_primary_key"));
  m.exec("COMMENT ON TABLE public.no_key IS 'cora-migrate: ignore=no_primary_key'");  // no reason: not a silence
  CHECK(any_failed(m.verify(), "no_primary_key"));
  m.exec("COMMENT ON TABLE public.no_key IS 'Log. cora-migrate: ignore=no_primary_key reason=\"append-only log\"'");
  const auto doc = m.verify();
  CHECK(!any_failed(doc, "no_primary_key"));
  bool silenced = false;
  for (const auto& c : doc["checks"]) silenced |= c.value("silenced", "") == "append-only log";
  CHECK(silenced);
}

TEST_CASE("cora-migrate lints: every rule with its level and default, no database needed") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "[lints]\nno_primary_key = \"error\"\n");
  const auto r = run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "lints"});
  CHECK(r.exit_code == 0);
  CHECK(squeezed(r.out).find("\nno_primary_key error warning ") != std::string::npos);
  CHECK(squeezed(r.out).find("\npolicy_recursion error error ") != std::string::npos);
  CHECK(r.out.find("security_definer_executable_by_anon") != std::string::npos);
}
