#pragma once
// The lint that `migrate` runs on the files it is about to apply, before it applies anything.

#include <vector>

#include "config/settings.hpp"
#include "db/migrator.hpp"
#include "migrations/migration_file.hpp"

namespace cora::cli {

// Lints prepared.migrations (the applied files are read for what they create and define) and
// prints each warning on stderr. Throws cora::Error: migration_files for a misused silence
// comment; lint_warnings when `strict` and a warning is left.
void lint_before_migrate(const std::vector<MigrationFile>& files, const PreparedPlan& prepared,
                         const Settings& settings, bool strict);

}  // namespace cora::cli
