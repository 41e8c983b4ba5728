#pragma once
// The facts of a live schema that checks and lints look at: plain data, decoded from JSON by
// catalog_snapshot_json.hpp. verify/read_catalog_snapshot.hpp reads them from a server.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cora {

struct ColumnFact {
  std::string name;
  std::string type;  // format_type(), e.g. "character varying(50)"
  bool not_null = false;
  std::string default_expr;  // pg_get_expr(adbin) for a default; "" if none
  bool generated = false;    // GENERATED ALWAYS AS (...) STORED
  std::string generated_expr;
};

struct TableFact {
  std::string schema, name;
  char kind = 'r';  // relkind
  bool rls = false, force_rls = false;
  std::vector<ColumnFact> columns;
  bool has_primary_key = false;
  bool security_invoker = false;                           // views: WITH (security_invoker = true)
  bool anon_select = false, authenticated_select = false;  // has_table_privilege(..., 'SELECT')
  bool from_extension = false;                             // a member of an extension: not the project's to fix
  std::vector<std::string> reads;  // views and materialized views: the relations their query reads
  std::string view_definition;     // pg_get_viewdef for views and materialized views
  std::string comment;             // COMMENT ON: may silence a lint (see lints.hpp)
  std::string owner;               // pg_class.relowner's name: it, and its members, bypass RLS
};

struct IndexFact {
  std::string schema, name, table;   // table is schema-qualified
  std::vector<std::string> columns;  // "user_id", "occurred_at DESC", or an expression
  bool unique = false, valid = true, primary = false;
  std::vector<int> key_attnums;  // pg_index.indkey; 0 for an expression
  std::string predicate;         // pg_get_expr(indpred), "" if not partial
  std::string definition;        // pg_get_indexdef
  std::string comment;
};

struct PolicyFact {
  std::string schema, table, name;
  std::string command;             // SELECT, INSERT, UPDATE, DELETE, ALL
  std::vector<std::string> roles;  // sorted; "public" for every role
  bool permissive = true;
  std::string using_expr, with_check_expr;  // pg_get_expr; "" when absent
  // What the expressions depend on, resolved by PostgreSQL itself (pg_depend): the relations
  // other than its own table that its sub-queries read, and the functions it calls, as
  // "schema.name(identity arguments)".
  std::vector<std::string> reads, calls;
  std::string comment;
};

struct ForeignKeyFact {
  std::string table, name;  // table schema-qualified
  std::vector<std::string> columns;
  std::vector<int> attnums;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  bool to_unique_not_primary = false;  // enforced by a UNIQUE index that is not the primary key
};

struct ExtensionFact {
  std::string name, schema;
};

// One read of an RLS-enabled table as a role, done by the snapshot itself: `error` is
// "SQLSTATE: message" when the read failed, empty when it worked.
struct RecursionProbeResult {
  std::string table, role, error;
};

struct FunctionFact {
  std::string schema, name, identity_arguments, language;
  bool security_definer = false;
  std::optional<std::string> search_path;                    // from proconfig; nullopt: not pinned
  std::string body;                                          // prosrc
  bool anon_execute = false, authenticated_execute = false;  // has_function_privilege
  bool from_extension = false;
  std::string comment;
  std::string arguments;  // pg_get_function_arguments (with OUT and defaults)
  std::string result;     // pg_get_function_result
};

struct RoleFact {
  std::string name;
  bool login = false, bypassrls = false, superuser = false, inherit = true;
  std::vector<std::string> member_of;  // the roles it is a direct member of (pg_auth_members), sorted
};

struct CatalogSnapshot {
  std::map<std::string, TableFact> tables;  // "schema.name" -> table (relkind r, p, v, m, f)
  std::set<std::string> relations;          // every relation in every schema, "schema.name"
  std::vector<IndexFact> indexes;
  std::vector<PolicyFact> policies;
  std::vector<FunctionFact> functions;  // in the inspected schemas only
  std::map<std::string, RoleFact> roles;
  std::string session_search_path;           // SHOW search_path, for unpinned functions
  std::vector<ForeignKeyFact> foreign_keys;  // of tables in the inspected schemas
  std::vector<ExtensionFact> extensions;     // every installed extension
  std::vector<RecursionProbeResult> recursion_probes;
  std::optional<std::string> recursion_probe_error;  // why the probe could not run, if it did not
};

}  // namespace cora
