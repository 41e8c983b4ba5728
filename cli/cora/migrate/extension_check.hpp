#pragma once
// Before the first file runs: every CREATE EXTENSION of the files to apply, against the
// extensions the server can install (pg_available_extensions). A module whose extension is
// missing would otherwise fail halfway through the run, after every module before it was applied.

#include <string>
#include <vector>

#include "cora/db/connection.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

struct MissingExtension {
  std::string name;  // "vector"
  const MigrationFile* file = nullptr;
  int line = 0;  // of the CREATE EXTENSION
};

// One entry per CREATE EXTENSION in `migrations` whose extension the server does not offer, in
// file order. Reads pg_available_extensions once, only when a file creates an extension.
std::vector<MissingExtension> find_missing_extensions(Connection& db, const std::vector<PreparedMigration>& migrations);

}  // namespace cora
