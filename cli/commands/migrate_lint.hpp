#pragma once
// The lint that `migrate` runs on the files it is about to apply, before it applies anything.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/lint/lint.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

// Lints prepared.migrations (the applied files are read for what they create and define; with
// modules, every other file too, for what it creates). Prints nothing.
lint::LintReport lint_plan(const Project& project, const PreparedPlan& prepared, const Settings& settings);

// Prints each finding of `report` on stderr, but those in `left_out_files` (the files of modules
// migrate skips). Throws cora::Error: migration_files for a misused silence comment, a file that
// cannot run or a forward reference; lint_warnings when `strict` and a finding is left.
// With `annotate_for`, each finding is also a GitHub workflow annotation on stdout (migrate
// --format github), its title naming that target when it is not empty (--as-target).
void report_plan_lint(const lint::LintReport& report, const std::set<std::string>& left_out_files, bool strict,
                      const std::optional<std::string>& annotate_for = std::nullopt);

}  // namespace cora::cli
