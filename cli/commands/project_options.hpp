#pragma once
// What every command that reads migration files shares: the project's files (one folder, or
// every module) with their warnings printed, and the migrator's options that follow from it.

#include "cora/config/settings.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/lint/lint.hpp"
#include "cora/project/project.hpp"
#include "cora/checks/check_loader.hpp"

namespace cora::cli {

// load_project(), with its warnings (files sharing a version) printed on stderr.
Project load_project_for_command(const Settings& settings);

// The checks of settings.checks_dir; a folder named by --checks or checks_dir that does not exist
// is an error (config), so a typo cannot turn verify into lints only. The default checks/ may be
// missing.
CheckSet load_checks_for_command(const Settings& settings);

// With --module: every module a selected one depends on must be selected too or already in
// history; otherwise cora-migrate::Error (history_conflict) names it (it is never run unasked).
void require_dependencies_installed(const Project& project, const std::vector<HistoryRecord>& history);

// Timeouts, client, and what the project's shape implies (repeated versions, modules in scope).
MigrateOptions migrate_options_for(const Settings& settings, const Project& project);

// undeclared_module_dependency for the lint of a project with modules: every module's dependency
// closure, at the level [lints] gives the rule (off: left out).
void configure_module_lint(lint::LintOptions& options, const Settings& settings, const Project& project);

// For the check of the backend's calls ([app]): the folders of the selected, enabled modules
// (each module's backend/ is the default), empty without modules; and the files that run.
std::vector<std::filesystem::path> app_module_roots(const Project& project);
std::vector<const MigrationFile*> project_files(const Project& project);

}  // namespace cora::cli
