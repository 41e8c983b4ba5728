#pragma once
// `diff` end to end, without the command line: the expected schema built from the files, both
// catalogs read, the differences found, each with the file and line that defines the object
// and the way back.

#include <optional>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/diff/compare_schemas.hpp"
#include "cora/diff/expected_schema.hpp"
#include "cora/diff/fix_proof.hpp"
#include "cora/diff/object_sources.hpp"
#include "cora/diff/schema_snapshot.hpp"
#include "cora/migrations/plan.hpp"

namespace cora {

class Connection;
class LocalCluster;

struct DriftOptions {
  std::vector<std::string> schemas;  // [verify] schemas; Supabase's own are never managed
  std::vector<std::string> ignore;   // [diff] ignore
  std::string history_table;
  Timeouts timeouts;
  TargetKind target_kind = TargetKind::detect;  // [target] kind: Supabase's platform rules apply or not
  bool prove_fix = false;                       // diff --sql: try the fix on the files' schema (fix_proof.hpp)
  // diff --sql --new: the parts that fail on the fresh build are written commented out, so the
  // copy of the drifted database runs the others only.
  bool fix_for_migration = false;
};

struct DriftEntry {
  SchemaDifference difference;
  std::optional<SourceLocation> source;
  std::string command;  // the one command that fixes it ("cora-migrate migrate --reapply 7 --force"), or ""
  std::string advice;   // one line: what to do
  std::string sql;      // what restores the files' version (restore_sql)
};

struct DriftReport {
  SchemaSnapshot expected, actual;
  ExpectedSchema expected_schema;
  std::vector<std::string> managed_schemas;
  std::vector<DriftEntry> entries;
  std::vector<std::string> notes;  // e.g. another major version, files not applied yet
  std::size_t target_round_trips = 0;
  std::optional<FixProof> fix_proof;    // with DriftOptions::prove_fix, when there is drift
  std::optional<CopyProof> copy_proof;  // likewise, on a copy of the drifted database

  std::size_t count(DifferenceKind kind) const;
};

// The schemas diff compares: `configured` less Supabase's own (auth, storage, realtime, ...).
std::vector<std::string> managed_schemas(const std::vector<std::string>& configured);

// `files`: in the order a plan applies them. Throws cora::Error (see build_expected_schema) or
// QueryFailed / ConnectionLost.
DriftReport find_drift(Connection& target, LocalCluster& cluster, const std::vector<MigrationFile>& files,
                       const DriftOptions& options);

}  // namespace cora
