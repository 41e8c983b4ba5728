#pragma once
// Each finding points at the file that made its object: the migration (module, file, line) of
// the last statement that created or altered the table, view, index, policy or function a check
// or lint speaks about, from the parsed files (diff's ObjectSources). An object no file creates
// was made outside the migrations: drift, which `diff` lists.

#include <string>
#include <vector>

#include "cora/db/history_record.hpp"
#include "cora/diff/later_change.hpp"
#include "cora/diff/object_sources.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

// The files themselves, for what a next step may ask: their states against the history, and
// whether running one again would undo a later one.
struct SourceFiles {
  const std::vector<MigrationFile>* files = nullptr;  // in apply order
  TouchedObjects touched;                             // touched_objects() of the same files
  bool has_modules = false;
};

// Sets `source` on every outcome whose subject is such an object: checks of kind table, index,
// policy and function, and lints whose rule names a subject kind (lint_rules.hpp). Probes,
// roles and lints about no object are left alone. With `files` and `history`, each file's state
// is compute_status's (pending, dirty, conflict...); without `history`, every file is taken as
// applied.
void attribute_outcomes(std::vector<CheckOutcome>& outcomes, const ObjectSources& sources,
                        const SourceFiles* files = nullptr, const std::vector<HistoryRecord>* history = nullptr);

// The exact next step for a failed outcome about `origin`'s object, naming the file, its line and
// the command: edit and re-run a rerunnable or snapshot file, add a new migration when the file
// may not run twice, run migrate when it has not run yet, or create the object when no file does.
std::string fix_advice(const ObjectOrigin& origin, const std::string& subject);

// "migrations/007-x.sql:12", with "MODULE: " before it in a project with modules.
std::string describe_origin(const ObjectOrigin& origin);

// What the reports say about an object no migration file creates.
std::string no_file_creates(const std::string& subject);

}  // namespace cora
