#pragma once
// ModuleOrigins from the migration files: which module's file creates a relation or function,
// by diff's ObjectSources, and whether history says that module runs on this database. Pure:
// the files are read from disk by the caller, the installed modules from history.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/diff/object_sources.hpp"
#include "cora/lints/module_origins.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

class ObjectOrigins final : public ModuleOrigins {
 public:
  // `files`: every module's files in the order they run, disabled modules' too (a file that does
  // not parse is left out). Modules not in `installed` are missing, or disabled when in `disabled`.
  ObjectOrigins(const std::vector<const MigrationFile*>& files, std::set<std::string> installed,
                std::set<std::string> disabled);

  std::optional<ModuleOrigin> relation(const std::string& qualified) const override;
  std::optional<ModuleOrigin> function(const std::string& qualified) const override;

 private:
  std::optional<ModuleOrigin> origin(const std::string& kind, const std::string& qualified) const;
  ObjectSources sources_;
  std::set<std::string> installed_;
  std::set<std::string> disabled_;
};

}  // namespace cora
