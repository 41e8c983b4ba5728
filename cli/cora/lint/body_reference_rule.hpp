#pragma once
// unresolved_body_reference: a PL/pgSQL or SQL function body naming a relation, or calling a
// function, that no migration creates and the base schema does not have. CREATE FUNCTION
// succeeds all the same (bodies are resolved when a statement first runs), and every call that
// reaches the statement fails with 42P01 or 42883: the guide's log_auth_event() inserting into
// auth_event_log, caught from the files before any database sees them.
//
// Judged once every file is read, against what they leave in place (renames followed: a table
// renamed by a later file no longer exists under its old name). The base schema is what the
// files cannot show: names in Supabase's own schemas (auth, storage, extensions, ... whose
// contents depend on the Supabase version; the compatibility layer's auth.users and auth.uid()
// are among them), PostgreSQL's catalog (pg_*), and, for function calls, the schemas extensions
// were installed in.
// Unqualified names resolve through the function's own SET search_path (public without one),
// among the relations the files create (and pg_* in pg_catalog).
// A function called without a schema is taken for PostgreSQL's own unless the migrations
// define one of that name only in schemas off the search_path: there is no list of built-in
// functions offline.

#include <vector>

#include "cora/lint/finding.hpp"
#include "cora/lint/rename_rule.hpp"
#include "cora/lint/schema_state.hpp"

namespace cora::lint {

// The findings for function `f` (defined as it is in `state` at the end of the files).
std::vector<Finding> check_body_references(const FunctionDefinition& f, const SchemaState& state,
                                           FunctionReferences& references);

}  // namespace cora::lint
