#pragma once
// Which module's file creates a relation or function that a function body names, and whether
// that module runs on this database: so that verify can say "module-mgmt creates it, and this
// database does not have that module" instead of "re-apply the migration". Pure: the files are
// read from disk by the caller, the installed modules from history.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/diff/object_sources.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

enum class ModuleState {
  installed,  // history has rows of it
  missing,    // enabled in the config, but this database does not have it
  disabled,   // enabled = false in [module.NAME]
};

struct ModuleOrigin {
  std::string module;
  const MigrationFile* file = nullptr;
  int line = 0;
  ModuleState state = ModuleState::installed;
};

class ObjectOrigins {
 public:
  // `files`: every module's files in the order they run, disabled modules' too (a file that does
  // not parse is left out). Modules not in `installed` are missing, or disabled when in `disabled`.
  ObjectOrigins(const std::vector<const MigrationFile*>& files, std::set<std::string> installed,
                std::set<std::string> disabled);

  // "schema.name" of a table or view, or of a function (without its arguments).
  std::optional<ModuleOrigin> relation(const std::string& qualified) const;
  std::optional<ModuleOrigin> function(const std::string& qualified) const;

 private:
  std::optional<ModuleOrigin> origin(const std::string& kind, const std::string& qualified) const;
  ObjectSources sources_;
  std::set<std::string> installed_;
  std::set<std::string> disabled_;
};

// "module-mgmt creates it (packages/module-mgmt/db/schema/003-mgmt-usage.sql:1), a module this
// database does not have" and the like: the end of a finding's "found" text.
std::string describe_origin(const ModuleOrigin& origin);
// What to do when the module that creates it does not run here; "" when it is installed.
std::string origin_fix(const ModuleOrigin& origin, const std::string& named);

}  // namespace cora
