#include "cora/verify/read_catalog_snapshot.hpp"

#include <nlohmann/json.hpp>

#include "cora/catalog/catalog_snapshot_json.hpp"
#include "cora/db/connection.hpp"
#include "cora/db/sql_text.hpp"

namespace cora {

namespace {

// Each query returns one JSON document, so the parsing below does not depend on column order.
// The privilege of a role that may not exist (a plain PostgreSQL has no anon): false then.
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
     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'primary_key', EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisprimary),
  'security_invoker', coalesce((SELECT o.option_value::boolean FROM pg_options_to_table(c.reloptions) o
                                WHERE o.option_name = 'security_invoker'), false),
  'anon_select', coalesce((SELECT has_table_privilege(r.oid, c.oid, 'SELECT') FROM pg_roles r WHERE r.rolname = 'anon'), false),
  'authenticated_select', coalesce((SELECT has_table_privilege(r.oid, c.oid, 'SELECT') FROM pg_roles r
                                    WHERE r.rolname = 'authenticated'), false),
  'from_extension', EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'),
  'reads', (SELECT coalesce(json_agg(DISTINCT rn.nspname || '.' || rc.relname), '[]'::json)
            FROM pg_rewrite w JOIN pg_depend v ON v.classid = 'pg_rewrite'::regclass AND v.objid = w.oid
            JOIN pg_class rc ON v.refclassid = 'pg_class'::regclass AND rc.oid = v.refobjid
            JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE w.ev_class = c.oid AND v.refobjid <> c.oid),
  'comment', obj_description(c.oid, 'pg_class'), 'owner', pg_get_userbyid(c.relowner),
  'view_definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END)), '[]'::json)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY ($1::text[]))";

constexpr const char* kRelationsSql = R"(
SELECT coalesce(json_agg(n.nspname || '.' || c.relname), '[]'::json)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))";

constexpr const char* kIndexesSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', n.nspname, 'name', ic.relname, 'table', tn.nspname || '.' || tc.relname,
  'unique', i.indisunique, 'valid', i.indisvalid, 'primary', i.indisprimary,
  'predicate', coalesce(pg_get_expr(i.indpred, i.indrelid), ''),
  'definition', pg_get_indexdef(i.indexrelid), 'comment', obj_description(i.indexrelid, 'pg_class'),
  'key_attnums', to_json(i.indkey::int2[]),
  'columns', (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ||
                     CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END ORDER BY k)
              FROM generate_series(1, i.indnkeyatts) AS k))), '[]'::json)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
WHERE tn.nspname = ANY ($1::text[]))";

// pg_policy rather than pg_policies: the dependencies need the policy's oid. PostgreSQL records
// the columns a policy's expression uses, at the top level or in a sub-query alike, so a
// relation other than the policy's own table is one a sub-query reads; whether a sub-query
// reads the own table is left to the parsed expression (see policy_expression.hpp).
constexpr const char* kCatalogPoliciesSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', n.nspname, 'table', c.relname, 'name', p.polname,
  'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                           WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
  'roles', CASE WHEN p.polroles = '{0}'::oid[] THEN '["public"]'::json
                ELSE (SELECT coalesce(json_agg(r.rolname ORDER BY r.rolname), '[]'::json) FROM pg_roles r
                      WHERE r.oid = ANY (p.polroles)) END,
  'permissive', p.polpermissive, 'comment', obj_description(p.oid, 'pg_policy'),
  'using', pg_get_expr(p.polqual, p.polrelid), 'with_check', pg_get_expr(p.polwithcheck, p.polrelid),
  'reads', (SELECT coalesce(json_agg(DISTINCT rn.nspname || '.' || rc.relname), '[]'::json)
            FROM pg_depend d JOIN pg_class rc ON rc.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_class'::regclass
              AND d.refobjid <> p.polrelid AND d.deptype = 'n'),
  'calls', (SELECT coalesce(json_agg(DISTINCT fn.nspname || '.' || f.proname || '(' ||
                                     pg_get_function_identity_arguments(f.oid) || ')'), '[]'::json)
            FROM pg_depend d JOIN pg_proc f ON f.oid = d.refobjid JOIN pg_namespace fn ON fn.oid = f.pronamespace
            WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_proc'::regclass))),
  '[]'::json)
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[]))";

constexpr const char* kFunctionsSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'schema', n.nspname, 'name', p.proname, 'arguments', pg_get_function_identity_arguments(p.oid),
  'language', l.lanname, 'security_definer', p.prosecdef, 'body', p.prosrc, 'comment', obj_description(p.oid, 'pg_proc'),
  'full_arguments', pg_get_function_arguments(p.oid), 'result', pg_get_function_result(p.oid),
  'search_path', (SELECT substr(s, 13) FROM unnest(p.proconfig) AS s WHERE s LIKE 'search_path=%'),
  'anon_execute', coalesce((SELECT has_function_privilege(r.oid, p.oid, 'EXECUTE') FROM pg_roles r WHERE r.rolname = 'anon'), false),
  'authenticated_execute', coalesce((SELECT has_function_privilege(r.oid, p.oid, 'EXECUTE') FROM pg_roles r
                                     WHERE r.rolname = 'authenticated'), false),
  'from_extension', EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e'))),
  '[]'::json)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY ($1::text[]) AND p.prokind IN ('f', 'p'))";

constexpr const char* kRolesSql = R"(
SELECT json_build_object(
  'roles', (SELECT coalesce(json_agg(json_build_object('name', r.rolname, 'login', r.rolcanlogin,
              'bypassrls', r.rolbypassrls, 'superuser', r.rolsuper, 'inherit', r.rolinherit,
              'member_of', (SELECT coalesce(json_agg(g.rolname ORDER BY g.rolname), '[]'::json)
                            FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid))),
              '[]'::json) FROM pg_roles r),
  'search_path', current_setting('search_path')))";

