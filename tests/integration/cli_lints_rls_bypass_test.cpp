// verify finds where row level security is on but bypassed: a table an API role owns, an
// always-true policy anon reaches through a group role, an always-true read of secret-looking
// columns. Each finding is graded as docs/lints.md says and points at the line of the migration
// that made it. The built binary against a real PostgreSQL.

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

// A project of one migration, applied, then verified from the project's folder with no checks.
struct BypassProject {
  TestDatabase db;
  ScratchDir dir;
  explicit BypassProject(const std::string& migration) {
    dir.write("migrations/001-schema.sql", migration);
    std::filesystem::create_directories(dir.path() / "checks");
    const auto r = run({"migrate"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", "migrations", "--checks", "checks"});
    CliOptions options;
    options.cwd = dir.path();
    return run_cli(args, options);
  }
};

struct Verified {
  int exit_code = 0;
  nlohmann::json doc;
};

Verified verify_bypass(const BypassProject& p) {
  const auto r = p.run({"verify", "--format", "json"});
  INFO(r.err);
  return {r.exit_code, nlohmann::json::parse(r.out)};
}

// "severity at file:line" for each finding of lint RULE about SUBJECT.
std::vector<std::string> located_findings(const nlohmann::json& doc, const std::string& rule,
                                          const std::string& subject) {
  std::vector<std::string> out;
  for (const auto& c : doc["checks"]) {
    if (c["kind"] != "lint:" + rule || c["subject"] != subject) continue;
    for (const auto& f : c["findings"]) {
      const auto& source = c["source"];
      const std::string at = source.is_null() || source["file"].is_null()
                                 ? std::string("nowhere")
                                 : source["file"].get<std::string>() + ":" + std::to_string(source["line"].get<int>());
      out.push_back(f["severity"].get<std::string>() + " at " + at);
    }
  }
  return out;
}

// Every failed lint of the new rules, as "rule subject".
std::vector<std::string> bypass_findings(const nlohmann::json& doc) {
  std::vector<std::string> out;
  for (const auto& c : doc["checks"]) {
    const std::string kind = c["kind"];
    const bool ours = kind == "lint:table_owned_by_api_role" || kind == "lint:policy_always_true_for_anon" ||
                      kind == "lint:sensitive_columns_policy_true";
    if (ours && !c["findings"].empty()) out.push_back(kind.substr(5) + " " + c["subject"].get<std::string>());
  }
  return out;
}

// Tables with a key, row level security and a policy with a condition: clean for every rule.
const std::string kCleanNotes =
    "CREATE TABLE public.notes (id int PRIMARY KEY, owner uuid, body text);\n"
    "ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY notes_own ON public.notes FOR ALL TO authenticated\n"
    "  USING (owner = (SELECT auth.uid())) WITH CHECK (owner = (SELECT auth.uid()));\n";

}  // namespace

TEST_CASE("verify: a table an API role owns bypasses its row level security (table_owned_by_api_role)") {
  BypassProject p(kCleanNotes +
                  "CREATE TABLE public.drafts (id int PRIMARY KEY, owner uuid);\n"
                  "ALTER TABLE public.drafts ENABLE ROW LEVEL SECURITY;\n"
                  "CREATE POLICY drafts_own ON public.drafts FOR SELECT TO authenticated USING (owner = (SELECT "
                  "auth.uid()));\n"
                  "ALTER TABLE public.drafts OWNER TO authenticated;\n");
  const auto v = verify_bypass(p);
  CHECK(v.exit_code == 11);
  CHECK(located_findings(v.doc, "table_owned_by_api_role", "public.drafts") ==
        std::vector<std::string>{"error at migrations/001-schema.sql:8"});
  CHECK(bypass_findings(v.doc) == std::vector<std::string>{"table_owned_by_api_role public.drafts"});
}

TEST_CASE("verify: a table owned by a group role anon belongs to is anon's as well") {
  TestDatabase setup;  // roles are the cluster's: made and removed by the test itself
  setup.connect()->execute_script("CREATE ROLE cora_test_publishers NOLOGIN; GRANT cora_test_publishers TO anon");
  {
    BypassProject p(kCleanNotes + "ALTER TABLE public.notes OWNER TO cora_test_publishers;\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 11);
    CHECK(located_findings(v.doc, "table_owned_by_api_role", "public.notes") ==
          std::vector<std::string>{"error at migrations/001-schema.sql:5"});
    p.db.connect()->execute_script("ALTER TABLE public.notes OWNER TO CURRENT_USER");
  }
  setup.connect()->execute_script("DROP ROLE cora_test_publishers");
}

TEST_CASE("verify: an always-true write policy on a group role anon is a member of (policy_always_true_for_anon)") {
  TestDatabase setup;
  setup.connect()->execute_script(
      "CREATE ROLE cora_test_writers NOLOGIN; CREATE ROLE cora_test_web NOLOGIN;"
      "GRANT cora_test_writers TO cora_test_web; GRANT cora_test_web TO anon");  // anon -> web -> writers
  {
    BypassProject p(kCleanNotes +
                    "CREATE POLICY notes_guestbook ON public.notes FOR INSERT TO cora_test_writers\n"
                    "  WITH CHECK (true);\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 11);
    CHECK(located_findings(v.doc, "policy_always_true_for_anon", "public.notes notes_guestbook") ==
          std::vector<std::string>{"error at migrations/001-schema.sql:5"});
    CHECK(bypass_findings(v.doc) ==
          std::vector<std::string>{"policy_always_true_for_anon public.notes notes_guestbook"});
    // policy_always_true leaves it to the rule for anon: one finding, not two.
    CHECK(located_findings(v.doc, "policy_always_true", "public.notes notes_guestbook").empty());
    p.db.connect()->execute_script("DROP POLICY notes_guestbook ON public.notes");
  }
  setup.connect()->execute_script("DROP ROLE cora_test_web; DROP ROLE cora_test_writers");
}

TEST_CASE("verify: an always-true policy anon reaches directly or through PUBLIC") {
  SUBCASE("a write policy TO PUBLIC: an error") {
    BypassProject p(kCleanNotes + "CREATE POLICY notes_wipe ON public.notes FOR DELETE USING (1 = 1);\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 11);
    CHECK(located_findings(v.doc, "policy_always_true_for_anon", "public.notes notes_wipe") ==
          std::vector<std::string>{"error at migrations/001-schema.sql:5"});
  }
  SUBCASE("a read policy TO anon on a table without secrets: a warning, and verify passes") {
    BypassProject p(kCleanNotes +
                    "CREATE TABLE public.posts (id int PRIMARY KEY, title text);\n"
                    "ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;\n"
                    "GRANT SELECT ON public.posts TO anon;\n"
                    "CREATE POLICY posts_public ON public.posts FOR SELECT TO anon USING (true);\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 0);
    CHECK(located_findings(v.doc, "policy_always_true_for_anon", "public.posts posts_public") ==
          std::vector<std::string>{"warning at migrations/001-schema.sql:8"});
    CHECK(located_findings(v.doc, "sensitive_columns_policy_true", "public.posts posts_public").empty());
  }
}

TEST_CASE("verify: an always-true read of secret-looking columns (sensitive_columns_policy_true)") {
  const std::string clients =
      "CREATE TABLE public.api_clients (id int PRIMARY KEY, name text, api_key text);\n"
      "ALTER TABLE public.api_clients ENABLE ROW LEVEL SECURITY;\n"
      "GRANT SELECT ON public.api_clients TO anon, authenticated;\n";
  SUBCASE("for authenticated: an error at the CREATE POLICY") {
    BypassProject p(kCleanNotes + clients +
                    "CREATE POLICY clients_read ON public.api_clients FOR SELECT TO authenticated USING (true);\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 11);
    CHECK(located_findings(v.doc, "sensitive_columns_policy_true", "public.api_clients clients_read") ==
          std::vector<std::string>{"error at migrations/001-schema.sql:8"});
    CHECK(bypass_findings(v.doc) ==
          std::vector<std::string>{"sensitive_columns_policy_true public.api_clients clients_read"});
  }
  SUBCASE("for anon: the read is an error too") {
    BypassProject p(kCleanNotes + clients +
                    "CREATE POLICY clients_read ON public.api_clients FOR SELECT TO anon USING (true);\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 11);
    CHECK(located_findings(v.doc, "sensitive_columns_policy_true", "public.api_clients clients_read") ==
          std::vector<std::string>{"error at migrations/001-schema.sql:8"});
    CHECK(located_findings(v.doc, "policy_always_true_for_anon", "public.api_clients clients_read") ==
          std::vector<std::string>{"warning at migrations/001-schema.sql:8"});
  }
}

TEST_CASE("verify: none of the three on a clean project, nor on the module-access schema") {
  SUBCASE("a clean project") {
    BypassProject p(kCleanNotes +
                    "CREATE TABLE public.profiles (id int PRIMARY KEY, handle text);\n"
                    "ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY profiles_read ON public.profiles FOR SELECT TO authenticated USING (true);\n");
    const auto v = verify_bypass(p);
    CHECK(v.exit_code == 0);
    CHECK(bypass_findings(v.doc).empty());
  }
  SUBCASE("the repository's migrations") {
    TestDatabase db;
    const auto migrations = (source_dir() / "migrations").string();
    REQUIRE(run_cli({"--database-url", db.conninfo(), "--migrations", migrations, "migrate"}).exit_code == 0);
    ScratchDir none;
    std::filesystem::create_directories(none.path() / "checks");
    const auto r = run_cli({"--database-url", db.conninfo(), "--migrations", migrations, "--checks",
                            (none.path() / "checks").string(), "verify", "--format", "json"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(bypass_findings(doc).empty());
    int judged = 0;  // the rules did look: every exposed table and policy has an outcome
    for (const auto& c : doc["checks"]) judged += c["kind"] == "lint:table_owned_by_api_role" ? 1 : 0;
    CHECK(judged > 0);
  }
}
