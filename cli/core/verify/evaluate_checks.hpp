#pragma once
// Pure: (declared checks, catalog snapshot) -> one outcome per check.

#include <map>
#include <string>
#include <vector>

#include "verify/catalog_snapshot.hpp"
#include "verify/check_model.hpp"
#include "verify/outcome.hpp"

namespace cora {

// PostgreSQL's normalised text of each index check's `where`, by index into CheckSet::indexes;
// a value starting with "error: " says why the server could not normalise it.
using NormalisedPredicates = std::map<std::size_t, std::string>;

// Outcomes of table, index, policy, function and role checks (probes run separately).
std::vector<CheckOutcome> evaluate_checks(const CheckSet& checks, const CatalogSnapshot& snapshot,
                                          const NormalisedPredicates& predicates);

// The search path a function's body runs with: its pinned setting, else the session's.
std::vector<std::string> function_search_path(const FunctionFact& f, const std::string& session_search_path);

}  // namespace cora
