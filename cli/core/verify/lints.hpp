#pragma once
// Built-in lints: what is wrong in any schema, with no check file needed. Pure.

#include <map>
#include <string>
#include <vector>

#include "verify/catalog_snapshot.hpp"
#include "verify/evaluate_checks.hpp"
#include "verify/outcome.hpp"

namespace cora {

// The lint names, as used in [lints] of cora-migrate.toml.
const std::vector<std::string>& lint_names();

// Runs every lint not switched off in `enabled` (absent means on). `exposed_schemas` are the
// schemas the Data API serves (RLS matters there).
std::vector<CheckOutcome> run_lints(const CatalogSnapshot& snapshot, const FunctionAnalyses& analyses,
                                    const std::map<std::string, bool>& enabled,
                                    const std::vector<std::string>& exposed_schemas);

}  // namespace cora
