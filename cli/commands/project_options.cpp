#include "commands/project_options.hpp"

#include <cstdio>

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

MigrateOptions migrate_options_for(const Settings& settings, const Project& project) {
  MigrateOptions options;
  options.timeouts = settings.timeouts;
  options.client = client_identity();
  options.siblings_allowed = project.has_modules;
  for (const auto& module : project.modules) {
    if (module.selected) options.modules.push_back(module.name);
  }
  return options;
}

}  // namespace cora::cli
