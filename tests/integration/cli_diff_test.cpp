// `cora-migrate diff` on real PostgreSQL: the files applied to a template database on the local
// cluster compared with a live database changed by hand, each change named with its file and
// line, and each reported fix making diff clean again.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/cutting_proxy.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/stale_function.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// The line of 007 where `text` first appears: the tests do not hard-code line numbers.
int line_in_007(const std::string& text) {
  const std::string content = read_text(source_dir() / "migrations/007-auth-events-sessions.sql");
  const auto at = content.find(text);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::vector<std::string> words(const std::string& command) {
  std::vector<std::string> out;
  std::istringstream in(command);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// A database migrated with the project's files; the expected schema is built on the test's own
// cluster (the same one), through a config file naming its folder.
struct DriftFixture {
  TestDatabase db;
  ScratchDir dir;
  // `before_migrate`: SQL the database gets first, as a project's own set-up would give it.
  explicit DriftFixture(const std::string& before_migrate = "") {
    if (!before_migrate.empty()) execute(before_migrate);
    const auto& cluster = test_cluster();
    dir.write("cora-migrate.toml",
              "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
    REQUIRE(run({"migrate"}).exit_code == 0);
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                               "--migrations", (source_dir() / "migrations").string(), "--checks",
                               (source_dir() / "checks").string()});
    return run_cli(args);
  }
  nlohmann::json diff_json() const {
    const auto r = run({"diff", "--format", "json"});
    INFO(r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 15));
    return nlohmann::json::parse(r.out);
  }
  void execute(const std::string& sql) const { db.connect()->execute_script(sql); }
};

struct HandChange {
  const char* what;
  std::string sql;
  const char* kind;
  std::string name;
  int line;  // 0: no file creates it
  bool fixed_by_reapply;
};

}  // namespace

TEST_CASE("cora-migrate diff: no difference right after migrate, and the template is reused") {
  DriftFixture f;
  const auto first = f.run({"diff"});
  INFO(first.err);
  CHECK(first.exit_code == 0);
  CHECK(first.out.find("No drift") != std::string::npos);
  const auto again = f.diff_json();
  CHECK(again["summary"]["total"] == 0);
  CHECK(again["expected_schema"]["reused"] == true);
  CHECK(again["queries"] == 2);  // history and the catalog: one round trip each
  CHECK(f.run({"status", "--drift"}).out.find("drift: none (schemas: public)") != std::string::npos);
  const auto status = nlohmann::json::parse(f.run({"status", "--drift", "--format", "json"}).out);
  CHECK(status["drift"]["differences"] == 0);
  CHECK(status["summary"]["applied"] == 9);
}

