#include "commands/project_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "error.hpp"

#include "commands/database_target.hpp"
#include "output/terminal.hpp"

namespace cora::cli {

Project load_project_for_command(const Settings& settings) {
  auto project = load_project(settings);
  const auto style = Style::for_stream(stderr);
  for (const auto& warning : project.warnings) {
    std::fprintf(stderr, "%s %s\n", style.paint("warning:", Tone::warn).c_str(), warning.c_str());
  }
  return project;
}

void require_dependencies_installed(const Project& project, const std::vector<HistoryRecord>& history) {
  for (const auto& module : project.modules) {
    if (!module.selected || !module.enabled) continue;
    for (const auto& dep : project.dependency_closure(module.name)) {
      const Module* needed = project.find(dep);
      if (needed && needed->selected && needed->enabled) continue;
      const bool installed = std::any_of(history.begin(), history.end(), [&](const HistoryRecord& r) { return r.module == dep; });
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

}  // namespace cora::cli
