#include "cora/catalog/catalog_snapshot_json.hpp"

#include <nlohmann/json.hpp>

namespace cora {

namespace {

const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json absent;
  const auto it = j.find(key);
  return it == j.end() ? absent : *it;
}

std::string text(const nlohmann::json& j, const char* key) {
  const auto& v = member(j, key);
  return v.is_null() ? std::string() : v.get<std::string>();
}

bool flag(const nlohmann::json& j, const char* key, bool otherwise = false) {
  const auto& v = member(j, key);
  return v.is_null() ? otherwise : v.get<bool>();
}

std::vector<int> numbers(const nlohmann::json& j) {
  std::vector<int> out;
  if (j.is_array()) {
    for (const auto& n : j) out.push_back(n.get<int>());
  }
  return out;
}

std::vector<std::string> strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& s : j) out.push_back(s.get<std::string>());
  }
  return out;
}

// An absent or null list decodes as empty.
const nlohmann::json& list(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  const auto& v = member(j, key);
  return v.is_null() ? empty : v;
}

TableFact table_from(const nlohmann::json& t) {
  TableFact table;
  table.schema = text(t, "schema");
  table.name = text(t, "name");
  const auto kind = text(t, "kind");
  table.kind = kind.empty() ? 'r' : kind.front();
  table.rls = flag(t, "rls");
  table.force_rls = flag(t, "force_rls");
  for (const auto& c : list(t, "columns")) {
    table.columns.push_back({text(c, "name"), text(c, "type"), flag(c, "not_null"), text(c, "default"),
                             flag(c, "generated"), text(c, "generated_expr")});
  }
  table.has_primary_key = flag(t, "primary_key");
  table.security_invoker = flag(t, "security_invoker");
  table.anon_select = flag(t, "anon_select");
  table.authenticated_select = flag(t, "authenticated_select");
  table.from_extension = flag(t, "from_extension");
  table.reads = strings(member(t, "reads"));
  table.view_definition = text(t, "view_definition");
  table.comment = text(t, "comment");
  table.owner = text(t, "owner");
  return table;
}

IndexFact index_from(const nlohmann::json& i) {
  return {text(i, "schema"),    text(i, "name"),        text(i, "table"),   strings(member(i, "columns")),
          flag(i, "unique"),    flag(i, "valid", true), flag(i, "primary"), numbers(member(i, "key_attnums")),
          text(i, "predicate"), text(i, "definition"),  text(i, "comment")};
}

PolicyFact policy_from(const nlohmann::json& p) {
  return {text(p, "schema"),
          text(p, "table"),
          text(p, "name"),
          text(p, "command"),
          strings(member(p, "roles")),
          flag(p, "permissive", true),
          text(p, "using"),
          text(p, "with_check"),
          strings(member(p, "reads")),
          strings(member(p, "calls")),
          text(p, "comment")};
}

FunctionFact function_from(const nlohmann::json& f) {
  FunctionFact function{text(f, "schema"),
                        text(f, "name"),
                        text(f, "arguments"),
                        text(f, "language"),
                        flag(f, "security_definer"),
                        std::nullopt,
                        text(f, "body"),
                        flag(f, "anon_execute"),
                        flag(f, "authenticated_execute"),
                        flag(f, "from_extension"),
                        text(f, "comment"),
                        text(f, "full_arguments"),
                        text(f, "result")};
  if (const auto& path = member(f, "search_path"); !path.is_null()) function.search_path = path.get<std::string>();
  return function;
}

}  // namespace

CatalogSnapshot catalog_snapshot_from_json(const nlohmann::json& document) {
  CatalogSnapshot snapshot;
  for (const auto& t : list(document, "tables")) {
    auto table = table_from(t);
    auto key = table.schema + "." + table.name;
    snapshot.tables.emplace(std::move(key), std::move(table));
  }
  if (const auto& relations = member(document, "relations"); relations.is_null()) {
    for (const auto& [name, table] : snapshot.tables) snapshot.relations.insert(name);
  } else {
    for (const auto& r : relations) snapshot.relations.insert(r.get<std::string>());
  }
  for (const auto& i : list(document, "indexes")) snapshot.indexes.push_back(index_from(i));
  for (const auto& p : list(document, "policies")) snapshot.policies.push_back(policy_from(p));
  for (const auto& f : list(document, "functions")) snapshot.functions.push_back(function_from(f));
  const auto& roles = member(document, "roles");
  for (const auto& r : list(roles, "roles")) {
    RoleFact role{text(r, "name"),      flag(r, "login"),         flag(r, "bypassrls"),
                  flag(r, "superuser"), flag(r, "inherit", true), strings(member(r, "member_of"))};
    snapshot.roles.emplace(role.name, role);
  }
  snapshot.session_search_path = roles.is_null() ? std::string() : text(roles, "search_path");
  for (const auto& k : list(document, "foreign_keys")) {
    snapshot.foreign_keys.push_back({text(k, "table"), text(k, "name"), strings(member(k, "columns")),
                                     numbers(member(k, "attnums")), text(k, "referenced_table"),
                                     strings(member(k, "referenced_columns")), flag(k, "to_unique_not_primary")});
  }
  for (const auto& e : list(document, "extensions"))
    snapshot.extensions.push_back({text(e, "name"), text(e, "schema")});
  for (const auto& r : list(document, "recursion_probes")) {
    snapshot.recursion_probes.push_back({text(r, "table"), text(r, "role"), text(r, "error")});
  }
  if (const auto& error = member(document, "recursion_probe_error"); !error.is_null()) {
    snapshot.recursion_probe_error = error.get<std::string>();
  }
  return snapshot;
}

}  // namespace cora
