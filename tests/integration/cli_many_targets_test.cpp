// Many targets: --env a,b,c and --all-envs run against several databases, bounded in parallel,
// with one summary table and a failing exit when any target fails.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

TEST_CASE("cora-migrate --all-envs: 20 databases, one summary") {
  std::vector<std::unique_ptr<TestDatabase>> databases;
  ScratchDir dir;
  std::string config;
  for (int i = 1; i <= 20; ++i) {
    databases.push_back(std::make_unique<TestDatabase>());
    config += fmt::format("[environments.tenant{:02}]\ndatabase_url = \"{}\"\n", i, databases.back()->conninfo());
  }
  dir.write("cora-migrate.toml", config);
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("migrations/002-b.sql", "CREATE TABLE b (id int);\n");
  const CliOptions here{dir.path(), {}};

  const auto all = run_cli({"--all-envs", "--jobs", "4", "migrate"}, here);
  CHECK(all.exit_code == 0);
  CHECK(all.out.find("20 target(s): 20 ok, 0 failed") != std::string::npos);
  CHECK(all.out.find("[tenant07] applied 002-b.sql") != std::string::npos);
  for (const auto& db : databases) CHECK(db->scalar("SELECT count(*) FROM cora_migrate.schema_history") == "2");

  // One tenant's database already has a table the next migration creates.
  dir.write("migrations/003-c.sql", "CREATE TABLE c (id int);\n");
  databases[6]->connect()->execute_script("CREATE TABLE c (id int)");
  const auto some = run_cli({"--env", "tenant06,tenant07,tenant08", "migrate"}, here);
  CHECK(some.exit_code == 6);
  CHECK(some.out.find("3 target(s): 2 ok, 1 failed") != std::string::npos);
  CHECK_MESSAGE(some.out.find("tenant07  failed     6  cora-migrate: error:") != std::string::npos, some.out);
  CHECK(some.err.find("[tenant07] cora-migrate: error:") != std::string::npos);
  CHECK(databases[5]->scalar("SELECT count(*) FROM cora_migrate.schema_history") == "3");
  CHECK(databases[8]->scalar("SELECT count(*) FROM cora_migrate.schema_history") == "2");

  const auto status = run_cli({"--all-envs", "status", "--exit-code"}, here);
  CHECK(status.exit_code == 10);
  CHECK(status.out.find("20 target(s): 2 ok, 18 failed") != std::string::npos);

  CHECK(run_cli({"--all-envs", "local", "status"}, here).exit_code == 2);
}
