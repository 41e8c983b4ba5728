#pragma once
// `rollback` without a down file: the SQL that takes the schema the files create now back to the
// one the files up to an earlier version create, from the two schemas built on the embedded
// cluster (diff's expected schema, diff's restore SQL), and tried before it is shown: run on the
// newer build inside a transaction that is rolled back, it must leave exactly the older schema.

#include <string>
#include <vector>

#include "cora/diff/drift.hpp"
#include "cora/diff/fix_proof.hpp"

namespace cora {

class LocalCluster;

struct ComputedUndo {
  std::vector<std::string> parts;   // one per difference, in the order they can run
  std::vector<std::string> labels;  // what each part undoes: "extra table public.notes"
  FixProof proof;                   // tried on the newer build: proven when it leaves the older schema
  std::string sql() const;          // the parts, each under its label as a comment
};

// `now`: the files as they are applied, in order; `before`: the same files up to the version to go
// back to. Uses options' schemas, ignore, history_table and timeouts. Throws cora::Error (as
// build_expected_schema: migration_failed with the file and line, local_cluster) or ConnectionLost.
ComputedUndo compute_undo_sql(LocalCluster& cluster, const std::vector<const MigrationFile*>& now,
                              const std::vector<const MigrationFile*>& before, const DriftOptions& options);

}  // namespace cora
