#pragma once
// The lint that `migrate` runs on the files it is about to apply, before it applies anything.

#include <optional>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

// Lints prepared.migrations (the applied files are read for what they create and define; with
// modules, every other file too, for what it creates) and prints each warning on stderr. Throws
// cora::Error: migration_files for a misused silence comment or a lint graded error;
// lint_warnings when `strict` and a warning is left.
// With `annotate_for`, each warning is also a GitHub workflow annotation on stdout (migrate
// --format github), its title naming that target when it is not empty (--as-target).
void lint_before_migrate(const Project& project, const PreparedPlan& prepared, const Settings& settings, bool strict,
                         const std::optional<std::string>& annotate_for = std::nullopt);

}  // namespace cora::cli
