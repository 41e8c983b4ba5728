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

// A new empty database (with the Supabase compatibility layer, from template1), dropped with
// the object.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string conninfo() const { return test_cluster().conninfo(name_); }
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
