#pragma once
// Pure: (declared checks, catalog snapshot) -> one outcome per check.

#include <map>
#include <string>
#include <vector>

#include "cora/catalog/catalog_snapshot.hpp"
#include "cora/checks/check_model.hpp"
#include "cora/sql/function_references.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

// An expression a check states (index predicate, column default, generated expression), to be
// put in PostgreSQL's normalised form, on a temporary copy of `table`, before it is compared.
struct ExpressionToNormalise {
  enum class Kind { index_predicate, column_default, generated_column };
  std::string key;  // see expression_key()
  Kind kind = Kind::index_predicate;
  std::string table;        // schema.name
  std::string column_type;  // for defaults and generated columns
  std::string expression;
};

// Normalised text by key; a value starting with "error: " says why the server refused it.
using NormalisedExpressions = std::map<std::string, std::string>;

std::string expression_key(ExpressionToNormalise::Kind kind, const std::string& subject);

// What evaluate_checks will want normalised, for the checks whose objects exist.
std::vector<ExpressionToNormalise> expressions_to_normalise(const CheckSet& checks, const CatalogSnapshot& snapshot);

// What each PL/pgSQL or SQL function's body references, by "schema.name(identity arguments)",
// analysed once for all checks and lints.
using FunctionAnalyses = std::map<std::string, BodyAnalysis>;
FunctionAnalyses analyse_functions(const CatalogSnapshot& snapshot);
std::string signature_of(const FunctionFact& f);

// Outcomes of table, index, policy, function and role checks (probes run separately).
std::vector<CheckOutcome> evaluate_checks(const CheckSet& checks, const CatalogSnapshot& snapshot,
                                          const NormalisedExpressions& expressions, const FunctionAnalyses& analyses);

// The search path a function's body runs with: its pinned setting, else the session's.
std::vector<std::string> function_search_path(const FunctionFact& f, const std::string& session_search_path);

}  // namespace cora
