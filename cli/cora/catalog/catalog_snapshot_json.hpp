#pragma once
// A catalog snapshot from JSON: the one decoder of what the catalog queries return, used for the
// live schema and for fixtures, so every pure judge (checks, lints, adoption, the checklist's
// checks) can be tested without a server.
//
// The document is an object; every key is optional (absent means empty):
//   "tables":        [{"schema", "name", "kind", "rls", "force_rls", "columns": [{"name", "type",
//                     "not_null", "default", "generated", "generated_expr"}], "primary_key",
//                     "security_invoker", "anon_select", "authenticated_select", "from_extension",
//                     "reads", "view_definition", "comment"}]
//   "relations":     ["schema.name", ...]   (absent: the tables' names)
//   "indexes":       [{"schema", "name", "table", "unique", "valid", "primary", "key_attnums",
//                     "predicate", "definition", "comment", "columns"}]
//   "policies":      [{"schema", "table", "name", "command", "roles", "permissive", "using",
//                     "with_check", "reads", "calls", "comment"}]
//   "functions":     [{"schema", "name", "arguments", "language", "security_definer", "search_path",
//                     "body", "anon_execute", "authenticated_execute", "from_extension", "comment",
//                     "full_arguments", "result"}]
//   "roles":         {"roles": [{"name", "login", "bypassrls", "superuser", "inherit"}], "search_path"}
//   "foreign_keys":  [{"table", "name", "columns", "attnums", "referenced_table",
//                     "referenced_columns", "to_unique_not_primary"}]
//   "extensions":    [{"name", "schema"}]
//   "recursion_probes": [{"table", "role", "error"}], "recursion_probe_error": "..."
// Within an object an absent key takes the default of its field (false, "", none).

#include <nlohmann/json_fwd.hpp>

#include "cora/catalog/catalog_snapshot.hpp"

namespace cora {

// Throws nlohmann::json::exception when a present value has the wrong type.
CatalogSnapshot catalog_snapshot_from_json(const nlohmann::json& document);

}  // namespace cora
