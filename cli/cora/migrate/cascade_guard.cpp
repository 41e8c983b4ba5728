#include "cora/migrate/cascade_guard.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cora/db/sql_text.hpp"

namespace cora {

namespace {

// $1: the kind of cascade_drop; $2, $3: each object's schema ("" when unqualified, then the
// session's search_path decides, as for the DROP itself) and name. From the named objects, the
// walk follows what PostgreSQL's DROP ... CASCADE follows: every object with a normal, automatic,
// internal or extension-member dependency on one already gone, and the owner of an object that
// is internal to it (a generated column goes with the expression that computes it).
constexpr const char* kCascadeRemovesSql = R"(
WITH RECURSIVE named(schema_name, object_name) AS (
  SELECT * FROM unnest($2::text[], $3::text[])
), start(classid, objid) AS (
  SELECT 'pg_type'::regclass::oid,
         to_regtype(CASE WHEN schema_name = '' THEN '' ELSE quote_ident(schema_name) || '.' END
                    || quote_ident(object_name))::oid
    FROM named WHERE $1 = 'type'
  UNION ALL
  SELECT 'pg_namespace'::regclass::oid, n.oid FROM named JOIN pg_namespace n ON n.nspname = object_name
    WHERE $1 = 'schema'
  UNION ALL
  SELECT 'pg_extension'::regclass::oid, e.oid FROM named JOIN pg_extension e ON e.extname = object_name
    WHERE $1 = 'extension'
  UNION ALL
  SELECT 'pg_proc'::regclass::oid, p.oid FROM named JOIN pg_proc p ON p.proname = object_name
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE $1 = 'function' AND (n.nspname = schema_name OR (schema_name = '' AND n.nspname = ANY (current_schemas(true))))
  UNION ALL
  SELECT 'pg_collation'::regclass::oid, k.oid FROM named JOIN pg_collation k ON k.collname = object_name
    JOIN pg_namespace n ON n.oid = k.collnamespace
    WHERE $1 = 'collation' AND (n.nspname = schema_name OR (schema_name = '' AND n.nspname = ANY (current_schemas(true))))
), gone(classid, objid, objsubid) AS (
  SELECT classid, objid, 0 FROM start WHERE objid IS NOT NULL
  UNION
  SELECT next.classid, next.objid, next.objsubid FROM gone g CROSS JOIN LATERAL (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
     WHERE d.refclassid = g.classid AND d.refobjid = g.objid AND (g.objsubid = 0 OR d.refobjsubid = g.objsubid)
       AND d.deptype IN ('n', 'a', 'i', 'e')
    UNION ALL
    SELECT d.refclassid, d.refobjid, d.refobjsubid FROM pg_depend d
     WHERE d.classid = g.classid AND d.objid = g.objid AND d.objsubid = g.objsubid AND d.deptype = 'i') AS next
)
SELECT coalesce(json_agg(what ORDER BY what), '[]'::json) FROM (
  SELECT DISTINCT CASE WHEN g.objsubid = 0 THEN 'table ' ELSE 'column ' END
         || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
         || CASE WHEN g.objsubid = 0 THEN '' ELSE '.' || quote_ident(a.attname) END AS what
  FROM gone g JOIN pg_class c ON g.classid = 'pg_class'::regclass AND c.oid = g.objid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = g.objsubid
  WHERE c.relkind IN ('r', 'p') AND (g.objsubid = 0 OR (g.objsubid > 0 AND NOT EXISTS (
          SELECT 1 FROM gone whole WHERE whole.classid = g.classid AND whole.objid = g.objid AND whole.objsubid = 0)))
) AS removed)";

// "column public.orders.status, table app.items and 3 more": short enough for one line.
std::string list_removed(const std::vector<std::string>& removed) {
  constexpr std::size_t shown = 3;
  std::string out;
  for (std::size_t i = 0; i < removed.size() && i < shown; ++i) out += (i == 0 ? "" : ", ") + removed[i];
  if (removed.size() > shown) out += fmt::format(" and {} more", removed.size() - shown);
  return out;
}

}  // namespace

std::vector<std::string> cascade_removes(Connection& db, const CascadeDrop& drop) {
  std::vector<std::string> schemas, names;
  for (const auto& [schema, name] : drop.objects) {
    schemas.push_back(schema);
    names.push_back(name);
  }
  const auto result = db.query(kCascadeRemovesSql, {drop.kind, text_array_literal(schemas), text_array_literal(names)});
  std::vector<std::string> out;
  for (const auto& item : nlohmann::json::parse(result.rows.at(0).at(0).value_or("[]"))) {
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<DestructiveStatement> destructive_statement_now(Connection& db, const MigrationFile& file) {
  try {
    for (const auto& statement : parse_sql_script(file.content).statements) {
      if (statement.destructive.empty()) continue;
      if (!statement.cascade_drop) return DestructiveStatement{statement.first_line, statement.destructive};
      const auto removed = cascade_removes(db, *statement.cascade_drop);
      if (removed.empty()) continue;  // nothing with rows depends on it here, now
      return DestructiveStatement{statement.first_line,
                                  fmt::format("{}, which would drop {}", statement.destructive, list_removed(removed))};
    }
  } catch (const SqlParseFailure&) {
    // prepare_migration reports the syntax error with its place.
  }
  return std::nullopt;
}

}  // namespace cora
