#pragma once
// The application's calls as lint findings: found in the [app] files, checked against the
// schema the migration files leave, graded by [lints], silenced by a comment before the call:
//   # cora-migrate: ignore=app_unknown_function reason="created by the analytics service"

#include <filesystem>
#include <optional>
#include <vector>

#include "cora/app/check_app_calls.hpp"
#include "cora/config/app_settings.hpp"
#include "cora/config/lint_rules.hpp"
#include "cora/lint/finding.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora::app {

// The offline check: nullopt when [app] names no Python file (a project without a backend).
std::optional<AppCheckReport> lint_app_calls(const AppSettings& settings,
                                             const std::vector<std::filesystem::path>& module_roots,
                                             const std::vector<const MigrationFile*>& files);

// Adds `app`'s findings to `report` at the levels `levels` gives (a rule off reports nothing),
// moving those a comment silences to report.silenced, and sets report.app.
void add_app_findings(lint::LintReport& report, const AppCheckReport& app, const LintLevels& levels);

}  // namespace cora::app
