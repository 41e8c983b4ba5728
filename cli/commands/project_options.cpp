#include "commands/project_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "cora/error.hpp"

#include "commands/database_target.hpp"
#include "cora/config/lint_rules.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

Project load_project_for_command(const Settings& settings) {
  auto project = load_project(settings);
  const auto style = Style::for_stream(stderr);
  if (!settings.migrations_dir_note.empty()) {
    std::fprintf(stderr, "%s %s\n", style.paint("note:", Tone::bold).c_str(), settings.migrations_dir_note.c_str());
  }
  for (const auto& warning : project.warnings) {
    std::fprintf(stderr, "%s %s\n", style.paint("warning:", Tone::warn).c_str(), warning.c_str());
  }
  return project;
}

CheckSet load_checks_for_command(const Settings& settings) {
  std::error_code ec;
  if (settings.checks_dir_given && !std::filesystem::is_directory(settings.checks_dir, ec)) {
    throw Error(ExitCode::config, fmt::format("checks folder {} does not exist", settings.checks_dir.string()),
                "fix --checks or checks_dir (relative to the config file's folder), or leave it out to use checks/");
  }
  return load_checks(settings.checks_dir);
}

void require_dependencies_installed(const Project& project, const std::vector<HistoryRecord>& history) {
  for (const auto& module : project.modules) {
    if (!module.selected || !module.enabled) continue;
    for (const auto& dep : project.dependency_closure(module.name)) {
      const Module* needed = project.find(dep);
      if (needed && needed->selected && needed->enabled) continue;
      const bool installed =
          std::any_of(history.begin(), history.end(), [&](const HistoryRecord& r) { return r.module == dep; });
      if (installed) continue;
      throw Error(ExitCode::history_conflict,
                  fmt::format("module {} needs {}, which this database does not have{}", module.name, dep,
                              needed && !needed->enabled ? " (it is disabled in cora-migrate.toml)" : ""),
                  fmt::format("add it: --module {},{} (or run without --module)", dep, module.name));
    }
  }
}

MigrateOptions migrate_options_for(const Settings& settings, const Project& project) {
  MigrateOptions options;
  options.timeouts = settings.timeouts;
  options.pipeline = settings.pipeline;
  options.client = client_identity();
  options.siblings_allowed = project.has_modules;
  for (const auto& module : project.modules) {
    if (module.selected) options.modules.push_back(module.name);
  }
  return options;
}

void configure_module_lint(lint::LintOptions& options, const Settings& settings, const Project& project) {
  if (!project.has_modules) return;
  const LintRule* rule = find_lint_rule(std::string(lint::kModuleDependencyRule));
  const LintLevel level = rule ? level_of(*rule, settings.lints) : LintLevel::warning;
  if (level == LintLevel::off) return;
  options.module_dependency_severity = level == LintLevel::error ? lint::Severity::error : lint::Severity::warning;
  for (const auto& module : project.modules) {
    const auto closure = project.dependency_closure(module.name);
    options.module_closures[module.name] = std::set<std::string>(closure.begin(), closure.end());
  }
}

std::vector<std::filesystem::path> app_module_roots(const Project& project) {
  std::vector<std::filesystem::path> roots;
  if (!project.has_modules) return roots;
  for (const auto& m : project.modules) {
    if (m.enabled && m.selected) roots.push_back(m.root);
  }
  return roots;
}

std::vector<const MigrationFile*> project_files(const Project& project) {
  std::vector<const MigrationFile*> files;
  for (const auto& f : project.files) files.push_back(&f);
  return files;
}

}  // namespace cora::cli
