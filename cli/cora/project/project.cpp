#include "cora/project/project.hpp"

#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <set>

#include "cora/error.hpp"
#include "cora/project/module_order.hpp"
#include "cora/project/module_registry.hpp"
#include "cora/util/join.hpp"
#include "cora/util/nearest_name.hpp"

namespace cora {

namespace {

// The folders a glob names, sorted (glob(3): the shell's rules, no hand-written matcher).
std::vector<std::filesystem::path> expand_glob(const std::filesystem::path& pattern) {
  glob_t found{};
  const int rc = glob(pattern.c_str(), GLOB_ONLYDIR | GLOB_MARK, nullptr, &found);
  std::vector<std::filesystem::path> out;
  if (rc == 0) {
    for (std::size_t i = 0; i < found.gl_pathc; ++i) {
      std::string path = found.gl_pathv[i];
      if (!path.empty() && path.back() == '/') path.pop_back();
      out.emplace_back(path);
    }
  }
  globfree(&found);
  return out;
}

bool is_folder(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_directory(p, ec);
}

std::vector<Module> discover_modules(const ModulesSettings& m) {
  std::vector<Module> modules;
  std::set<std::string> seen;
  for (const auto& glob : m.globs) {
    const auto matches = expand_glob(m.base_dir / glob);
    std::size_t found_here = 0;
    for (const auto& folder : matches) {
      const std::string name = folder.filename().string();
      const auto override_it = m.overrides.find(name);
      const ModuleOverride* o = override_it == m.overrides.end() ? nullptr : &override_it->second;
      Module module;
      module.name = name;
      module.root = folder;
      const auto schema = folder / (o && o->schema_dir ? *o->schema_dir : std::filesystem::path("db/schema"));
      const auto deltas =
          folder / (o && o->migrations_dir ? *o->migrations_dir : std::filesystem::path("db/migrations"));
      if (is_folder(schema)) module.schema_dir = schema;
      if (is_folder(deltas)) module.migrations_dir = deltas;
      if (o && o->schema_dir && module.schema_dir.empty()) {
        throw Error(ExitCode::config, fmt::format("{}: schema_dir {} does not exist", o->origin, schema.string()),
                    "fix [module." + name + "] schema_dir");
      }
      if (o && o->migrations_dir && module.migrations_dir.empty()) {
        throw Error(ExitCode::config, fmt::format("{}: migrations_dir {} does not exist", o->origin, deltas.string()),
                    "fix [module." + name + "] migrations_dir");
      }
      if (module.schema_dir.empty() && module.migrations_dir.empty()) continue;  // not a module
      ++found_here;
      if (!seen.insert(name).second) continue;  // matched by an earlier glob too
      if (o) {
        module.depends_on = o->depends_on;
        module.enabled = o->enabled;
      }
      modules.push_back(std::move(module));
    }
    if (found_here == 0) {
      throw Error(ExitCode::config,
                  fmt::format("{}: modules glob \"{}\" matches no folder holding db/schema/ or db/migrations/ (in {})",
                              m.origin, glob, m.base_dir.string()),
                  "fix the glob (relative to the config file), or set schema_dir / migrations_dir in [module.NAME]");
    }
  }
  for (const auto& [name, o] : m.overrides) {
    if (!seen.count(name)) {
      std::vector<std::string> names;
      for (const auto& module : modules) names.push_back(module.name);
      throw Error(ExitCode::config,
                  fmt::format("{}: [module.{}] names no module the modules globs found ({})", o.origin, name,
                              did_you_mean(name, names) + "found: " + join(names)),
                  "check the name: it is the module's folder name, e.g. module-access");
    }
  }
  return modules;
}

void merge_registry(const ModulesSettings& m, std::vector<Module>& modules) {
  if (!m.registry) return;
  const auto registry = read_module_registry(*m.registry);
  for (auto& module : modules) {
    const auto it = registry.find(module.name);
    if (it == registry.end()) continue;
    for (const auto& dep : it->second) {
      if (std::find(module.depends_on.begin(), module.depends_on.end(), dep) == module.depends_on.end()) {
        module.depends_on.push_back(dep);
      }
    }
  }
}

void check_dependencies_exist(const ModulesSettings& m, const std::vector<Module>& modules) {
  for (const auto& module : modules) {
    for (const auto& dep : module.depends_on) {
      const bool known = std::any_of(modules.begin(), modules.end(), [&](const Module& x) { return x.name == dep; });
      if (known) continue;
      const auto o = m.overrides.find(module.name);
      throw Error(ExitCode::config,
                  fmt::format("{}: module {} depends on {}, which no modules glob found",
                              o != m.overrides.end() ? o->second.origin : m.origin, module.name, dep),
                  "add its folder to modules, or remove the dependency");
    }
  }
}

void add_files(const Module& module, bool strict, Project& project) {
  for (const auto& [dir, role] :
       {std::pair{module.schema_dir, FileRole::snapshot}, {module.migrations_dir, FileRole::delta}}) {
    if (dir.empty()) continue;
    DiscoverOptions options;
    options.module = module.name;
    options.role = role;
    options.allow_repeated_versions = !strict;
    auto files = discover_migrations(dir, options);
    for (const auto* repeated : repeated_versions(files)) {
      project.warnings.push_back(
          fmt::format("{}: shares version {} with another file of {}; they run in file-name order",
                      repeated->path.string(), repeated->version_digits, module.name));
    }
    for (auto& f : files) project.files.push_back(std::move(f));
  }
}

}  // namespace

const Module* Project::find(const std::string& name) const {
  const auto it = std::find_if(modules.begin(), modules.end(), [&](const Module& m) { return m.name == name; });
  return it == modules.end() ? nullptr : &*it;
}

std::vector<std::string> Project::dependency_closure(const std::string& name) const {
  std::vector<std::string> out;
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    const auto next = todo.back();
    todo.pop_back();
    const Module* m = find(next);
    if (!m) continue;
    for (const auto& dep : m->depends_on) {
      if (std::find(out.begin(), out.end(), dep) != out.end() || dep == name) continue;
      out.push_back(dep);
      todo.push_back(dep);
    }
  }
  return out;
}

