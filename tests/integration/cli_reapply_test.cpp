// The deployment guide's story: a live log_auth_event() still writes to auth_event_log because
// 007 changed after it was applied. status says so, migrate refuses, --reapply fixes it.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

TEST_CASE("cora-migrate migrate --reapply: the auth_event_log story end to end") {
  TestDatabase db;
  ScratchDir dir;
  std::filesystem::copy(source_dir() / "migrations", dir.path() / "migrations");
  const auto file_007 = dir.path() / "migrations/007-auth-events-sessions.sql";
  const std::string fixed = read_text(file_007);
  // The stale 007 that was pasted into the SQL editor: log_auth_event writes to the old name.
  dir.write("migrations/007-auth-events-sessions.sql",
            replace_all(fixed, "INSERT INTO public.user_auth_log", "INSERT INTO public.auth_event_log"));
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string(),
                               "--checks", (source_dir() / "checks").string()});
    return run_cli(args);
  };
  REQUIRE(run({"migrate"}).exit_code == 0);
  CHECK(run({"verify"}).exit_code == 11);  // the stale function is caught

  dir.write("migrations/007-auth-events-sessions.sql", fixed);  // the team fixes the file
  const auto status = nlohmann::json::parse(run({"status", "--format", "json"}).out);
  CHECK(status["summary"]["changed"] == 1);
  const auto refused = run({"migrate"});
  CHECK(refused.exit_code == 8);
  CHECK(refused.err.find("--reapply 007") != std::string::npos);

  SUBCASE("--reapply of a version that is not changed is a usage error") {
    const auto wrong = run({"migrate", "--reapply", "6"});
    CHECK(wrong.exit_code == 2);
    CHECK(wrong.err.find("--reapply 6: 006-user-provisioning.sql is applied, not changed") != std::string::npos);
  }

  SUBCASE("--reapply re-runs it, records the new checksum and keeps the old record") {
    const auto dry = run({"migrate", "--reapply", "7", "--dry-run"});
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("-- re-apply 007-auth-events-sessions.sql") != std::string::npos);
    const auto reapplied = run({"migrate", "--reapply", "7"});
    CHECK(reapplied.exit_code == 0);
    CHECK(reapplied.out.find("reapplied 007-auth-events-sessions.sql") != std::string::npos);
    CHECK(db.scalar("SELECT string_agg(action || ':' || is_current, ',' ORDER BY id) FROM cora_migrate.schema_history "
                    "WHERE version = 7") == "apply:false,reapply:true");
    CHECK(run({"status", "--exit-code"}).exit_code == 0);
    CHECK(run({"verify"}).exit_code == 0);
    CHECK(run({"migrate"}).out.find("Nothing to apply") != std::string::npos);
  }

  SUBCASE("--reapply-changed does the same for every changed file") {
    CHECK(run({"migrate", "--reapply-changed"}).exit_code == 0);
    CHECK(run({"verify"}).exit_code == 0);
  }
}
