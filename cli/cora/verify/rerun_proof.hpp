#pragma once
// The re-run proof (`verify --scratch --rerun`): on a database built from every file, each file
// that must be safe to run twice is run a second time, as `migrate --reapply ... --force` would
// run it, and whatever that breaks is reported: the file fails, the catalog changes (diff's
// snapshot and comparison), a table's row count changes, or a table is dropped and created again
// (its rows would be lost on a database that has some).

#include <string>
#include <utility>
#include <vector>

#include "cora/migrate/migrator.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

class LocalCluster;

// The files a re-run proof runs again, in the order they apply, and those it leaves out.
struct RerunSelection {
  std::vector<const MigrationFile*> files;
  std::vector<std::pair<const MigrationFile*, std::string>> skipped;  // with the reason
};

// With modules: every schema/ snapshot file (migrate runs one again whenever it changes). In one
// folder: every file (--reapply accepts any applied file) but those a later file changes (it
// drops or redefines an object they define: running them again would undo that file, which diff
// never proposes either). `selectors` (as --reapply names files) choose the files instead.
// Throws cora::Error (usage) for a selector that names no file.
RerunSelection rerunnable_files(const std::vector<MigrationFile>& files, bool has_modules,
                                const std::vector<std::string>& selectors);

struct RerunProofOptions {
  std::vector<std::string> schemas;  // compared, as verify inspects them ([verify] schemas)
  std::string history_table;
  MigrateOptions migrate;  // as the files were applied (timeouts, modules, client)
};

struct RerunProof {
  std::vector<CheckOutcome> outcomes;  // kind "rerun": one passing outcome per file, or one per problem
  std::size_t files = 0;               // files run a second time
};

// `built`: a database on `cluster` holding `files` applied in order, with no session open on it.
// Each file of `reruns` runs again on a copy of `built` of its own (so one file's damage does not
// hide or cause another's), which is dropped afterwards; `built` is left as it is. Throws
// cora::Error for anything but the file failing (connection, local_cluster).
// Each skipped file is a passing outcome that says why it did not run (as `silenced`).
RerunProof prove_reruns(const LocalCluster& cluster, const std::string& built, const std::vector<MigrationFile>& files,
                        const RerunSelection& reruns, const RerunProofOptions& options);

}  // namespace cora
