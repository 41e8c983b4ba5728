#pragma once
// Schemas Supabase creates and upgrades itself (and PostgreSQL's own): what is in them is not the
// project's. diff leaves them out; the offline lint takes every name in them to exist, since
// their contents depend on the Supabase version.

#include <string>
#include <vector>

namespace cora {

const std::vector<std::string>& supabase_schemas();
bool is_supabase_schema(const std::string& schema);

}  // namespace cora
