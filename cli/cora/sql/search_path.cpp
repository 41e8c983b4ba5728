#include "cora/sql/search_path.hpp"

#include <algorithm>

namespace cora {

namespace {
std::string trim_identifier(std::string s) {
  const auto start = s.find_first_not_of(" \t");
  const auto end = s.find_last_not_of(" \t");
  s = start == std::string::npos ? "" : s.substr(start, end - start + 1);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return s;
}
}  // namespace

std::vector<std::string> parse_search_path(const std::string& setting) {
  std::vector<std::string> schemas;
  std::size_t start = 0;
  while (start <= setting.size()) {
    const auto comma = setting.find(',', start);
    const std::string item =
        trim_identifier(setting.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty() && item != "$user" && item != "pg_temp") schemas.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (std::find(schemas.begin(), schemas.end(), "pg_catalog") == schemas.end()) {
    schemas.insert(schemas.begin(), "pg_catalog");
  }
  return schemas;
}

std::vector<std::string> candidate_names(const std::string& schema, const std::string& name,
                                         const std::vector<std::string>& search_path) {
  if (!schema.empty()) return {schema + "." + name};
  std::vector<std::string> out;
  for (const auto& s : search_path) out.push_back(s + "." + name);
  return out;
}

std::optional<std::string> resolve_relation(const std::string& schema, const std::string& name,
                                            const std::vector<std::string>& search_path,
                                            const std::set<std::string>& relations) {
  for (const auto& candidate : candidate_names(schema, name, search_path)) {
    if (relations.count(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace cora
