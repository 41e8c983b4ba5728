#pragma once
// The facts of a live schema that checks and lints look at, read in one round trip whatever
// the number of checks: five catalog queries sent as one pipeline.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cora {

class Connection;

struct ColumnFact {
  std::string name;
  std::string type;        // format_type(), e.g. "character varying(50)"
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
};

struct IndexFact {
  std::string schema, name, table;  // table is schema-qualified
  std::vector<std::string> columns;   // "user_id", "occurred_at DESC", or an expression
  bool unique = false, valid = true;
  std::string predicate;  // pg_get_expr(indpred), "" if not partial
  std::string definition; // pg_get_indexdef
};

struct PolicyFact {
  std::string schema, table, name;
  std::string command;   // SELECT, INSERT, UPDATE, DELETE, ALL
  std::vector<std::string> roles;
  bool permissive = true;
};

struct FunctionFact {
  std::string schema, name, identity_arguments, language;
  bool security_definer = false;
  std::optional<std::string> search_path;  // from proconfig; nullopt: not pinned
  std::string body;                        // prosrc
  std::string arguments;                   // pg_get_function_arguments (with OUT and defaults)
  std::string result;                      // pg_get_function_result
};

struct RoleFact {
  std::string name;
  bool login = false, bypassrls = false, superuser = false, inherit = true;
};

struct CatalogSnapshot {
  std::map<std::string, TableFact> tables;   // "schema.name" -> table (relkind r, p, v, m, f)
  std::set<std::string> relations;           // every relation in every schema, "schema.name"
  std::vector<IndexFact> indexes;
  std::vector<PolicyFact> policies;
  std::vector<FunctionFact> functions;        // in the inspected schemas only
  std::map<std::string, RoleFact> roles;
  std::string session_search_path;            // SHOW search_path, for unpinned functions
};

// Reads the snapshot; `schemas` limits functions and tables (indexes, policies) to those schemas.
// One round trip. Throws QueryFailed / ConnectionLost.
CatalogSnapshot read_catalog_snapshot(Connection& db, const std::vector<std::string>& schemas);

}  // namespace cora
