#pragma once
// The parts of verify that need the server to do more than answer catalog queries: probes
// (statements run as a role, always rolled back) and normalising the expressions checks state.

#include <vector>

#include "cora/checks/check_model.hpp"
#include "cora/checks/evaluate_checks.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

class Connection;

// Runs every probe inside one transaction that is rolled back at the end (and by the server
// if we die), each under its own savepoint, role and JWT claims. One round trip for them all.
std::vector<CheckOutcome> run_probes(Connection& db, const std::vector<ProbeCheck>& probes);

// PostgreSQL's own normalised text of each expression (what pg_get_expr prints), obtained by
// building the index, default or generated column on a temporary copy of its table in a
// transaction that is rolled back. One round trip when every expression is valid; an invalid
// one costs one more and is reported as "error: ...".
NormalisedExpressions normalise_expressions(Connection& db, const std::vector<ExpressionToNormalise>& expressions);

struct LiveCheckResults {
  NormalisedExpressions expressions;
  std::vector<CheckOutcome> probes;
};

// Both of the above in one round trip (one pipeline: the normalising transaction, then the
// probes' one); an unreadable expression costs the extra round trips normalise_expressions takes.
LiveCheckResults run_live_checks(Connection& db, const std::vector<ExpressionToNormalise>& expressions,
                                 const std::vector<ProbeCheck>& probes);

}  // namespace cora
