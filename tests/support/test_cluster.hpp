#pragma once
// One throwaway PostgreSQL 15 cluster per test process (the product's own LocalCluster, in a
// scratch folder), and a fresh database per test.

#include <filesystem>
#include <memory>
#include <string>

#include "cora/db/connection.hpp"
#include "cora/local/local_cluster.hpp"

namespace cora::test {

// Started on first use; stopped and deleted when the process exits.
LocalCluster& test_cluster();

// cora-migrate.toml's [local] section naming the test cluster: `diff` and `adopt` build the files'
// schema on it (not on a cluster of their own).
std::string test_cluster_local_settings();

// A new empty database (with the Supabase compatibility layer, from template1), owned by
// postgres, dropped with the object.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // As the cluster's superuser, as the tests always connected: what they set up and inspect is
  // not limited by the Supabase-shaped `postgres` role.
  std::string conninfo() const { return test_cluster().conninfo(name_, LocalCluster::kSuperuser); }
  // As `role` (e.g. "postgres", whom the embedded cluster's migrations run as).
  std::string conninfo_as(const std::string& role) const { return test_cluster().conninfo(name_, role); }
  std::unique_ptr<Connection> connect() const;
  // The first column of the first row of `sql`, or "" for NULL / no rows.
  std::string scalar(const std::string& sql) const;
  // Runs `file` through psql in one transaction, stopping at the first error, as a person pastes
  // a file by hand. Fails the test (REQUIRE) when psql does.
  void run_psql_file(const std::filesystem::path& file) const;
  // Runs `file` through psql statement by statement, going on after an error, as a person pastes
  // a file into a SQL editor that does: what fails is left out, the rest stays.
  void paste_with_psql_past_errors(const std::filesystem::path& file) const;

 private:
  std::string name_;
};

}  // namespace cora::test