Project load_project(const Settings& settings) {
  Project project;
  if (!settings.modules) {
    if (!settings.only_modules.empty()) {
      throw Error(ExitCode::usage, "--module: this project has no modules (no modules = [...] in cora-migrate.toml)",
                  "drop --module, or configure modules");
    }
    project.files = discover_migrations(settings.migrations_dir);
    project.modules.push_back({"", {}, {}, settings.migrations_dir, {}, true, true});
    return project;
  }
  const ModulesSettings& m = *settings.modules;
  project.has_modules = true;
  auto modules = discover_modules(m);
  merge_registry(m, modules);
  check_dependencies_exist(m, modules);
  std::vector<ModuleNode> nodes;
  for (const auto& module : modules) nodes.push_back({module.name, module.depends_on});
  for (const auto& name : order_modules(nodes)) {
    project.modules.push_back(
        *std::find_if(modules.begin(), modules.end(), [&](const Module& x) { return x.name == name; }));
  }
  for (const auto& wanted : settings.only_modules) {
    if (!project.find(wanted)) {
      std::vector<std::string> names;
      for (const auto& module : project.modules) names.push_back(module.name);
      throw Error(ExitCode::usage,
                  fmt::format("--module {}: no such module ({}modules: {})", wanted, did_you_mean(wanted, names),
                              join(names)),
                  "name a module by its folder name");
    }
  }
  for (auto& module : project.modules) {
    module.selected = settings.only_modules.empty() ||
                      std::find(settings.only_modules.begin(), settings.only_modules.end(), module.name) !=
                          settings.only_modules.end();
    if (module.enabled && module.selected) {
      add_files(module, m.strict_versions, project);
      continue;
    }
    Project other;
    try {
      add_files(module, false, other);
    } catch (const Error&) {
      continue;  // it does not run: its layout errors are its own business until it does
    }
    for (auto& f : other.files) project.reference_files.push_back(std::move(f));
  }
  return project;
}

}  // namespace cora