constexpr const char* kForeignKeysSql = R"(
SELECT coalesce(json_agg(json_build_object(
  'table', n.nspname || '.' || c.relname, 'name', k.conname, 'attnums', to_json(k.conkey),
  'columns', (SELECT json_agg(a.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum),
  'referenced_table', rn.nspname || '.' || rc.relname,
  'referenced_columns', (SELECT json_agg(a.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum),
  'to_unique_not_primary', coalesce((SELECT x.indisunique AND NOT x.indisprimary FROM pg_index x
                                     WHERE x.indexrelid = k.conindid), false))), '[]'::json)
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE k.contype = 'f' AND n.nspname = ANY ($1::text[]))";

constexpr const char* kCatalogExtensionsSql = R"(
SELECT coalesce(json_agg(json_build_object('name', e.extname, 'schema', n.nspname)), '[]'::json)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace)";

// The recursion probe. Each read runs in its own sub-transaction, as the role and with the
// claims Supabase would set, and is always undone by raising; what it raised is returned.
// PostgreSQL reports 42P17 while rewriting the query, before planning or permission checks,
// so LIMIT 0 and a role without SELECT still find it. The temporary function disappears with
// the ROLLBACK that ends the pipeline.
constexpr const char* kProbeFunctionSql = R"(
CREATE FUNCTION pg_temp.cora_read_as(p_role text, p_claims text, p_table oid) RETURNS text
LANGUAGE plpgsql AS $probe$
BEGIN
  BEGIN
    PERFORM pg_catalog.set_config('request.jwt.claims', p_claims, true);
    PERFORM pg_catalog.set_config('role', p_role, true);
    EXECUTE pg_catalog.format('SELECT FROM %s LIMIT 0', p_table::pg_catalog.regclass);
    RAISE EXCEPTION USING ERRCODE = 'CRA00';
  EXCEPTION
    WHEN SQLSTATE 'CRA00' THEN RETURN '';
    WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM;
  END;
END
$probe$)";

constexpr const char* kProbeReadsSql = R"(
SELECT coalesce(json_agg(json_build_object('table', n.nspname || '.' || c.relname, 'role', r.rolname,
                                           'error', pg_temp.cora_read_as(r.rolname, a.claims, c.oid))
                         ORDER BY n.nspname, c.relname, r.rolname), '[]'::json)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN (VALUES ('anon', '{"role": "anon"}'),
                   ('authenticated', '{"sub": "00000000-0000-4000-8000-00000000c0de", "role": "authenticated",
                                       "email": "probe@example.invalid"}')) AS a(role, claims)
JOIN pg_roles r ON r.rolname = a.role
WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND n.nspname = ANY ($1::text[]))";

nlohmann::json document(const QueryResult& result) {
  return nlohmann::json::parse(result.rows.at(0).at(0).value_or("null"));
}

}  // namespace

std::vector<PipelineStep> catalog_snapshot_steps(const std::vector<std::string>& schemas, RecursionProbe probe) {
  const Param schema_array = text_array_literal(schemas);
  std::vector<PipelineStep> steps{{kTablesSql, {schema_array}},      {kRelationsSql, {}},
                                  {kIndexesSql, {schema_array}},     {kCatalogPoliciesSql, {schema_array}},
                                  {kFunctionsSql, {schema_array}},   {kRolesSql, {}},
                                  {kForeignKeysSql, {schema_array}}, {kCatalogExtensionsSql, {}}};
  if (probe == RecursionProbe::run) {
    // BEGIN turns the pipeline's implicit transaction into a block, so the ROLLBACK undoes the
    // temporary function and anything a policy's function might have done.
    steps.push_back({"BEGIN", {}});
    steps.push_back({kProbeFunctionSql, {}});
    steps.push_back({kProbeReadsSql, {schema_array}});
    steps.push_back({"ROLLBACK", {}});
  }
  return steps;
}

CatalogSnapshot decode_catalog_snapshot(Connection& db, const SegmentOutcome& outcome, RecursionProbe probe) {
  constexpr std::size_t catalog_steps = 8;
  if (outcome.error && *outcome.failed_step < catalog_steps) {
    if (probe == RecursionProbe::run) db.execute_script("ROLLBACK");
    throw QueryFailed(*outcome.error);
  }
  // One document, decoded by the same code as a fixture's (catalog_snapshot_json.hpp).
  nlohmann::json facts{
      {"tables", document(outcome.results.at(0))},       {"relations", document(outcome.results.at(1))},
      {"indexes", document(outcome.results.at(2))},      {"policies", document(outcome.results.at(3))},
      {"functions", document(outcome.results.at(4))},    {"roles", document(outcome.results.at(5))},
      {"foreign_keys", document(outcome.results.at(6))}, {"extensions", document(outcome.results.at(7))}};
  if (probe == RecursionProbe::run) {
    if (outcome.error) {
      // A read-only server, say, refuses the temporary function; the catalog is still good.
      db.execute_script("ROLLBACK");
      facts["recursion_probe_error"] = outcome.error->message + " [" + outcome.error->sqlstate + "]";
    } else {
      facts["recursion_probes"] = document(outcome.results.at(catalog_steps + 2));
    }
  }
  return catalog_snapshot_from_json(facts);
}

CatalogSnapshot read_catalog_snapshot(Connection& db, const std::vector<std::string>& schemas, RecursionProbe probe) {
  const auto outcomes = db.run_segments({catalog_snapshot_steps(schemas, probe)});
  return decode_catalog_snapshot(db, outcomes.at(0), probe);
}

}  // namespace cora
