#pragma once
// Whether a database is shaped like a Supabase project: it has the Data API's roles.

namespace cora {

class Connection;

// True when the roles anon and authenticated exist (one query).
bool has_supabase_api_roles(Connection& db);

}  // namespace cora
