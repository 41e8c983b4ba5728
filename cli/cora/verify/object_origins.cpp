#include "cora/verify/object_origins.hpp"

#include "cora/migrations/prepared_migration.hpp"

namespace cora {

namespace {

// The files as ObjectSources reads them: parsed, each statement with what it defines.
std::vector<PreparedMigration> prepare_all(const std::vector<const MigrationFile*>& files) {
  std::vector<PreparedMigration> out;
  for (const auto* file : files) {
    try {
      out.push_back(prepare_migration(*file));
    } catch (const std::exception&) {
      // A file that does not parse creates nothing we can name; lint and migrate report it.
    }
  }
  return out;
}

}  // namespace

ObjectOrigins::ObjectOrigins(const std::vector<const MigrationFile*>& files, std::set<std::string> installed,
                             std::set<std::string> disabled)
    : sources_(prepare_all(files)), installed_(std::move(installed)), disabled_(std::move(disabled)) {}

std::optional<ModuleOrigin> ObjectOrigins::origin(const std::string& kind, const std::string& qualified) const {
  SchemaObject object;
  object.kind = kind;
  object.name = qualified;
  const auto found = sources_.find(object);
  if (!found || !found->file || found->file->module.empty()) return std::nullopt;
  ModuleOrigin out{found->file->module, found->file, found->line, ModuleState::installed};
  if (disabled_.count(out.module)) out.state = ModuleState::disabled;
  else if (!installed_.count(out.module)) out.state = ModuleState::missing;
  return out;
}

std::optional<ModuleOrigin> ObjectOrigins::relation(const std::string& qualified) const {
  if (auto table = origin("table", qualified)) return table;
  return origin("view", qualified);
}

std::optional<ModuleOrigin> ObjectOrigins::function(const std::string& qualified) const {
  return origin("function", qualified);
}

}  // namespace cora
