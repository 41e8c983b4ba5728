#pragma once
// What `diff` and `status --drift` share: finding the drift of a connected database against the
// files, with the expected schema built on the embedded cluster.

#include "config/settings.hpp"
#include "db/connection.hpp"
#include "diff/drift.hpp"
#include "migrations/migration_file.hpp"

namespace cora::cli {

// `files`: as discover_migrations returns them (in the order migrate applies them).
DriftReport check_drift(Connection& target, const std::vector<MigrationFile>& files, const Settings& settings);

}  // namespace cora::cli
