// Databases the tool did not build: baseline, adopt, and repair after a non-transactional failure.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "cora/local/local_cluster.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

struct HistoryProject {
  TestDatabase db;
  ScratchDir dir;
  HistoryProject() { std::filesystem::copy(source_dir() / "migrations", dir.path() / "migrations"); }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string(),
                               "--checks", (source_dir() / "checks").string()});
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

}  // namespace

TEST_CASE("cora-migrate baseline: records versions without running them") {
  HistoryProject p;
  const auto r = p.run({"baseline", "3"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("baselined 003-profiles.sql (not run)") != std::string::npos);
  CHECK(p.states() == "0:baseline,1:baseline,2:baseline,3:baseline");
  CHECK(p.db.scalar("SELECT to_regclass('public.user_profiles') IS NULL") == "t");  // nothing ran
  const auto status = nlohmann::json::parse(p.run({"status", "--json"}).out);
  CHECK(status["summary"]["applied"] == 4);
  CHECK(status["summary"]["pending"] == 5);  // 004 to 008
  CHECK(p.run({"baseline", "42"}).exit_code == 2);
}

TEST_CASE("cora-migrate adopt: a database built by hand with psql") {
  HistoryProject p;
  p.apply_with_psql();

  SUBCASE("every migration's objects exist and its checks pass: all adopted") {
    const auto r = p.run({"adopt"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("adopted 000-default-privileges.sql (it creates no table, index, policy or function to check") !=
          std::string::npos);
    CHECK(r.out.find("adopted 007-auth-events-sessions.sql (") != std::string::npos);
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

TEST_CASE("cora-migrate repair: after a concurrent index build fails part-way") {
  HistoryProject p;
  p.dir.write(
      "migrations/009-unique-email.sql",
      "-- cora-migrate: transaction=false\n"
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_user_auth_log_email_lower ON public.user_auth_log "
      "(lower(user_email));\n"
      "CREATE UNIQUE INDEX CONCURRENTLY idx_user_auth_log_unique_email ON public.user_auth_log (user_email);\n");
  REQUIRE(p.run({"migrate", "--target", "7"}).exit_code == 0);
  p.db.connect()->execute_script(
      "INSERT INTO public.user_auth_log (event_type, user_email) VALUES ('logout', 'a@x'), ('logout', 'a@x')");

  const auto failed = p.run({"migrate"});
  CHECK(failed.exit_code == 6);
  CHECK(failed.err.find("009-unique-email.sql:3:1:") != std::string::npos);
  CHECK(
      failed.err.find("index public.idx_user_auth_log_unique_email was left INVALID: DROP INDEX CONCURRENTLY IF EXISTS "
                      "public.idx_user_auth_log_unique_email;") != std::string::npos);
  CHECK(failed.err.find("cora-migrate repair 9") != std::string::npos);
  CHECK(p.run({"migrate"}).exit_code == 8);      // dirty blocks
  CHECK(p.run({"repair", "7"}).exit_code == 2);  // not dirty

  // The person fixes the data, drops the invalid index, and clears the state.
  p.db.connect()->execute_script("DROP INDEX CONCURRENTLY IF EXISTS public.idx_user_auth_log_unique_email");
  p.db.connect()->execute_script("DELETE FROM public.user_auth_log");
  const auto repaired = p.run({"repair", "9"});
  CHECK(repaired.exit_code == 0);
  CHECK(repaired.out.find("pending again") != std::string::npos);
  const auto status = nlohmann::json::parse(p.run({"status", "--json"}).out);
  CHECK(status["summary"]["pending"] == 1);
  CHECK(p.run({"migrate"}).exit_code == 0);
  CHECK(p.db.scalar(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.idx_user_auth_log_unique_email'::regclass") ==
        "t");
}
