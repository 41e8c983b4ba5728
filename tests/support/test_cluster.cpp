#include "support/test_cluster.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "support/failure_tracker.hpp"
#include "support/scratch_dir.hpp"
#include "cora/util/process.hpp"

namespace cora::test {

namespace {

struct ClusterHolder {
  ScratchDir dir{"cora-test-cluster"};
  LocalCluster cluster{dir.path() / "pg", "/usr/lib/postgresql/15/bin"};
  ClusterHolder() { cluster.ensure_running(); }
  ~ClusterHolder() {
    try {
      // After a failure the stopped cluster stays with its scratch folder: its server log is
      // part of the evidence.
      if (failed_assertions() > 0) {
        cluster.stop();
      } else {
        cluster.destroy();
      }
    } catch (...) {
      // Nothing left to report to at exit.
    }
  }
};

std::unique_ptr<Connection> admin_connection() {
  return Connection::open(test_cluster().conninfo("postgres", LocalCluster::kSuperuser), std::chrono::seconds(10));
}

}  // namespace

LocalCluster& test_cluster() {
  static ClusterHolder holder;
  return holder.cluster;
}

TestDatabase::TestDatabase() {
  static std::atomic<int> counter{0};
  name_ = "cora_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  // Owned by postgres, as a database postgres made itself: connected as postgres (the role the
  // embedded cluster's migrations run as), a test may create schemas in it.
  admin_connection()->execute_script("CREATE DATABASE " + name_ + " OWNER " + LocalCluster::kMigrationRole);
}

TestDatabase::~TestDatabase() {
  try {
    admin_connection()->execute_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The whole cluster is deleted at exit anyway.
  }
}

std::unique_ptr<Connection> TestDatabase::connect() const {
  return Connection::open(conninfo(), std::chrono::seconds(10));
}

std::string TestDatabase::scalar(const std::string& sql) const {
  const auto result = connect()->query(sql);
  if (result.rows.empty() || result.rows[0].empty()) return "";
  return result.rows[0][0].value_or("");
}

void TestDatabase::run_psql_file(const std::filesystem::path& file) const {
  const auto r = cora::run_process({"/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d",
                                    conninfo(), "-f", file.string()},
                                   std::nullopt);
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
}

void TestDatabase::paste_with_psql_past_errors(const std::filesystem::path& file) const {
  cora::run_process({"/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-d", conninfo(), "-f", file.string()},
                    std::nullopt);
}

std::string test_cluster_local_settings() {
  const auto& cluster = test_cluster();
  return "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n";
}

}  // namespace cora::test
