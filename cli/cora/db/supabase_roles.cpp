#include "cora/db/supabase_roles.hpp"

#include "cora/db/connection.hpp"

namespace cora {

bool has_supabase_api_roles(Connection& db) {
  const auto result =
      db.query("SELECT count(*) = 2 FROM pg_catalog.pg_roles WHERE rolname IN ('anon', 'authenticated')");
  return !result.rows.empty() && result.rows[0].at(0).value_or("f") == "t";
}

}  // namespace cora
