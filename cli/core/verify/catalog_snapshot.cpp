#include "verify/catalog_snapshot.hpp"

#include <nlohmann/json.hpp>

#include "db/connection.hpp"

namespace cora {

namespace {

// Each query returns one JSON document, so the parsing below does not depend on column order.
constexpr const char* kTablesSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', n.nspname, 'name', c.relname, 'kind', c.relkind::text,
  'rls', c.relrowsecurity, 'force_rls', c.relforcerowsecurity,
  'columns', (SELECT coalesce(json_agg(json_build_object(
       'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
       'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       'generated', a.attgenerated <> '',
       'generated_expr', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END)
     ORDER BY a.attnum), '[]'::json)
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))), '[]'::json)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY ($1::text[]))";

constexpr const char* kRelationsSql = R"(
SELECT coalesce(json_agg(n.nspname || '.' || c.relname), '[]'::json)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))";

constexpr const char* kIndexesSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', n.nspname, 'name', ic.relname, 'table', tn.nspname || '.' || tc.relname,
  'unique', i.indisunique, 'valid', i.indisvalid,
  'predicate', coalesce(pg_get_expr(i.indpred, i.indrelid), ''),
  'definition', pg_get_indexdef(i.indexrelid),
  'columns', (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ||
                     CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END ORDER BY k)
              FROM generate_series(1, i.indnkeyatts) AS k))), '[]'::json)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
WHERE tn.nspname = ANY ($1::text[]))";

constexpr const char* kPoliciesSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', schemaname, 'table', tablename, 'name', policyname, 'command', cmd,
  'roles', roles, 'permissive', permissive = 'PERMISSIVE')), '[]'::json)
FROM pg_policies WHERE schemaname = ANY ($1::text[]))";

constexpr const char* kFunctionsSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', n.nspname, 'name', p.proname, 'arguments', pg_get_function_identity_arguments(p.oid),
  'language', l.lanname, 'security_definer', p.prosecdef, 'body', p.prosrc,
  'full_arguments', pg_get_function_arguments(p.oid), 'result', pg_get_function_result(p.oid),
  'search_path', (SELECT substr(s, 13) FROM unnest(p.proconfig) AS s WHERE s LIKE 'search_path=%'))), '[]'::json)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY ($1::text[]) AND p.prokind IN ('f', 'p'))";

constexpr const char* kRolesSql = R"(
SELECT json_build_object(
  'roles', (SELECT coalesce(json_agg(json_build_object('name', rolname, 'login', rolcanlogin,
              'bypassrls', rolbypassrls, 'superuser', rolsuper, 'inherit', rolinherit)), '[]'::json) FROM pg_roles),
  'search_path', current_setting('search_path')))";

std::string to_array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? "," : "") + std::string("\"");
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out += "\"";
  }
  return out + "}";
}

nlohmann::json document(const QueryResult& result) {
  return nlohmann::json::parse(result.rows.at(0).at(0).value_or("null"));
}

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? std::string() : it->get<std::string>();
}

}  // namespace

CatalogSnapshot read_catalog_snapshot(Connection& db, const std::vector<std::string>& schemas) {
  const Param schema_array = to_array_literal(schemas);
  const auto outcome = db.run_pipeline({{kTablesSql, {schema_array}},
                                        {kRelationsSql, {}},
                                        {kIndexesSql, {schema_array}},
                                        {kPoliciesSql, {schema_array}},
                                        {kFunctionsSql, {schema_array}},
                                        {kRolesSql, {}}});
  if (outcome.error) throw QueryFailed(*outcome.error);
  CatalogSnapshot snapshot;
  for (const auto& t : document(outcome.results.at(0))) {
    TableFact table{text(t, "schema"), text(t, "name"), text(t, "kind").at(0), t.at("rls"), t.at("force_rls"), {}};
    for (const auto& c : t.at("columns")) {
      table.columns.push_back({text(c, "name"), text(c, "type"), c.at("not_null"), text(c, "default"), c.at("generated"),
                               text(c, "generated_expr")});
    }
    snapshot.tables.emplace(table.schema + "." + table.name, std::move(table));
  }
  for (const auto& r : document(outcome.results.at(1))) snapshot.relations.insert(r.get<std::string>());
  for (const auto& i : document(outcome.results.at(2))) {
    IndexFact index{text(i, "schema"), text(i, "name"), text(i, "table"), {}, i.at("unique"), i.at("valid"),
                    text(i, "predicate"), text(i, "definition")};
    for (const auto& c : i.at("columns")) index.columns.push_back(c.get<std::string>());
    snapshot.indexes.push_back(std::move(index));
  }
  for (const auto& p : document(outcome.results.at(3))) {
    PolicyFact policy{text(p, "schema"), text(p, "table"), text(p, "name"), text(p, "command"), {}, p.at("permissive")};
    for (const auto& r : p.at("roles")) policy.roles.push_back(r.get<std::string>());
    snapshot.policies.push_back(std::move(policy));
  }
  for (const auto& f : document(outcome.results.at(4))) {
    FunctionFact function{text(f, "schema"), text(f, "name"), text(f, "arguments"), text(f, "language"),
                          f.at("security_definer"), std::nullopt, text(f, "body"), text(f, "full_arguments"),
                          text(f, "result")};
    if (!f.at("search_path").is_null()) function.search_path = f.at("search_path").get<std::string>();
    snapshot.functions.push_back(std::move(function));
  }
  const auto roles = document(outcome.results.at(5));
  for (const auto& r : roles.at("roles")) {
    RoleFact role{text(r, "name"), r.at("login"), r.at("bypassrls"), r.at("superuser"), r.at("inherit")};
    snapshot.roles.emplace(role.name, role);
  }
  snapshot.session_search_path = text(roles, "search_path");
  return snapshot;
}

}  // namespace cora
