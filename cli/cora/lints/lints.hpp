#pragma once
// Built-in lints: what is wrong in any schema, with no check file needed. Pure. The rules and
// their levels are in config/lint_rules.hpp; each family of rules has a file in lints/.

#include <string>
#include <vector>

#include "cora/config/lint_rules.hpp"
#include "cora/catalog/catalog_snapshot.hpp"
#include "cora/checks/evaluate_checks.hpp"
#include "cora/checks/outcome.hpp"
#include "cora/lints/module_origins.hpp"

namespace cora {

// Runs every live rule not switched off in `levels` ([lints]; absent means the rule's default),
// its findings graded as configured. `exposed_schemas` are the schemas the Data API serves.
// `origins` (a project with modules, else null) lets a finding name the module that creates
// what a function body names. Without `supabase_rules` the rules marked `supabase` do not run.
std::vector<CheckOutcome> run_lints(const CatalogSnapshot& snapshot, const FunctionAnalyses& analyses,
                                    const LintLevels& levels, const std::vector<std::string>& exposed_schemas,
                                    const ModuleOrigins* origins = nullptr, bool supabase_rules = true);

}  // namespace cora
