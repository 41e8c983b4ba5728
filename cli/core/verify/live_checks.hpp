#pragma once
// The parts of verify that need the server to do more than answer catalog queries: probes
// (statements run as a role, always rolled back) and normalising index predicates.

#include <vector>

#include "verify/check_model.hpp"
#include "verify/evaluate_checks.hpp"
#include "verify/outcome.hpp"

namespace cora {

class Connection;

// Runs every probe inside one transaction that is rolled back at the end (and by the server
// if we die), each under its own savepoint, role and JWT claims. One round trip per probe,
// plus one more after a probe that fails.
std::vector<CheckOutcome> run_probes(Connection& db, const std::vector<ProbeCheck>& probes);

// PostgreSQL's own normalised text of each index check's `where`, obtained by building the
// index on a temporary copy of its table in a transaction that is rolled back. One round trip
// when all predicates are valid.
NormalisedPredicates normalise_predicates(Connection& db, const std::vector<IndexCheck>& indexes,
                                          const CatalogSnapshot& snapshot);

}  // namespace cora
