#include "cora/migrate/extension_check.hpp"

#include <set>

namespace cora {

std::vector<MissingExtension> find_missing_extensions(Connection& db,
                                                      const std::vector<PreparedMigration>& migrations) {
  std::vector<MissingExtension> wanted;
  constexpr std::string_view kPrefix = "extension:";
  for (const auto& migration : migrations) {
    for (const auto& statement : migration.script.statements) {
      if (statement.node_type != "CreateExtensionStmt") continue;
      for (const auto& defined : statement.defines) {
        if (defined.key.rfind(kPrefix, 0) != 0) continue;
        wanted.push_back({defined.key.substr(kPrefix.size()), migration.file, statement.first_line});
      }
    }
  }
  if (wanted.empty()) return wanted;
  std::set<std::string> available;
  const auto result = db.query("SELECT name FROM pg_catalog.pg_available_extensions");
  for (const auto& row : result.rows) {
    if (row.at(0)) available.insert(*row.at(0));
  }
  std::vector<MissingExtension> missing;
  for (auto& w : wanted) {
    if (!available.count(w.name)) missing.push_back(std::move(w));
  }
  return missing;
}

}  // namespace cora
