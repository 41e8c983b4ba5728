#pragma once
// What every command that reads migration files shares: the project's files (one folder, or
// every module) with their warnings printed, and the migrator's options that follow from it.

#include <set>
#include <string>

#include "cora/config/settings.hpp"
#include "cora/migrate/extension_check.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/lint/lint.hpp"
#include "cora/project/project.hpp"
#include "cora/checks/check_loader.hpp"

namespace cora::cli {

// load_project(), its modules ordered by what their files need at creation time as well as by
// what they declare (order_by_needs, from lint::infer_module_needs).
Project load_ordered_project(const Settings& settings);

// load_ordered_project(), with its warnings (files sharing a version) printed on stderr.
Project load_project_for_command(const Settings& settings);

// The checks of settings.checks_dir; a folder named by --checks or checks_dir that does not exist
// is an error (config), so a typo cannot turn verify into lints only. The default checks/ may be
// missing.
CheckSet load_checks_for_command(const Settings& settings);

// With --module: every module a selected one depends on must be selected too or already in
// history; otherwise cora-migrate::Error (history_conflict) names it (it is never run unasked).
// Modules in `skipped` are not checked (migrate leaves them out).
void require_dependencies_installed(const Project& project, const std::vector<HistoryRecord>& history,
                                    const std::set<std::string>& skipped = {});

// The modules that depend on `name` (declared or inferred), directly or through others, in order.
std::vector<std::string> dependants_of(const Project& project, const std::string& name);

// "[module.NAME] enabled = false" for `name` and each of its dependants: the keys that leave them out.
std::string disable_keys(const Project& project, const std::string& name);

// One line on stderr per extension the files create that the server does not offer (its file,
// line, module, and what to do: install it, or the keys that disable the module and its
// dependants).
void report_missing_extensions(const Project& project, const std::vector<MissingExtension>& missing);

// The error (history_conflict) that refuses the run after report_missing_extensions.
Error missing_extensions_error(const std::vector<MissingExtension>& missing);

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
