// Connection set-up costs several round trips at a distance (TCP, TLS, authentication): every
// command connects to its database exactly once. A loopback proxy in front of the test cluster
// counts the connections it accepts while each command runs.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/cutting_proxy.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

// Client sessions the local cluster has counted on the databases a diff reads the files' schema
// from (its admin database and the built template), once every such session has ended.
// PostgreSQL counts a session when its backend exits, a moment after the client has gone.
long long expected_side_sessions(const TestDatabase& reader) {
  const std::string sql =
      "SELECT pg_stat_clear_snapshot(), coalesce(sum(sessions), 0) FROM pg_catalog.pg_stat_database "
      "WHERE datname = 'postgres' OR datname LIKE 'cora\\_expected\\_%'";
  auto db = reader.connect();
  auto read = [&] { return std::stoll(db->query(sql).rows.at(0).at(1).value_or("0")); };
  long long last = read();
  // Stable for half a second: every backend that was going to report has.
  for (int stable = 0, i = 0; stable < 5 && i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long long now = read();
    stable = now == last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

}  // namespace

TEST_CASE("cora-migrate: every command connects to its database once") {
  TestDatabase db;
  CuttingProxy proxy;
  ScratchDir dir;
  const auto& cluster = test_cluster();
  // diff and status --drift build the files' schema on this cluster, not through the proxy.
  dir.write("cora-migrate.toml",
            fmt::format("[local]\ndata_dir = \"{}\"\n", cluster.requested_root().value_or(cluster.root()).string()));
  const std::vector<std::string> common{"--config",       (dir.path() / "cora-migrate.toml").string(),
                                        "--database-url", proxy.url(db.name()),
                                        "--migrations",   (source_dir() / "migrations").string(),
                                        "--checks",       (source_dir() / "checks").string()};
  auto connections = [&](const std::vector<std::string>& command, int expected_exit = 0) {
    std::vector<std::string> args = common;
    args.insert(args.end(), command.begin(), command.end());
    const int before = proxy.connections();
    const auto r = run_cli(args);
    INFO(fmt::format("{}: {}", fmt::join(command, " "), r.err));
    CHECK(r.exit_code == expected_exit);
    return proxy.connections() - before;
  };

  CHECK(connections({"migrate", "--dry-run"}) == 1);
  CHECK(connections({"migrate"}) == 1);
  CHECK(connections({"migrate"}) == 1);  // nothing pending
  CHECK(connections({"status"}) == 1);
  CHECK(connections({"status", "--format", "json"}) == 1);
  CHECK(connections({"history"}) == 1);
  CHECK(connections({"verify"}) == 1);
  CHECK(connections({"verify", "--format", "json"}) == 1);
  CHECK(connections({"checklist"}) == 1);
  CHECK(connections({"lint", "--pending"}) == 1);
  CHECK(connections({"adopt"}) == 1);
  // Waiting for a server that is already up costs no extra connection.
  CHECK(connections({"--wait", "5s", "status"}) == 1);

  // diff reads two databases: the live one, and the files' schema on the local cluster; once
  // that schema is built, each side is connected to once.
  CHECK(connections({"diff"}) == 1);  // builds the template
  const long long sessions_before = expected_side_sessions(db);
  CHECK(connections({"diff"}) == 1);
  CHECK(expected_side_sessions(db) - sessions_before == 1);
  CHECK(connections({"status", "--drift"}) == 1);
}
