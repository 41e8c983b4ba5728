#pragma once
// Where a command's database is: the configured URL, or else the embedded local cluster.

#include <memory>
#include <string>

#include "cora/config/settings.hpp"
#include "cora/db/connection.hpp"

namespace cora::cli {

struct DatabaseTarget {
  std::unique_ptr<Connection> db;
  std::string description;  // for people; never contains a password
};

// Connects to settings.database_url, or starts the local cluster (creating it on first use)
// and connects to its "postgres" database: announced on stderr unless --local chose it, and
// refused when CI is set (exit 3). Throws cora::Error.
DatabaseTarget connect_to_target(const Settings& settings);

// Throws cora::Error (migration_files) when the current folder is no project (no config file, no
// migrations folder, no cluster yet): an embedded cluster must not appear in a random folder.
void refuse_cluster_outside_project(const Settings& settings);

// "user@host" of whoever runs us, recorded in history.
std::string client_identity();

}  // namespace cora::cli
