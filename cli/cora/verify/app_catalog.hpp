#pragma once
// The schema the application's calls are checked against in `verify`: the database's functions
// (named parameters, defaults) and relations (columns) in the exposed schemas, and what the
// backend's role may do with each, in one query.

#include <string>
#include <vector>

#include "cora/app/app_schema.hpp"
#include "cora/db/connection.hpp"

namespace cora {

// `defined` (the migration files' schema) gives each object the FILE:LINE that defines it.
app::AppSchema read_app_schema(Connection& db, const std::string& role, const std::vector<std::string>& schemas,
                               const app::AppSchema& defined);

}  // namespace cora
