// Databases the tool did not build: baseline, adopt, and repair after a non-transactional failure.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "cora/local/local_cluster.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

struct HistoryProject {
  TestDatabase db;
  ScratchDir dir;
  HistoryProject() {
    std::filesystem::copy(source_dir() / "migrations", dir.path() / "migrations");
    dir.write("cora-migrate.toml", test_cluster_local_settings());
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(),
                {"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                 "--migrations", (dir.path() / "migrations").string(), "--checks", (source_dir() / "checks").string()});
    return run_cli(args);
  }
  // The way the team did it before: every file through psql, by hand, tracked by nobody.
  void apply_with_psql() const {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "migrations"))
      files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) db.run_psql_file(file);
  }
  std::string states() const {
    return db.scalar(
        "SELECT string_agg(version || ':' || action, ',' ORDER BY version) FROM cora_migrate.schema_history "
        "WHERE is_current");
  }
};

// The line of `text` where `needle` first is: the tests do not hard-code line numbers.
int line_holding(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace

TEST_CASE("cora-migrate baseline: records versions without running them") {
  HistoryProject p;
  const auto r = p.run({"baseline", "3"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("baselined 003-profiles.sql (not run)") != std::string::npos);
  CHECK(p.states() == "0:baseline,1:baseline,2:baseline,3:baseline");
  CHECK(p.db.scalar("SELECT to_regclass('public.user_profiles') IS NULL") == "t");  // nothing ran
  const auto status = nlohmann::json::parse(p.run({"status", "--format", "json"}).out);
  CHECK(status["summary"]["applied"] == 4);
  CHECK(status["summary"]["pending"] == 5);  // 004 to 008
  CHECK(p.run({"baseline", "42"}).exit_code == 2);
}

TEST_CASE("cora-migrate adopt: a database built by hand with psql") {
  HistoryProject p;
  p.apply_with_psql();

  SUBCASE("every effect of every migration is there: adopted up to a DO block, which only --force records") {
    const auto r = p.run({"adopt"});
    INFO(r.out, r.err);
    CHECK(r.exit_code == 11);
    // Default privileges and grants on schemas are checked too, not taken on trust.
    CHECK(contains(r.out, "adopted 000-default-privileges.sql (7 statements checked against the live schema"));
    CHECK(contains(r.out, "not adopted 007-auth-events-sessions.sql:"));
    CHECK(contains(r.out,
                   "007-auth-events-sessions.sql:" +
                       std::to_string(
                           line_holding(read_text(p.dir.path() / "migrations/007-auth-events-sessions.sql"), "DO $$")) +
                       ": DO runs code whose effect adopt cannot know"));
    CHECK(p.states() == "0:adopt,1:adopt,2:adopt,3:adopt,4:adopt,5:adopt,6:adopt");

    const auto forced = p.run({"adopt", "--force"});
    CHECK(forced.exit_code == 0);
    CHECK(contains(forced.out, "adopted 007-auth-events-sessions.sql (--force: "));
    CHECK(contains(forced.out, "adopted 008-lint-fixes.sql ("));
    CHECK(p.states() == "0:adopt,1:adopt,2:adopt,3:adopt,4:adopt,5:adopt,6:adopt,7:adopt,8:adopt");
    CHECK(p.run({"migrate"}).out.find("Nothing to apply") != std::string::npos);
  }

  SUBCASE("a missing index or a failing check stops adoption there, and says why") {
    p.db.connect()->execute_script(
        "DROP INDEX public.idx_user_sessions_active; ALTER TABLE public.orgs DISABLE ROW LEVEL SECURITY");
    const auto r = p.run({"adopt"});
    CHECK(r.exit_code == 11);
    CHECK(r.out.find("not adopted 002-orgs.sql") != std::string::npos);
    CHECK(r.out.find("check ") != std::string::npos);
    CHECK(p.states() == "0:adopt,1:adopt");

    p.db.connect()->execute_script("ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY");
    const auto again = p.run({"adopt"});
    CHECK(again.exit_code == 11);
    CHECK(again.out.find("not adopted 007-auth-events-sessions.sql") != std::string::npos);
    CHECK(again.out.find("index public.idx_user_sessions_active does not exist") != std::string::npos);
    CHECK(p.states() == "0:adopt,1:adopt,2:adopt,3:adopt,4:adopt,5:adopt,6:adopt");
  }
}

namespace {

// A table, then changes to it that create nothing new of the kinds adopt used to look for.
const std::string kItemsFile =
    "CREATE TABLE public.items (id int PRIMARY KEY, name text);\n"
    "ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY items_read ON public.items FOR SELECT TO authenticated USING (id > 0);\n";
const std::string kChangesFile =
    "-- every kind of change adopt has to see\n"
    "ALTER TABLE public.items ADD COLUMN price numeric;\n"
    "ALTER TABLE public.items ALTER COLUMN name SET NOT NULL;\n"
    "ALTER TABLE public.items ADD CONSTRAINT items_price_positive CHECK (price > 0);\n"
    "CREATE INDEX items_name_idx ON public.items (name);\n"
    "GRANT SELECT ON public.items TO pg_monitor;\n";  // not a role the default privileges grant to

// A project of those two files, and a database they were pasted into by hand.
struct ChangesProject {
  TestDatabase db;
  ScratchDir dir;
  ChangesProject() {
    dir.write("cora-migrate.toml", test_cluster_local_settings());
    dir.write("migrations/001-items.sql", kItemsFile);
    dir.write("migrations/002-changes.sql", kChangesFile);
    std::filesystem::create_directories(dir.path() / "checks");
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(),
                {"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                 "--migrations", (dir.path() / "migrations").string(), "--checks", (dir.path() / "checks").string()});
    return run_cli(args);
  }
  // Pastes `sql` with psql, going on past errors, as a person pasting a file does.
  void paste(const std::string& sql) const {
    dir.write("pasted.sql", sql);
    db.paste_with_psql_past_errors(dir.path() / "pasted.sql");
  }
  std::string path_of(const std::string& file) const { return (dir.path() / "migrations" / file).string(); }
  std::string states() const {
    return db.scalar(
        "SELECT string_agg(version || ':' || action, ',' ORDER BY version) FROM cora_migrate.schema_history "
        "WHERE is_current");
  }
};

// `text` with the line holding `needle` left out.
std::string without_line(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  const auto start = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  return text.substr(0, start) + text.substr(text.find('\n', at) + 1);
}

}  // namespace

TEST_CASE("cora-migrate adopt: every effect of a file is compared, not only what it creates") {
  ChangesProject p;

  SUBCASE("everything ran: adopted") {
    p.paste(kItemsFile + kChangesFile);
    const auto r = p.run({"adopt"});
    CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
    CHECK_MESSAGE(contains(r.out, "adopted 002-changes.sql (5 statements checked against the live schema"), r.out);
    CHECK(p.states() == "1:adopt,2:adopt");
  }

  struct NeverRan {
    const char* statement;  // the line of 002 that did not run
    std::string expected;   // what adopt says about it, after "FILE:LINE: "
  };
  const NeverRan cases[] = {
      {"ADD COLUMN price", "column public.items.price does not exist"},
      {"SET NOT NULL", "column public.items.name: nullable is "},
      {"ADD CONSTRAINT", "constraint public.items.items_price_positive does not exist"},
      {"CREATE INDEX", "index public.items_name_idx does not exist"},
      {"GRANT SELECT", "grant "},
  };
  for (const auto& c : cases) {
    SUBCASE(c.statement) {
      p.paste(kItemsFile + without_line(kChangesFile, c.statement));
      const auto refused = p.run({"adopt"});
      INFO(refused.out, refused.err);
      CHECK(refused.exit_code == 11);
      CHECK(contains(refused.out, "not adopted 002-changes.sql:"));
      CHECK(contains(refused.out, "  not in the live schema (the file did not run, or only in part"));
      const std::string where =
          fmt::format("{}:{}: {}", p.path_of("002-changes.sql"), line_holding(kChangesFile, c.statement), c.expected);
      CHECK(contains(refused.out, where));
      CHECK(p.states() == "1:adopt");  // the first file ran whole: adopted

      const auto forced = p.run({"adopt", "--force"});
      CHECK(forced.exit_code == 0);
      CHECK(contains(forced.out, "adopted 002-changes.sql (--force: recorded although the schema does not show all"));
      CHECK(contains(forced.out, where));  // still said
      CHECK(p.states() == "1:adopt,2:adopt");
    }
  }

  SUBCASE("a statement adopt cannot check is named at its line; --force records the file") {
    p.dir.write("migrations/003-seed.sql",
                "SET search_path = public;\nINSERT INTO items (id, name) VALUES (1, 'a');\n");
    p.paste(kItemsFile + kChangesFile + "INSERT INTO items (id, name) VALUES (1, 'a');\n");
    const auto refused = p.run({"adopt"});
    CHECK(refused.exit_code == 11);
    CHECK_MESSAGE(contains(refused.out,
                           p.path_of("003-seed.sql") + ":2: INSERT INTO changes rows, which adopt does not compare"),
                  refused.out);
    CHECK(!contains(refused.out, p.path_of("003-seed.sql") + ":1:"));  // SET leaves nothing behind
    CHECK(p.states() == "1:adopt,2:adopt");
    CHECK(p.run({"adopt", "--force"}).exit_code == 0);
    CHECK(p.states() == "1:adopt,2:adopt,3:adopt");
  }

  SUBCASE("pasted with an error: the missing effect is named, not 'it ran, then changed', each check once") {
    // The ENABLE line failed in the SQL editor; the policy and the table are there.
    p.paste(kItemsFile.substr(0, kItemsFile.find("ENABLE")) + "ENABLE ROW LEVEL SECURTY;\n" +
            kItemsFile.substr(kItemsFile.find("CREATE POLICY")) + kChangesFile);
    const auto r = p.run({"adopt"});
    INFO(r.out);
    CHECK(r.exit_code == 11);
    CHECK(contains(r.out, p.path_of("001-items.sql") + ":2: table public.items: row level security is "));
    CHECK(!contains(r.out, "it ran, then changed"));
    CHECK(occurrences(r.out, "lint:policy_on_rls_disabled_table public.items items_read") == 1);
    CHECK(contains(r.out, "0 migrations adopted"));
  }
}

TEST_CASE("cora-migrate repair: after a concurrent index build fails part-way") {
  HistoryProject p;
  p.dir.write(
      "migrations/009-unique-email.sql",
      "-- cora-migrate: transaction=false\n"
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_user_auth_log_email_lower ON public.user_auth_log "
      "(lower(user_email));\n"
      "CREATE UNIQUE INDEX CONCURRENTLY idx_user_auth_log_unique_email ON public.user_auth_log (user_email);\n");
  REQUIRE(p.run({"migrate", "--to", "7"}).exit_code == 0);
  p.db.connect()->execute_script(
      "INSERT INTO public.user_auth_log (event_type, user_email) VALUES ('logout', 'a@x'), ('logout', 'a@x')");

  const auto failed = p.run({"migrate"});
  CHECK(failed.exit_code == 6);
  CHECK(failed.err.find("009-unique-email.sql:3:1:") != std::string::npos);
  CHECK(
      failed.err.find("index public.idx_user_auth_log_unique_email was left INVALID: DROP INDEX CONCURRENTLY IF EXISTS "
                      "public.idx_user_auth_log_unique_email;") != std::string::npos);
  CHECK(failed.err.find("cora-migrate repair 009") != std::string::npos);
  CHECK(p.run({"migrate"}).exit_code == 8);      // dirty blocks
  CHECK(p.run({"repair", "7"}).exit_code == 2);  // not dirty

  // The person fixes the data, drops the invalid index, and clears the state.
  p.db.connect()->execute_script("DROP INDEX CONCURRENTLY IF EXISTS public.idx_user_auth_log_unique_email");
  p.db.connect()->execute_script("DELETE FROM public.user_auth_log");
  const auto repaired = p.run({"repair", "9"});
  CHECK(repaired.exit_code == 0);
  CHECK(repaired.out.find("pending again") != std::string::npos);
  const auto status = nlohmann::json::parse(p.run({"status", "--format", "json"}).out);
  CHECK(status["summary"]["pending"] == 1);
  CHECK(p.run({"migrate"}).exit_code == 0);
  CHECK(p.db.scalar(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.idx_user_auth_log_unique_email'::regclass") ==
        "t");
}
