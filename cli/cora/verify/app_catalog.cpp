#include "cora/verify/app_catalog.hpp"

#include <nlohmann/json.hpp>

namespace cora {

namespace {

// One JSON document: the role's existence, then every function (input parameter names, how many
// have defaults, EXECUTE) and relation (columns, privileges) of the schemas. has_*_privilege is
// only asked when the role exists (it raises otherwise).
constexpr const char* kAppSchemaQuery = R"SQL(
WITH r AS (SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists)
SELECT json_build_object(
  'role_exists', (SELECT exists FROM r),
  'functions', (SELECT coalesce(json_agg(json_build_object(
      'name', n.nspname || '.' || p.proname,
      'names', coalesce(p.proargnames, '{}'::text[]),
      'modes', coalesce(p.proargmodes::text[], '{}'::text[]),
      'inputs', p.pronargs,
      'defaults', p.pronargdefaults,
      'execute', CASE WHEN (SELECT exists FROM r) THEN has_function_privilege($1, p.oid, 'EXECUTE') END)), '[]')
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY ($2::text[]) AND p.prokind IN ('f', 'p')),
  'relations', (SELECT coalesce(json_agg(json_build_object(
      'name', n.nspname || '.' || c.relname,
      'kind', CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 'table' ELSE 'view' END,
      'columns', (SELECT coalesce(json_agg(a.attname ORDER BY a.attnum), '[]') FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
      'select', CASE WHEN (SELECT exists FROM r) THEN has_table_privilege($1, c.oid, 'SELECT') END,
      'insert', CASE WHEN (SELECT exists FROM r) THEN has_table_privilege($1, c.oid, 'INSERT') END,
      'update', CASE WHEN (SELECT exists FROM r) THEN has_table_privilege($1, c.oid, 'UPDATE') END,
      'delete', CASE WHEN (SELECT exists FROM r) THEN has_table_privilege($1, c.oid, 'DELETE') END)), '[]')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY ($2::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
)::text AS doc
)SQL";

std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? "," : "") + std::string("\"");
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

app::AppSchema read_app_schema(Connection& db, const std::string& role, const std::vector<std::string>& schemas,
                               const app::AppSchema& defined) {
  const auto result = db.query(kAppSchemaQuery, {role, text_array(schemas)});
  const auto doc = nlohmann::json::parse(result.text(0, "doc"));
  app::AppSchema schema;
  schema.source = "the database";
  schema.role_missing = !doc.value("role_exists", false);
  schema.renamed = defined.renamed;
  for (const auto& f : doc["functions"]) {
    app::AppFunction function;
    function.name = f.value("name", "");
    const auto names = f["names"].get<std::vector<std::string>>();
    const auto modes = f["modes"].get<std::vector<std::string>>();
    // proargnames covers every argument (OUT ones too) when proargmodes is set, else the inputs.
    std::vector<std::string> input_names;
    const int inputs = f.value("inputs", 0);
    for (std::size_t i = 0; i < std::max(names.size(), static_cast<std::size_t>(inputs)); ++i) {
      const std::string mode = i < modes.size() ? modes[i] : "i";
      if (mode == "o" || mode == "t") continue;
      input_names.push_back(i < names.size() ? names[i] : "");
    }
    input_names.resize(static_cast<std::size_t>(inputs));
    const int defaults = f.value("defaults", 0);
    for (std::size_t i = 0; i < input_names.size(); ++i) {
      function.inputs.push_back({input_names[i], static_cast<int>(i) >= inputs - defaults});
    }
    if (f["execute"].is_boolean()) function.role_may_execute = f["execute"].get<bool>();
    if (const auto it = defined.functions.find(function.name); it != defined.functions.end() && !it->second.empty()) {
      function.at = it->second.front().at;
    }
    schema.functions[function.name].push_back(std::move(function));
  }
  for (const auto& r : doc["relations"]) {
    app::AppRelation relation;
    relation.name = r.value("name", "");
    relation.kind = r.value("kind", "table");
    relation.columns = r["columns"].get<std::vector<std::string>>();
    const std::pair<const char*, AppAccess> privileges[] = {{"select", AppAccess::select},
                                                            {"insert", AppAccess::insert},
                                                            {"update", AppAccess::update},
                                                            {"delete", AppAccess::delete_}};
    for (const auto& [key, access] : privileges) {
      if (r[key].is_boolean()) relation.role_may[access] = r[key].get<bool>();
    }
    if (const auto it = defined.relations.find(relation.name); it != defined.relations.end()) {
      relation.at = it->second.at;
    }
    schema.relations[relation.name] = std::move(relation);
  }
  return schema;
}

}  // namespace cora
