#pragma once
// What `diff` and `status --drift` share: finding the drift of a connected database against the
// files, with the expected schema built on the embedded cluster.

#include "cora/config/settings.hpp"
#include "cora/db/connection.hpp"
#include "cora/diff/drift.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora::cli {

// `files`: as discover_migrations returns them (in the order migrate applies them).
// `prove_fix`: also try the fix on the files' schema and on a copy of the database (diff --sql);
// `fix_for_migration`: as --new writes it (the parts failing on a fresh build commented out).
DriftReport check_drift(Connection& target, const std::vector<MigrationFile>& files, const Settings& settings,
                        bool prove_fix = false, bool fix_for_migration = false);

}  // namespace cora::cli
