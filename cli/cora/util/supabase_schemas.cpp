#include "cora/util/supabase_schemas.hpp"

#include <algorithm>

namespace cora {

const std::vector<std::string>& supabase_schemas() {
  static const std::vector<std::string> names{"auth",
                                              "storage",
                                              "realtime",
                                              "_realtime",
                                              "extensions",
                                              "graphql",
                                              "graphql_public",
                                              "pgsodium",
                                              "pgsodium_masks",
                                              "vault",
                                              "net",
                                              "supabase_functions",
                                              "supabase_migrations",
                                              "_analytics",
                                              "pgbouncer",
                                              "cron",
                                              "pg_catalog",
                                              "information_schema"};
  return names;
}

bool is_supabase_schema(const std::string& schema) {
  const auto& names = supabase_schemas();
  return std::find(names.begin(), names.end(), schema) != names.end();
}

}  // namespace cora
