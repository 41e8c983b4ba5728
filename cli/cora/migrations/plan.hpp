#pragma once
// Pure functions from (files on disk, history in the database) to status and to a plan.
//
// A migration's identity is module + version + name. A module's schema/ files (snapshots) are its
// current state: on a database without the module they are applied and its migrations/ deltas
// are recorded as included; on a database that has it, pending deltas run first, then each
// schema file that changed runs again. A project without modules has one module, "", of deltas.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cora/db/history_record.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

enum class MigrationState {
  applied,   // in history with the same checksum
  pending,   // file not yet applied
  changed,   // applied, but the file's checksum differs from the recorded one
  conflict,  // the version is recorded as applied from a file of another name: this file never ran
  missing,   // applied, but no file has that version any more
  dirty,     // a non-transactional file failed part-way (or is being applied right now)
};

const char* to_string(MigrationState state);

struct StatusEntry {
  std::string module;
  std::int64_t version = 0;
  std::string name;
  MigrationState state = MigrationState::pending;
  FileRole role = FileRole::delta;
  const MigrationFile* file = nullptr;    // null when missing
  const HistoryRecord* record = nullptr;  // null when pending
  bool out_of_order = false;              // pending, yet before a file of its folder already applied
};

// "snapshot", "delta", or "included" for a delta recorded as part of its module's snapshot.
const char* role_text(const StatusEntry& entry);

// One entry per file on disk or current history row, grouped by module in the files' order;
// within a module, its files in order, then history rows no file has.
std::vector<StatusEntry> compute_status(const std::vector<MigrationFile>& files,
                                        const std::vector<HistoryRecord>& history);

// Migrations the user asked to run again (migrate --reapply / --reapply-changed), named as
// selectors (see find_migration).
struct ReapplySelection {
  bool all_changed = false;
  std::vector<std::string> selectors;
  // --force: a named migration may also be applied and unchanged, to put back by hand-made drift
  // (a function edited in the SQL editor) what its file defines.
  bool force = false;
};

// How every help text and hint writes a selector, the words a command line names a migration by.
inline constexpr const char* kSelectorForms = "VERSION, FILE-NAME or MODULE:VERSION";

// The file a selector names: "VERSION" or "FILE-NAME" (with or without .sql), optionally after
// "MODULE:". Throws cora::Error (usage) when none or several files match, naming `what`.
const MigrationFile& find_migration(const std::vector<MigrationFile>& files, const std::string& selector,
                                    const std::string& what);

// How a command line names `file` so that find_migration finds it: "007", as its name writes it, or
// "module-access:007-auth-events" in a project with modules.
std::string selector_of(const MigrationFile& file);

// A statement that destroys data when its file runs again.
struct DestructiveStatement {
  int line = 0;
  // "DROP TABLE", "TRUNCATE", "DELETE without WHERE", "DROP OWNED", "DROP TYPE s.t CASCADE" (on a
  // live database: ", which would drop column public.orders.status")
  std::string action;

  std::string text() const { return "line " + std::to_string(line) + ": " + action; }
};

struct PlanOptions {
  std::optional<std::string> target;  // a selector: files after it wait
  ReapplySelection reapply;
  bool allow_destructive = false;
  // The first statement of a file that destroys data when re-run (DROP TABLE, TRUNCATE, DELETE
  // without WHERE, a DROP ... CASCADE that takes columns or tables with it): a file with one is not run again (a changed schema file, or one named by
  // --reapply / --reapply-changed) without allow_destructive. Unset: no file is destructive.
  std::function<std::optional<DestructiveStatement>(const MigrationFile&)> destructive_statement;
};

struct Blocker {
  StatusEntry entry;
  // Set when a re-run is held back for this statement: a changed schema file, or a file the
  // user asked to re-apply (`requested`).
  std::optional<DestructiveStatement> destructive;
  bool requested = false;
};

struct Plan {
  std::vector<const MigrationFile*> to_apply;                     // in order, re-runs included
  std::map<const MigrationFile*, std::string> replaces_checksum;  // re-runs: the checksum recorded now
  // A module's first snapshot file -> the deltas to record with it as included.
  std::map<const MigrationFile*, std::vector<const MigrationFile*>> included_with;
  std::vector<Blocker> blockers;      // conflict, changed, dirty, destructive: migrate must refuse
  std::vector<StatusEntry> warnings;  // missing files, out-of-order pending files
  // What migrate would do with each file: "apply", "re-run (changed)", "record as included".
  std::map<const MigrationFile*, std::string> next;
};

// What `migrate` would do. Throws cora::Error (usage) when the target or a re-apply names no
// migration, or a re-apply names one that is not changed.
Plan make_plan(const std::vector<StatusEntry>& status, const std::vector<MigrationFile>& files,
               const PlanOptions& options = {});

}  // namespace cora
