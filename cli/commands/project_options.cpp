#include "commands/project_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "cora/error.hpp"

#include "commands/database_target.hpp"
#include "cora/config/lint_rules.hpp"
#include "cora/lint/module_needs.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

Project load_ordered_project(const Settings& settings) {
  auto project = load_project(settings);
  if (!project.has_modules) return project;
  std::vector<const MigrationFile*> files;
  for (const auto& f : project.files) files.push_back(&f);
  for (const auto& f : project.reference_files) files.push_back(&f);
  std::vector<InferredNeed> needs;
  for (const auto& need : lint::infer_module_needs(files)) {
    if (!need.creation_time) continue;  // a body's use: needed when it runs, not to create it
    needs.push_back({need.module, need.needs,
                     fmt::format("{}:{} uses {} ({}:{} creates it)", need.file, need.line, need.object,
                                 need.creator_file, need.creator_line)});
  }
  order_by_needs(project, needs);
  return project;
}

Project load_project_for_command(const Settings& settings) {
  auto project = load_ordered_project(settings);
  const auto style = Style::for_stream(stderr);
  if (!settings.migrations_dir_note.empty()) {
    std::fprintf(stderr, "%s %s\n", style.paint("note:", Tone::bold).c_str(), settings.migrations_dir_note.c_str());
  }
  for (const auto& note : settings.old_name_notes) {
    std::fprintf(stderr, "%s %s\n", style.paint("warning:", Tone::warn).c_str(), note.c_str());
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

namespace {

// "a -> b -> c": how `from` comes to need `to`, through declared and inferred dependencies.
std::string dependency_chain(const Project& project, const std::string& from, const std::string& to) {
  std::map<std::string, std::string> reached_from{{from, ""}};
  std::vector<std::string> todo{from};
  for (std::size_t i = 0; i < todo.size(); ++i) {
    const Module* m = project.find(todo[i]);
    if (!m) continue;
    for (const auto* deps : {&m->depends_on, &m->inferred_needs}) {
      for (const auto& dep : *deps) {
        if (reached_from.count(dep)) continue;
        reached_from[dep] = todo[i];
        todo.push_back(dep);
      }
    }
  }
  if (!reached_from.count(to)) return from + " -> " + to;
  std::string chain = to;
  for (std::string at = reached_from[to]; !at.empty(); at = reached_from[at]) chain = at + " -> " + chain;
  return chain;
}

}  // namespace

void require_dependencies_installed(const Project& project, const std::vector<HistoryRecord>& history,
                                    const std::set<std::string>& skipped) {
  for (const auto& module : project.modules) {
    if (!module.selected || !module.enabled || skipped.count(module.name)) continue;
    for (const auto& dep : project.dependency_closure(module.name)) {
      const Module* needed = project.find(dep);
      if (needed && needed->selected && needed->enabled) continue;
      const bool installed =
          std::any_of(history.begin(), history.end(), [&](const HistoryRecord& r) { return r.module == dep; });
      if (installed) continue;
      if (needed && !needed->enabled) {
        // No --module was given to blame: the config leaves the dependency out, so say which
        // key, and the keys that leave out everything that needs it.
        throw Error(ExitCode::history_conflict,
                    fmt::format("module {} needs {}, which this database does not have (it is disabled: "
                                "[module.{}] enabled = false in cora-migrate.toml): {}",
                                module.name, dep, dep, dependency_chain(project, module.name, dep)),
                    fmt::format("enable {}, or leave out what needs it too: {}", dep,
                                disable_keys(project, dep).substr(disable_keys(project, dep).find(", ") + 2)));
      }
      throw Error(ExitCode::history_conflict,
                  fmt::format("module {} needs {}, which this database does not have", module.name, dep),
                  fmt::format("add it: --module {},{} (or run without --module)", dep, module.name));
    }
  }
}

std::vector<std::string> dependants_of(const Project& project, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& module : project.modules) {
    const auto closure = project.dependency_closure(module.name);
    if (std::find(closure.begin(), closure.end(), name) != closure.end()) out.push_back(module.name);
  }
  return out;
}

std::string disable_keys(const Project& project, const std::string& name) {
  std::string keys = fmt::format("[module.{}] enabled = false", name);
  for (const auto& dependant : dependants_of(project, name)) {
    const Module* m = project.find(dependant);
    if (m && !m->enabled) continue;  // left out already
    keys += fmt::format(", [module.{}] enabled = false", dependant);
  }
  return keys;
}

void report_missing_extensions(const Project& project, const std::vector<MissingExtension>& missing) {
  const auto style = Style::for_stream(stderr);
  for (const auto& m : missing) {
    const std::string module = m.file->module.empty() ? std::string() : "module " + m.file->module + " ";
    std::string what = missing_extension_fix(m);
    if (!m.file->module.empty()) {
      what +=
          ", or leave out the module and its dependants in cora-migrate.toml: " + disable_keys(project, m.file->module);
    }
    std::fprintf(stderr, "%s %s:%d: %screates extension %s, %s: %s\n", style.paint("error:", Tone::bad).c_str(),
                 m.file->path.string().c_str(), m.line, module.c_str(), m.name.c_str(),
                 missing_extension_reason(m).c_str(), what.c_str());
  }
}

Error missing_extensions_error(const std::vector<MissingExtension>& missing) {
  return Error(ExitCode::history_conflict,
               fmt::format("{} the files create {} not on this server, or not allowed there (listed above); nothing "
                           "was applied",
                           missing.size() == 1 ? "an extension" : std::to_string(missing.size()) + " extensions",
                           missing.size() == 1 ? "is" : "are"),
               "install each extension's package on the server, or disable the modules named above");
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
    // Declared only: a creation-time use the order inferred is still worth declaring.
    const auto declared = project.dependency_closure(module.name, false);
    options.module_closures[module.name] = std::set<std::string>(declared.begin(), declared.end());
    const auto effective = project.dependency_closure(module.name);
    options.module_order_closures[module.name] = std::set<std::string>(effective.begin(), effective.end());
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
