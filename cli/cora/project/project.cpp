#include "cora/project/project.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <map>
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
  const auto known = [&](const std::string& name) {
    return std::any_of(modules.begin(), modules.end(), [&](const Module& x) { return x.name == name; });
  };
  for (auto& module : modules) {
    const auto it = registry.find(module.name);
    if (it == registry.end()) continue;
    for (const auto& dep : it->second) {
      if (!known(dep.module)) {
        if (!dep.required) continue;  // optional: ordered after it only when the project has it
        throw Error(ExitCode::config,
                    fmt::format("module {} requires {}, which no modules glob found", module.name, dep.module),
                    "add its folder to modules, or mark the dependency type: optional in the registry")
            .at({m.registry->string(), dep.line});
      }
      if (std::find(module.depends_on.begin(), module.depends_on.end(), dep.module) == module.depends_on.end()) {
        module.depends_on.push_back(dep.module);
        if (!dep.required) module.optional_depends_on.push_back(dep.module);
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

// A glob of exclude: with a '/', matched against the path relative to `base`; without, against
// the file name alone.
bool exclude_glob_matches(const std::string& glob, const std::filesystem::path& file,
                          const std::filesystem::path& base) {
  if (glob.find('/') == std::string::npos) return fnmatch(glob.c_str(), file.filename().c_str(), 0) == 0;
  const auto relative = file.lexically_normal().lexically_relative(base.lexically_normal()).generic_string();
  return fnmatch(glob.c_str(), relative.c_str(), FNM_PATHNAME) == 0;
}

// A file without a version, and the module it belongs to, for the one error that lists them all.
struct UnnamedFile {
  std::filesystem::path path;
  const Module* module = nullptr;
};

[[noreturn]] void throw_unnamed_files(const std::vector<UnnamedFile>& unnamed) {
  std::string list;
  for (const auto& f : unnamed) {
    const auto relative = f.path.lexically_normal().lexically_relative(f.module->root.lexically_normal());
    list += fmt::format("{}{} (leave it out: [module.{}] exclude = [\"{}\"])", list.empty() ? "" : ", ",
                        f.path.string(), f.module->name, relative.generic_string());
  }
  throw Error(ExitCode::migration_files,
              fmt::format("{} file{} without a version, so no place in the order: {}", unnamed.size(),
                          unnamed.size() == 1 ? "" : "s", list),
              "leave each out with the exclude shown (or a project-wide exclude = [\"GLOB\"] in cora-migrate.toml), "
              "or name it NNN-description.sql, YYYYMMDD_description.sql or YYYYMMDDHHMMSS_description.sql; nothing "
              "was applied");
}

void add_files(const Module& module, const ModulesSettings& m, bool strict, Project& project,
               std::vector<UnnamedFile>* unnamed) {
  const auto o = m.overrides.find(module.name);
  const std::vector<std::string> no_globs;
  const auto& own_globs = o == m.overrides.end() ? no_globs : o->second.exclude;
  const auto excluded = [&](const std::filesystem::path& file) {
    return std::any_of(m.exclude.begin(), m.exclude.end(),
                       [&](const std::string& g) { return exclude_glob_matches(g, file, m.base_dir); }) ||
           std::any_of(own_globs.begin(), own_globs.end(),
                       [&](const std::string& g) { return exclude_glob_matches(g, file, module.root); });
  };
  for (const auto& [dir, role] :
       {std::pair{module.schema_dir, FileRole::snapshot}, {module.migrations_dir, FileRole::delta}}) {
    if (dir.empty()) continue;
    DiscoverOptions options;
    options.module = module.name;
    options.role = role;
    options.allow_repeated_versions = !strict;
    options.excluded = excluded;
    std::vector<std::filesystem::path> unnamed_here;
    options.unnamed = &unnamed_here;
    auto files = discover_migrations(dir, options);
    std::sort(unnamed_here.begin(), unnamed_here.end());
    for (auto& path : unnamed_here) {
      if (unnamed) unnamed->push_back({std::move(path), &module});
    }
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

std::vector<std::string> Project::dependency_closure(const std::string& name, bool with_inferred) const {
  std::vector<std::string> out;
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    const auto next = todo.back();
    todo.pop_back();
    const Module* m = find(next);
    if (!m) continue;
    for (const auto* deps : {&m->depends_on, &m->inferred_needs}) {
      if (deps == &m->inferred_needs && !with_inferred) continue;
      for (const auto& dep : *deps) {
        if (std::find(out.begin(), out.end(), dep) != out.end() || dep == name) continue;
        out.push_back(dep);
        todo.push_back(dep);
      }
    }
  }
  return out;
}

namespace {

// True when `to` is reached from `from` by the inferred needs alone.
bool needs_reach(const std::map<std::string, std::vector<const InferredNeed*>>& by_module, const std::string& from,
                 const std::string& to) {
  std::set<std::string> seen;
  std::vector<std::string> todo{from};
  while (!todo.empty()) {
    const auto at = todo.back();
    todo.pop_back();
    if (at == to) return true;
    if (!seen.insert(at).second) continue;
    const auto it = by_module.find(at);
    if (it == by_module.end()) continue;
    for (const auto* need : it->second) todo.push_back(need->needs);
  }
  return false;
}

}  // namespace

void order_by_needs(Project& project, const std::vector<InferredNeed>& needs) {
  if (!project.has_modules) return;
  std::map<std::string, std::vector<const InferredNeed*>> by_module;
  for (const auto& need : needs) {
    if (project.find(need.module) && project.find(need.needs) && need.module != need.needs)
      by_module[need.module].push_back(&need);
  }
  for (auto& module : project.modules) {
    module.inferred_needs.clear();
    for (const auto* need : by_module[module.name]) module.inferred_needs.push_back(need->needs);
    std::vector<std::string> kept;
    for (const auto& dep : module.depends_on) {
      // Contradicted: the other module needs this one, and this one does not need it (both: a
      // cycle of the files themselves, reported below).
      if (!needs_reach(by_module, dep, module.name) || needs_reach(by_module, module.name, dep)) {
        kept.push_back(dep);
        continue;
      }
      const auto& first = by_module[dep];
      const auto direct =
          std::find_if(first.begin(), first.end(), [&](const InferredNeed* n) { return n->needs == module.name; });
      project.warnings.push_back(fmt::format(
          "module {} is declared to depend on {} (depends_on or the module registry), but the files say the "
          "opposite: {}{}; {} runs first. Remove that dependency",
          module.name, dep, direct != first.end() ? (*direct)->why : dep + "'s files need " + module.name,
          direct != first.end() ? "" : " (through other modules)", module.name));
    }
    module.depends_on = std::move(kept);
  }
  std::vector<ModuleNode> nodes;
  for (const auto& module : project.modules) {
    ModuleNode node{module.name, module.depends_on};
    node.depends_on.insert(node.depends_on.end(), module.inferred_needs.begin(), module.inferred_needs.end());
    nodes.push_back(std::move(node));
  }
  std::vector<std::string> order;
  try {
    order = order_modules(nodes);
  } catch (const Error& e) {
    // When the files themselves need each other at creation time, no depends_on can fix it:
    // say which uses make the cycle.
    std::string uses;
    for (const auto& [module, list] : by_module) {
      for (const auto* need : list) {
        if (needs_reach(by_module, need->needs, module)) uses += (uses.empty() ? "" : "; ") + need->why;
      }
    }
    if (uses.empty()) throw;
    throw Error(ExitCode::config, fmt::format("{}: the files need each other at creation time: {}", e.message(), uses),
                "move what one of them needs into the other module (or into a module both depend on)");
  }
  std::vector<Module> ordered;
  for (const auto& name : order) ordered.push_back(*project.find(name));
  project.modules = std::move(ordered);
  const auto rank = [&](const std::string& module) {
    return std::find(order.begin(), order.end(), module) - order.begin();
  };
  std::stable_sort(project.files.begin(), project.files.end(),
                   [&](const MigrationFile& a, const MigrationFile& b) { return rank(a.module) < rank(b.module); });
}

Project load_project(const Settings& settings) {
  Project project;
  if (!settings.modules) {
    if (!settings.only_modules.empty()) {
      throw Error(ExitCode::usage, "--module: this project has no modules (no modules = [...] in cora-migrate.toml)",
                  "drop --module, or configure modules");
    }
    project.files = discover_migrations(settings.migrations_dir);
    Module single;
    single.migrations_dir = settings.migrations_dir;
    project.modules.push_back(std::move(single));
    return project;
  }
  const ModulesSettings& m = *settings.modules;
  project.has_modules = true;
  auto modules = discover_modules(m);
  merge_registry(m, modules);
  check_dependencies_exist(m, modules);
  std::vector<ModuleNode> nodes;
  for (const auto& module : modules) nodes.push_back({module.name, module.depends_on});
  std::vector<std::string> order;
  try {
    order = order_modules(nodes);
  } catch (const Error&) {
    // A cycle among the declared dependencies: order_by_needs drops the ones the files
    // contradict, or reports the cycle that remains.
    for (const auto& module : modules) order.push_back(module.name);
  }
  for (const auto& name : order) {
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
  std::vector<UnnamedFile> unnamed;
  for (auto& module : project.modules) {
    module.selected = settings.only_modules.empty() ||
                      std::find(settings.only_modules.begin(), settings.only_modules.end(), module.name) !=
                          settings.only_modules.end();
    if (module.enabled && module.selected) {
      add_files(module, m, m.strict_versions, project, &unnamed);
      continue;
    }
    Project other;
    try {
      add_files(module, m, false, other, nullptr);
    } catch (const Error&) {
      continue;  // it does not run: its layout errors are its own business until it does
    }
    for (auto& f : other.files) project.reference_files.push_back(std::move(f));
  }
  if (!unnamed.empty()) throw_unnamed_files(unnamed);
  return project;
}

}  // namespace cora
