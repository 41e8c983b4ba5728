#pragma once
// Resolving the relation names a function body uses, as PostgreSQL would when it runs.

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cora {

// The schemas of a search_path setting ("\"$user\", public", "''", "pg_catalog, public"), in
// order, without "$user" and pg_temp, and with pg_catalog first unless it is listed.
std::vector<std::string> parse_search_path(const std::string& setting);

// "schema.name" of the relation `name` (optionally schema-qualified) resolves to among
// `relations`, or nullopt.
std::optional<std::string> resolve_relation(const std::string& schema, const std::string& name,
                                            const std::vector<std::string>& search_path,
                                            const std::set<std::string>& relations);

// Every "schema.name" the reference could mean: itself when qualified, else one per schema.
std::vector<std::string> candidate_names(const std::string& schema, const std::string& name,
                                         const std::vector<std::string>& search_path);

}  // namespace cora
