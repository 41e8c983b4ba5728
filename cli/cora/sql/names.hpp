#pragma once
// Names in libpg_query parse trees: relations and functions, as PostgreSQL folds them.
// Unqualified names are taken to be in schema public (the first schema of the default
// search_path that holds user objects).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cora::lint {

struct QualifiedName {
  std::string schema = "public";
  std::string name;

  std::string text() const { return schema + "." + name; }
  bool operator<(const QualifiedName& o) const { return schema != o.schema ? schema < o.schema : name < o.name; }
  bool operator==(const QualifiedName& o) const { return schema == o.schema && name == o.name; }
};

// "t" as "public.t"; a name with a schema stays as it is.
inline std::string public_qualified(const std::string& name) {
  return name.find('.') == std::string::npos ? "public." + name : name;
}

// {"schemaname": "s", "relname": "t"} (a RangeVar, with or without its wrapper).
QualifiedName relation_name(const nlohmann::json& range_var);

// A list of {"String": {"sval": ...}} nodes, e.g. DROP TABLE's objects or a function's name:
// the last two parts are schema and name.
QualifiedName list_name(const nlohmann::json& strings);

// The strings of such a list.
std::vector<std::string> string_list(const nlohmann::json& strings);

// A TypeName as SQL text that PostgreSQL accepts back ("pg_catalog"."int4"[]), type modifiers left
// out; and its last name part with [] per array dimension ("int4[]"), to tell overloads apart.
std::string type_sql(const nlohmann::json& type_name);
std::string type_key(const nlohmann::json& type_name);

// Calls every `visit` on each object in `node` (recursively) that holds `key`.
template <typename Visit>
void for_each_node(const nlohmann::json& node, const char* key, Visit&& visit) {
  if (node.is_object()) {
    if (const auto it = node.find(key); it != node.end()) visit(*it);
    for (const auto& [k, child] : node.items()) for_each_node(child, key, visit);
  } else if (node.is_array()) {
    for (const auto& child : node) for_each_node(child, key, visit);
  }
}

}  // namespace cora::lint
