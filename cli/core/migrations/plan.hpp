#pragma once
// Pure functions from (files on disk, history in the database) to status and to a plan.

#include <map>
#include <optional>
#include <vector>

#include "migrations/history_record.hpp"
#include "migrations/migration_file.hpp"

namespace cora {

enum class MigrationState {
  applied,     // in history with the same checksum
  pending,     // file not yet applied
  changed,     // applied, but the file's checksum differs from the recorded one
  conflict,    // the version is recorded as applied from a file of another name: this file never ran
  missing,     // applied, but no file has that version any more
  dirty,       // a non-transactional file failed part-way (or is being applied right now)
};

const char* to_string(MigrationState state);

struct StatusEntry {
  std::int64_t version = 0;
  std::string name;
  MigrationState state = MigrationState::pending;
  const MigrationFile* file = nullptr;     // null when missing
  const HistoryRecord* record = nullptr;   // null when pending
  bool out_of_order = false;               // pending, yet below the highest applied version
};

// One entry per version found on disk or in history, in version order.
std::vector<StatusEntry> compute_status(const std::vector<MigrationFile>& files,
                                        const std::vector<HistoryRecord>& history);

// Changed migrations the user asked to run again (migrate --reapply / --reapply-changed).
struct ReapplySelection {
  bool all_changed = false;
  std::vector<std::int64_t> versions;
  // --force: a named version may also be applied and unchanged, to put back by hand-made drift
  // (a function edited in the SQL editor) what its file defines.
  bool force = false;
};

struct Plan {
  std::vector<const MigrationFile*> to_apply;   // in order, re-applies included
  std::map<std::int64_t, std::string> replaces_checksum;  // re-applies: the checksum recorded now
  std::vector<StatusEntry> blockers;           // conflict, changed or dirty: migrate must refuse
  std::vector<StatusEntry> warnings;           // missing files, out-of-order pending files
};

// What `migrate` would do. `target`, when set, must be a version on disk; files after it wait.
// A changed migration named in `reapply` runs again instead of blocking. Throws cora::Error
// (usage) when the target is not a known version or a re-apply names a migration that is not
// changed (with reapply.force: neither changed nor applied).
Plan make_plan(const std::vector<StatusEntry>& status, std::optional<std::int64_t> target,
               const ReapplySelection& reapply = {});

}  // namespace cora