TEST_CASE("cora-migrate diff: what a file not applied yet creates is missing, and the fix is migrate") {
  TestDatabase db;
  ScratchDir dir;
  const auto& cluster = test_cluster();
  dir.write("cora-migrate.toml",
            "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
  const std::vector<std::string> common{"--config",       (dir.path() / "cora-migrate.toml").string(),
                                        "--database-url", db.conninfo(),
                                        "--migrations",   (source_dir() / "migrations").string()};
  auto args = common;
  args.insert(args.end(), {"migrate", "--to", "6"});
  REQUIRE(run_cli(args).exit_code == 0);
  args = common;
  args.insert(args.end(), {"diff", "--format", "json"});
  const auto r = run_cli(args);
  CHECK(r.exit_code == 15);
  const auto report = nlohmann::json::parse(r.out);
  REQUIRE(report["notes"].size() == 1);
  CHECK(report["notes"][0].get<std::string>().find("2 migrations not applied") != std::string::npos);
  bool saw_table = false;
  for (const auto& d : report["differences"]) {
    if (d["name"] != "public.user_sessions") continue;
    saw_table = true;
    CHECK(d["kind"] == "missing");
    CHECK(d["fix"]["command"] == "cora-migrate migrate");
  }
  CHECK(saw_table);
}

TEST_CASE("cora-migrate diff: each change made by hand is named with its file and line, and its fix works") {
  const std::vector<HandChange> changes{
      {"a function body edited", kStaleLogAuthEvent, "function",
       "public.log_auth_event(p_event_type text, p_user_email text, p_user_id uuid, p_org_id uuid, p_ip_address text, "
       "p_user_agent text, p_failure_reason text, p_metadata jsonb)",
       line_in_007("CREATE OR REPLACE FUNCTION public.log_auth_event("), true},
      {"an index dropped", "DROP INDEX public.idx_user_sessions_active", "index", "public.idx_user_sessions_active",
       line_in_007("CREATE INDEX IF NOT EXISTS idx_user_sessions_active"), true},
      {"a NOT NULL removed", "ALTER TABLE public.user_auth_log ALTER COLUMN event_type DROP NOT NULL", "column",
       "public.user_auth_log.event_type", line_in_007("event_type     varchar(50) NOT NULL"), false},
      {"a policy re-roled", "ALTER POLICY user_sessions_select_own ON public.user_sessions TO anon", "policy",
       "public.user_sessions user_sessions_select_own", line_in_007("CREATE POLICY user_sessions_select_own"), true},
      {"a grant added", "GRANT INSERT ON public.user_auth_log TO anon", "grant", "table public.user_auth_log to anon",
       line_in_007("REVOKE ALL ON TABLE public.user_auth_log, public.user_sessions FROM anon"), false},
      // Restored from diff --sql, this CHECK prints with other casts than the file's: still no drift.
      {"a CHECK constraint changed",
       "ALTER TABLE public.user_auth_log DROP CONSTRAINT user_auth_log_event_type_check;"
       "ALTER TABLE public.user_auth_log ADD CONSTRAINT user_auth_log_event_type_check CHECK (event_type IN "
       "('logout'))",
       "constraint", "public.user_auth_log.user_auth_log_event_type_check",
       line_in_007("CONSTRAINT user_auth_log_event_type_check"), false},
      {"a trigger dropped", "DROP TRIGGER user_sessions_update_activity ON public.user_sessions", "trigger",
       "public.user_sessions.user_sessions_update_activity",
       line_in_007("CREATE TRIGGER user_sessions_update_activity"), true},
      {"an extra table", "CREATE TABLE public.scratch_notes (id int PRIMARY KEY, note text)", "table",
       "public.scratch_notes", 0, false},
  };
  for (const auto& change : changes) {
    SUBCASE(change.what) {
      DriftFixture f;
      f.execute(change.sql);
      const auto report = f.diff_json();
      REQUIRE(report["differences"].size() == 1);
      const auto& d = report["differences"][0];
      CHECK(d["object"] == change.kind);
      CHECK(d["name"] == change.name);
      if (change.line == 0) {
        CHECK(d["kind"] == "extra");
        CHECK(d["file"].is_null());
      } else {
        CHECK(d["file"].get<std::string>().find("007-auth-events-sessions.sql") != std::string::npos);
        CHECK(d["line"] == change.line);
      }
      // What a person reads: the object, its file and line, and the fix.
      const auto human = f.run({"diff"});
      CHECK(human.exit_code == 15);
      INFO(human.out);
      if (change.line != 0) {
        CHECK(human.out.find("defined at " + (source_dir() / "migrations/007-auth-events-sessions.sql").string() + ":" +
                             std::to_string(change.line)) != std::string::npos);
      } else {
        CHECK(human.out.find("defined at (no file creates it)") != std::string::npos);
      }
      if (change.fixed_by_reapply) {
        REQUIRE(d["fix"]["command"] == "cora-migrate migrate --reapply 007 --force");
        CHECK(human.out.find("fix: cora-migrate migrate --reapply 007 --force") != std::string::npos);
        auto args = words(d["fix"]["command"].get<std::string>());
        args.erase(args.begin());
        const auto fixed = f.run(args);
        INFO(fixed.err);
        CHECK(fixed.exit_code == 0);
      } else {
        CHECK(d["fix"]["command"].is_null());
        // The fix printed is the SQL `diff --sql` prints: run exactly that.
        CHECK(human.out.find("diff --sql prints") != std::string::npos);
        const auto sql = f.run({"diff", "--sql"});
        CHECK(sql.exit_code == 15);
        CHECK(sql.out.find(d["fix"]["sql"].get<std::string>()) != std::string::npos);
        f.execute(sql.out);
      }
      const auto after = f.run({"diff"});
      INFO(after.out);
      CHECK(after.exit_code == 0);
    }
  }
}

TEST_CASE("cora-migrate diff --sql restores every difference at once; other formats") {
  DriftFixture f;
  f.execute(std::string(kStaleLogAuthEvent) +
            ";DROP INDEX public.idx_user_sessions_active;"
            "ALTER TABLE public.user_auth_log ALTER COLUMN event_type DROP NOT NULL;"
            "ALTER POLICY user_sessions_select_own ON public.user_sessions TO anon;"
            "GRANT INSERT ON public.user_auth_log TO anon;"
            "CREATE TABLE public.scratch_notes (id int PRIMARY KEY)");
  const auto github = f.run({"diff", "--format", "github"});
  CHECK(github.exit_code == 15);
  CHECK(github.out.find("::error file=") != std::string::npos);
  CHECK(github.out.find("title=drift%3A changed function public.log_auth_event") != std::string::npos);
  const auto markdown = f.run({"diff", "--format", "markdown"});
  CHECK(markdown.out.find("### Schema drift: 6 differences") != std::string::npos);
  const auto status = f.run({"status", "--drift"});
  CHECK(status.exit_code == 15);
  CHECK(status.out.find("drift: 6 differences") != std::string::npos);

  const auto sql = f.run({"diff", "--sql"});
  CHECK(sql.exit_code == 15);
  f.execute(sql.out);
  CHECK(f.run({"diff"}).exit_code == 0);
}

TEST_CASE("cora-migrate diff: [diff] ignore leaves out objects no file creates") {
  DriftFixture f;
  f.execute("CREATE TABLE public.legacy_notes (id int); CREATE INDEX legacy_notes_id ON public.legacy_notes (id)");
  CHECK(f.run({"diff"}).exit_code == 15);
  f.dir.write("cora-migrate.toml",
              read_text(f.dir.path() / "cora-migrate.toml") + "[diff]\nignore = [\"public.legacy_*\"]\n");
  const auto r = f.run({"diff"});
  INFO(r.out);
  CHECK(r.exit_code == 0);
}

TEST_CASE("cora-migrate diff: the guide's story, live log_auth_event() writing to auth_event_log, file unchanged") {
  DriftFixture f;
  f.execute(kStaleLogAuthEvent);
  CHECK(f.run({"status", "--exit-code"}).exit_code == 0);  // the file did not change: status cannot tell

  const auto verify = f.run({"verify"});
  CHECK(verify.exit_code == 11);
  CHECK(verify.out.find("`cora-migrate diff`") != std::string::npos);

  const auto diff = f.run({"diff"});
  CHECK(diff.exit_code == 15);
  CHECK(diff.out.find("changed function public.log_auth_event(") != std::string::npos);
  CHECK(diff.out.find("INSERT INTO public.auth_event_log") != std::string::npos);
  CHECK(diff.out.find("007-auth-events-sessions.sql:" +
                      std::to_string(line_in_007("CREATE OR REPLACE FUNCTION public.log_auth_event("))) !=
        std::string::npos);
  CHECK(diff.out.find("fix: cora-migrate migrate --reapply 007 --force") != std::string::npos);

  const auto refused = f.run({"migrate", "--reapply", "7"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("add --force") != std::string::npos);

  const auto fixed = f.run({"migrate", "--reapply", "7", "--force"});
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.out.find("reapplied 007-auth-events-sessions.sql") != std::string::npos);
  CHECK(f.db.scalar("SELECT string_agg(action || ':' || is_current, ',' ORDER BY id) FROM cora_migrate.schema_history "
                    "WHERE version = 7") == "apply:false,reapply:true");
  CHECK(f.run({"verify"}).exit_code == 0);
  CHECK(f.run({"diff"}).exit_code == 0);
  CHECK(f.run({"status", "--drift", "--exit-code"}).exit_code == 0);
}

TEST_CASE("cora-migrate diff --sql: types, sequences, a serial column's table, views and grants come back") {
  TestDatabase db;
  ScratchDir dir;
  const auto& cluster = test_cluster();
  dir.write("cora-migrate.toml",
            "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
  std::filesystem::copy(source_dir() / "migrations", dir.path() / "migrations");
  dir.write("migrations/009-kinds.sql",
            "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
            "CREATE DOMAIN public.email AS text NOT NULL CONSTRAINT email_at CHECK (VALUE LIKE '%@%');\n"
            "CREATE TYPE public.pair AS (a int, b text);\n"
            "CREATE SEQUENCE public.counter INCREMENT BY 5 MAXVALUE 1000 CYCLE;\n"
            "CREATE TABLE public.t2 (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s serial, m public.mood, e "
            "public.email);\n"
            "CREATE VIEW public.open_sessions WITH (security_invoker = true) AS\n"
            "  SELECT id, user_id FROM public.user_sessions WHERE ended_at IS NULL;\n"
            "CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS one;\n"
            "GRANT SELECT ON public.open_sessions TO anon;\n");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                               "--migrations", (dir.path() / "migrations").string()});
    return run_cli(args);
  };
  REQUIRE(run({"migrate"}).exit_code == 0);
  REQUIRE(run({"diff"}).exit_code == 0);
  db.connect()->execute_script(
      "DROP VIEW public.open_sessions; DROP MATERIALIZED VIEW public.mv; DROP TABLE public.t2;"
      "DROP SEQUENCE public.counter; DROP TYPE public.pair; ALTER TYPE public.mood ADD VALUE 'happy'");
  const auto report = nlohmann::json::parse(run({"diff", "--format", "json"}).out);
  CHECK(report["summary"]["missing"] == 5);
  CHECK(report["summary"]["changed"] == 1);  // the enum's labels
  const auto sql = run({"diff", "--sql"});
  CHECK(sql.out.find("cannot remove the enum label 'happy'") != std::string::npos);
  db.connect()->execute_script(sql.out);
  const auto after = nlohmann::json::parse(run({"diff", "--format", "json"}).out);
  INFO(after.dump(2));
  REQUIRE(after["differences"].size() == 1);  // PostgreSQL cannot remove an enum label
  CHECK(after["differences"][0]["name"] == "public.mood");
}

