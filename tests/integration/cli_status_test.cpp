// `cora-migrate status`: states, JSON and the CI exit code, from the built binary.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

struct Project {
  ScratchDir dir;
  TestDatabase db;
  Project() { std::filesystem::copy(source_dir() / "migrations", dir.path() / "migrations"); }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string()});
    return run_cli(args);
  }
  nlohmann::json status_json() const {
    const auto result = run({"status", "--format", "json"});
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
  }
};

std::string state_of(const nlohmann::json& status, std::int64_t version) {
  for (const auto& m : status["migrations"]) {
    if (std::stoll(m["version"].get<std::string>()) == version) return m["state"];
  }
  return "absent";
}

}  // namespace

TEST_CASE("cora-migrate status") {
  Project project;

  SUBCASE("a fresh database: everything pending, and --exit-code says so") {
    const auto status = project.status_json();
    CHECK(status["history_table_exists"] == false);
    CHECK(status["summary"]["pending"] == 9);
    CHECK(status["summary"]["applied"] == 0);
    CHECK(project.run({"status", "--exit-code"}).exit_code == 10);
  }

  SUBCASE("after migrate: everything applied, with checksums and who applied it") {
    REQUIRE(project.run({"migrate"}).exit_code == 0);
    const auto status = project.status_json();
    CHECK(status["summary"]["applied"] == 9);
    const auto& first = status["migrations"][0];
    CHECK(first["state"] == "applied");
    CHECK(first["checksum"] == first["applied"]["checksum"]);
    CHECK(first["applied"]["applied_by"] == "supabase_admin");  // the role the tests connect as
    CHECK(project.run({"status", "--exit-code"}).exit_code == 0);

    const auto table = project.run({"status"});
    CHECK(table.exit_code == 0);
    CHECK(squeezed(table.out).find("\n007 auth-events-sessions applied") != std::string::npos);
    CHECK(table.out.find("9 migrations: 9 applied") != std::string::npos);
  }

  SUBCASE("the guide's Step 1: 007 edited after it was applied shows as changed, and migrate refuses") {
    REQUIRE(project.run({"migrate"}).exit_code == 0);
    project.dir.write("migrations/007-auth-events-sessions.sql", "-- edited\nSELECT 1;\n");
    const auto status = project.status_json();
    CHECK(state_of(status, 7) == "changed");
    CHECK(state_of(status, 6) == "applied");
    CHECK(project.run({"status", "--exit-code"}).exit_code == 10);
    const auto table = project.run({"status"});
    CHECK(table.out.find("changed   ") != std::string::npos);

    const auto refused = project.run({"migrate"});
    CHECK(refused.exit_code == 8);
    CHECK(refused.err.find("007-auth-events-sessions.sql: changed since it was applied") != std::string::npos);
  }

  SUBCASE("an applied file that was deleted shows as missing") {
    REQUIRE(project.run({"migrate"}).exit_code == 0);
    std::filesystem::remove(project.dir.path() / "migrations/007-auth-events-sessions.sql");
    const auto status = project.status_json();
    CHECK(state_of(status, 7) == "missing");
    CHECK(project.run({"status", "--exit-code"}).exit_code == 10);
  }

  SUBCASE("a non-transactional file that failed part-way shows as dirty") {
    project.dir.write("migrations/009-index.sql",
                      "-- cora-migrate: transaction=false\n"
                      "CREATE INDEX CONCURRENTLY IF NOT EXISTS log_type ON public.user_auth_log (event_type);\n"
                      "CREATE INDEX CONCURRENTLY broken ON public.no_such_table (x);\n");
    const auto failed = project.run({"migrate"});
    CHECK(failed.exit_code == 6);
    CHECK(failed.err.find("009-index.sql:3:") != std::string::npos);
    const auto status = project.status_json();
    CHECK(state_of(status, 9) == "dirty");
    CHECK(state_of(status, 7) == "applied");
    CHECK(project.run({"migrate"}).exit_code == 8);
  }
}
