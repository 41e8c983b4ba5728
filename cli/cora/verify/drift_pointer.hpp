#pragma once
// A failed check on a schema object is often drift: the files define the object right and the
// database was changed by hand. Such findings point at `diff`, which names the file and line
// and prints the command that restores the files' version.

#include <vector>

#include "cora/checks/outcome.hpp"

namespace cora {

inline constexpr const char* kDriftPointer =
    "if the migration files define it right, the database drifted from them: `cora-migrate diff` names the file "
    "and the command that restores it";

// Appends kDriftPointer to the fix of every error about a table, index, policy or function, and
// of the unresolved_relation and invalid_index lints. Probes and roles are left alone: no file
// defines what a probe observes; so is an object the files were read for and no file creates
// (its source says so): "if the files define it right" would contradict that.
void point_drift_findings_at_diff(std::vector<CheckOutcome>& outcomes);

}  // namespace cora