TEST_CASE("cora-migrate diff: re-running a file is never the fix when a later file changed what it defines") {
  TestDatabase db;
  ScratchDir dir;
  const auto& cluster = test_cluster();
  dir.write("cora-migrate.toml",
            "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
  dir.write("m/001-base.sql",
            "CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY, owner uuid);\n"
            "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n"
            "DROP POLICY IF EXISTS notes_owner ON notes;\n"
            "CREATE POLICY notes_owner ON notes USING (owner = auth.uid());\n"
            "CREATE OR REPLACE FUNCTION note_count() RETURNS bigint LANGUAGE sql STABLE SET search_path = public "
            "AS $$ SELECT count(*) FROM public.notes $$;\n");
  dir.write("m/002-drop-policy.sql", "DROP POLICY IF EXISTS notes_owner ON notes;\n");
  const std::vector<std::string> common{"--config",       (dir.path() / "cora-migrate.toml").string(),
                                        "--database-url", db.conninfo(),
                                        "--migrations",   (dir.path() / "m").string()};
  auto run = [&](std::vector<std::string> rest) {
    auto a = common;
    a.insert(a.end(), rest.begin(), rest.end());
    return run_cli(a);
  };
  REQUIRE(run({"migrate"}).exit_code == 0);
  auto conn = db.connect();
  conn->execute_script(
      "CREATE OR REPLACE FUNCTION public.note_count() RETURNS bigint LANGUAGE sql STABLE "
      "SET search_path = public AS $$ SELECT 42::bigint $$");
  const auto r = run({"diff", "--format", "json"});
  CHECK(r.exit_code == 15);
  const auto report = nlohmann::json::parse(r.out);
  REQUIRE(report["differences"].size() == 1);
  const auto& fix = report["differences"][0]["fix"];
  // 001 also re-creates the policy 002 dropped: its re-run would undo 002.
  CHECK(fix["command"].is_null());
  CHECK_MESSAGE(fix["advice"].get<std::string>().find("would also undo 002-drop-policy.sql") != std::string::npos,
                fix.dump());
}

TEST_CASE("cora-migrate diff: Supabase's default privileges are the local cluster's too, so grants match a project's") {
  SUBCASE("what postgres creates in public is granted to the API roles, as on a Supabase project") {
    TestDatabase db;
    cora::Connection::open(db.conninfo_as("postgres"), std::chrono::seconds(10))
        ->execute_script(
            "CREATE TABLE public.t (id int); CREATE SEQUENCE public.s;"
            "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    const std::string acl =
        "SELECT string_agg(a.who || '=' || a.privileges, ' ' ORDER BY a.who) "
        "FROM (SELECT CASE WHEN x.grantee = 0 THEN '-' ELSE pg_get_userbyid(x.grantee)::text END AS who, "
        "             string_agg(x.privilege_type, ',' ORDER BY x.privilege_type) AS privileges "
        "      FROM aclexplode((SELECT {acl} FROM {catalog} WHERE {key})) x "
        "      WHERE x.grantee <> 'postgres'::regrole::oid GROUP BY 1) a";
    auto of = [&](const std::string& column, const std::string& catalog, const std::string& key) {
      std::string sql = acl;
      sql.replace(sql.find("{acl}"), 5, column);
      sql.replace(sql.find("{catalog}"), 9, catalog);
      sql.replace(sql.find("{key}"), 5, key);
      return db.scalar(sql);
    };
    const std::string table_privileges = "DELETE,INSERT,REFERENCES,SELECT,TRIGGER,TRUNCATE,UPDATE";
    CHECK(of("relacl", "pg_class", "oid = 'public.t'::regclass") ==
          "anon=" + table_privileges + " authenticated=" + table_privileges + " service_role=" + table_privileges);
    CHECK(of("relacl", "pg_class", "oid = 'public.s'::regclass") ==
          "anon=SELECT,UPDATE,USAGE authenticated=SELECT,UPDATE,USAGE service_role=SELECT,UPDATE,USAGE");
    // PUBLIC keeps PostgreSQL's own EXECUTE on functions, as on Supabase.
    CHECK(of("proacl", "pg_proc", "oid = 'public.f()'::regprocedure") ==
          "-=EXECUTE anon=EXECUTE authenticated=EXECUTE service_role=EXECUTE");
  }

  SUBCASE("a database with the default privileges a Supabase project sets: no grant differences after migrate") {
    // What Supabase's own set-up runs for postgres: the test's copy, not the compatibility layer's.
    const DriftFixture f(
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, "
        "service_role;"
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, "
        "service_role;"
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, "
        "service_role");
    const auto& db = f.db;
    // The files leave anon some grants the default privileges gave (EXECUTE on functions they do
    // not revoke): the expected schema must have them as well.
    CHECK(db.scalar("SELECT count(*) > 0 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, "
                    "aclexplode(p.proacl) a WHERE n.nspname = 'public' AND a.grantee = 'anon'::regrole") == "t");
    const auto report = f.diff_json();
    INFO(report.dump(2));
    CHECK(report["summary"]["total"] == 0);
  }
}

TEST_CASE("cora-migrate diff: a database of another major version is said so, and its deparsed text is not compared") {
  // Only PostgreSQL 15 is at hand: a proxy makes the server announce 16, which is what diff
  // reads the target's version from (the server_version it reports at start-up).
  DriftFixture f;
  f.execute(
      "ALTER TABLE public.user_auth_log ALTER COLUMN event_type DROP NOT NULL;"
      "ALTER POLICY user_sessions_select_own ON public.user_sessions USING (true)");
  const auto same = f.diff_json();
  CHECK(same["server_version"]["database"].get<int>() / 10000 == 15);
  CHECK(same["notes"].empty());
  CHECK(same["summary"]["total"] == 2);  // the column's nullability and the policy's expression

  CuttingProxy proxy;
  proxy.announce_major_version(16);
  auto via_proxy = [&](std::vector<std::string> rest) {
    std::vector<std::string> args{"--config",       (f.dir.path() / "cora-migrate.toml").string(),
                                  "--database-url", proxy.url(f.db.name()),
                                  "--migrations",   (source_dir() / "migrations").string()};
    args.insert(args.end(), rest.begin(), rest.end());
    return run_cli(args);
  };
  const auto r = via_proxy({"diff", "--format", "json"});
  INFO(r.err);
  CHECK(r.exit_code == 15);
  const auto other = nlohmann::json::parse(r.out);
  CHECK(other["server_version"]["database"].get<int>() / 10000 == 16);
  CHECK(other["server_version"]["files"].get<int>() / 10000 == 15);
  REQUIRE(other["notes"].size() == 1);
  CHECK(other["notes"][0].get<std::string>().find("the database runs PostgreSQL 16 and the files were applied on "
                                                  "PostgreSQL 15") != std::string::npos);
  // What PostgreSQL prints the same on every version is still compared; expressions are not.
  REQUIRE(other["differences"].size() == 1);
  CHECK(other["differences"][0]["name"] == "public.user_auth_log.event_type");
  const auto human = via_proxy({"diff"});
  CHECK(human.out.find("PostgreSQL 16") != std::string::npos);
}
