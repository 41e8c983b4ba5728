#pragma once
// The schema the files say the database should have: the files applied, in the order a plan
// runs them, to a database of its own on the embedded cluster. Kept as a template keyed by the
// files' checksums, so a second `diff` with the same files does not build it again.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

class Connection;
class LocalCluster;

struct ExpectedSchema {
  std::string database;  // on the local cluster
  bool reused = false;   // built by an earlier run
  std::chrono::milliseconds build_time{0};
};

// The database's name for these files, in this order: cora_expected_ and 16 hex digits.
std::string expected_schema_name(const std::vector<const MigrationFile*>& files, const std::string& history_table);

// Builds (or finds) the database holding what `files` create when applied in this order, with
// the history table `history_table` as migrate would write it. Safe when several processes run
// at once: each builds under a name of its own and renames it into place. Databases built for
// other files are dropped. Throws cora::Error: migration_failed with the file and line when a
// file fails, connection, local_cluster.
ExpectedSchema build_expected_schema(LocalCluster& cluster, const std::vector<const MigrationFile*>& files,
                                     const std::string& history_table, const Timeouts& timeouts);

// As build_expected_schema, and a connection to the built database. When it was built by an
// earlier run, that connection is the only one this opens on the cluster.
struct OpenedExpectedSchema {
  ExpectedSchema schema;
  std::unique_ptr<Connection> db;
};
OpenedExpectedSchema open_expected_schema(LocalCluster& cluster, const std::vector<const MigrationFile*>& files,
                                          const std::string& history_table, const Timeouts& timeouts);

}  // namespace cora
