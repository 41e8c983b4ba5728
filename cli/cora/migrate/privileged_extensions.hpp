#pragma once
// CREATE EXTENSION on the embedded cluster, as Supabase runs it: there the supautils library lets
// the non-superuser `postgres` create the extensions of an allow-list, as supabase_admin. The
// embedded cluster has no supautils; its compatibility layer keeps the allow-list in a table and
// a SECURITY DEFINER function that creates those extensions and no other
// (cli/cora/local/supabase_compat.sql). A statement creating an allow-listed extension is sent
// as a call of that function; any other runs as written, and fails as on Supabase.

#include <set>
#include <string>

#include "cora/db/connection.hpp"
#include "cora/sql/script.hpp"

namespace cora {

// The allow-list of the database `db` is connected to; empty where there is none (any database
// but the embedded cluster's). Two small queries.
std::set<std::string> read_privileged_extensions(Connection& db);

// The step that runs `statement` (whose text is `text`): the function call when it creates an
// extension of `allowed`, else the statement itself.
PipelineStep statement_step(const SqlStatement& statement, std::string text, const std::set<std::string>& allowed);

}  // namespace cora
