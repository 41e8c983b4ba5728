#pragma once
// The catalog snapshot read from a live schema in one round trip whatever the number of checks
// or tables: eight catalog queries and the policy-recursion probe sent as one pipeline.

#include <string>
#include <vector>

#include "cora/catalog/catalog_snapshot.hpp"

namespace cora {

class Connection;
struct PipelineStep;
struct SegmentOutcome;

enum class RecursionProbe { skip, run };

// Reads the snapshot; `schemas` limits functions and tables (indexes, policies) to those schemas.
// With RecursionProbe::run, also reads every RLS-enabled table of those schemas as anon and as
// authenticated (with made-up JWT claims), in the same round trip, inside a transaction that is
// rolled back. One round trip. Throws QueryFailed / ConnectionLost.
CatalogSnapshot read_catalog_snapshot(Connection& db, const std::vector<std::string>& schemas,
                                      RecursionProbe probe = RecursionProbe::skip);
// The same read as one segment of a larger round trip (Connection::run_segments), and its
// decoding; a failed probe's transaction block is rolled back on `db`.
std::vector<PipelineStep> catalog_snapshot_steps(const std::vector<std::string>& schemas, RecursionProbe probe);
CatalogSnapshot decode_catalog_snapshot(Connection& db, const SegmentOutcome& outcome, RecursionProbe probe);

}  // namespace cora
