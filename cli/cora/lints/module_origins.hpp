#pragma once
// Which module's file creates a relation or function that a function body names, and whether
// that module runs on this database: so that a lint can say "module-mgmt creates it, and this
// database does not have that module" instead of "re-apply the migration". An interface, so the
// lints stay pure: verify/object_origins.hpp answers it from the migration files.

#include <optional>
#include <string>

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

class ModuleOrigins {
 public:
  virtual ~ModuleOrigins() = default;
  // "schema.name" of a table or view, or of a function (without its arguments).
  virtual std::optional<ModuleOrigin> relation(const std::string& qualified) const = 0;
  virtual std::optional<ModuleOrigin> function(const std::string& qualified) const = 0;
};

// "module-mgmt creates it (packages/module-mgmt/db/schema/003-mgmt-usage.sql:1), a module this
// database does not have" and the like: the end of a finding's "found" text.
std::string describe_origin(const ModuleOrigin& origin);
// What to do when the module that creates it does not run here; "" when it is installed.
std::string origin_fix(const ModuleOrigin& origin, const std::string& named);

}  // namespace cora
