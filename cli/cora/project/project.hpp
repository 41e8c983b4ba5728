#pragma once
// The project's migration files: one migrations folder, or every module of a CORA project
// (`modules = ["packages/*"]`), each with its schema/ snapshot and migrations/ deltas, in
// dependency order.

#include <filesystem>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

struct Module {
  std::string name;  // the folder's name, e.g. "module-access"
  std::filesystem::path root;
  std::filesystem::path schema_dir;  // empty when the module has none
  std::filesystem::path migrations_dir;
  std::vector<std::string> depends_on;  // declared: [module.NAME] depends_on and the registry
  // Those of depends_on the registry marks `type: optional`: they order, but a module that cannot
  // run does not keep this one from running.
  std::vector<std::string> optional_depends_on;
  std::vector<std::string> inferred_needs;  // what its files need at creation time (order_by_needs)
  bool enabled = true;
  bool selected = true;  // false when --module names others
};

struct Project {
  bool has_modules = false;     // false: one migrations folder, module ""
  std::vector<Module> modules;  // in dependency order (disabled ones included, marked)
  // Files of the enabled, selected modules: by module in dependency order, each module's
  // schema/ files then its migrations/ deltas, each folder in version order.
  std::vector<MigrationFile> files;
  std::vector<std::string> warnings;  // e.g. files sharing a version
  // Files of the modules that do not run (disabled, or left out by --module), read only to say
  // which module creates an object; a module whose files cannot be read is left out here.
  std::vector<MigrationFile> reference_files;

  const Module* find(const std::string& name) const;
  // The modules `name` depends on, directly or through others: declared or inferred (what the
  // order follows), or, with `with_inferred` false, declared only.
  std::vector<std::string> dependency_closure(const std::string& name, bool with_inferred = true) const;
};

// A module whose files need another's object to create theirs: `why` says where, for warnings.
struct InferredNeed {
  std::string module;
  std::string needs;
  std::string why;  // "FILE:LINE uses function public.x (FILE:LINE creates it)"
};

// Orders the modules, and their files, by declared dependencies plus `needs` (what the files
// need at creation time). A declared dependency that the files contradict (the other module's
// files need this one's objects at creation time: the two would be a cycle) leaves the order, with
// a warning. Throws cora::Error (config) naming a cycle that remains.
void order_by_needs(Project& project, const std::vector<InferredNeed>& needs);

// The modules come in the order of their declared dependencies (discovery order when those make
// a cycle: order_by_needs then settles or reports it). Throws cora::Error: config (a glob that
// matches no module, an unknown module in depends_on, --module or [module.NAME], a registry's
// error), migration_files (as discover_migrations, and repeated
// versions under strict_versions).
Project load_project(const Settings& settings);

}  // namespace cora
