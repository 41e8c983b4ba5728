// --wait: CI jobs that start a database next to the tool.

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "cora/local/local_cluster.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"

using namespace cora::test;

TEST_CASE("cora-migrate --wait: waits for a database that is still starting, within bounds") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  cora::LocalCluster cluster(dir.path() / "pg", "/usr/lib/postgresql/15/bin");
  cluster.ensure_running();
  cluster.stop();
  const CliOptions here{dir.path(), {}};

  const auto no_wait = run_cli({"--database-url", cluster.conninfo(), "migrate"}, here);
  CHECK(no_wait.exit_code == 5);

  const auto started = std::chrono::steady_clock::now();
  const auto short_wait = run_cli({"--database-url", cluster.conninfo(), "--wait", "1s", "migrate"}, here);
  CHECK(short_wait.exit_code == 5);
  CHECK(short_wait.err.find("did not accept connections within --wait 1000ms") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(900));

  auto waiting = start_cli({"--database-url", cluster.conninfo(), "--wait", "60s", "migrate"}, here);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  cluster.ensure_running();
  const auto result = wait_cli(waiting);
  CHECK_MESSAGE(result.exit_code == 0, result.err);
  CHECK(result.out.find("applied 001-a.sql") != std::string::npos);

  CHECK(run_cli({"--wait", "soon", "status"}, here).exit_code == 2);
  cluster.destroy();
}
