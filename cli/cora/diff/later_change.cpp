#include "cora/diff/later_change.hpp"

#include <string_view>

namespace cora {

TouchedObjects touched_objects(const std::vector<PreparedMigration>& prepared) {
  TouchedObjects out;
  constexpr std::string_view drop_prefix = "drop-if-exists:";
  for (const auto& m : prepared) {
    auto& keys = out[m.file];
    for (const auto& statement : m.script.statements) {
      for (const auto& d : statement.defines) {
        if (d.key.rfind("grant:", 0) == 0) continue;  // grants accumulate; re-granting undoes nothing
        // What a statement alters or renames is for verify's attribution, not a definition.
        if (d.key.rfind("changed:", 0) == 0 || d.key.rfind("renamed:", 0) == 0) continue;
        keys.insert(d.key.rfind(drop_prefix, 0) == 0 ? d.key.substr(drop_prefix.size()) : d.key);
      }
      for (const auto& dropped : statement.drops) keys.insert(dropped);
    }
  }
  return out;
}

std::optional<std::pair<const MigrationFile*, std::string>> later_change(const MigrationFile* file,
                                                                         const std::vector<MigrationFile>& files,
                                                                         const TouchedObjects& touched) {
  const auto mine = touched.find(file);
  if (mine == touched.end()) return std::nullopt;
  bool after = false;
  for (const auto& f : files) {
    if (&f == file) {
      after = true;
      continue;
    }
    if (!after) continue;
    const auto theirs = touched.find(&f);
    if (theirs == touched.end()) continue;
    for (const auto& key : mine->second) {
      if (theirs->second.count(key)) return std::make_pair(&f, key);
    }
  }
  return std::nullopt;
}

}  // namespace cora
