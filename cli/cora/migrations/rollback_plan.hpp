#pragma once
// What `rollback --to VERSION` undoes, and which of its statements destroy data. Pure.

#include <string>
#include <vector>

#include "cora/migrations/plan.hpp"

namespace cora {

// The applied migrations of one module after `to` (a selector, see find_migration; "0": every
// one), newest first. `status`: compute_status of that module's files and history rows.
// Throws cora::Error: usage when `to` names no file; history_conflict when a migration to undo
// is changed, dirty, recorded under another file's name, recorded without a file, or came with
// its module's schema/ snapshot (rollback undoes deltas applied one by one).
std::vector<const StatusEntry*> select_rollback(const std::vector<StatusEntry>& status,
                                                const std::vector<MigrationFile>& files, const std::string& to);

// The statements of `sql` that destroy data: DROP TABLE, TRUNCATE, DELETE without WHERE, DROP
// OWNED, a DROP ... CASCADE that may take tables or columns with it (as migrate's re-run guard
// says), and ALTER TABLE ... DROP COLUMN and ... ALTER COLUMN ... TYPE (a new type may not keep
// every value). `line` is counted in `sql`. A text that does not parse has none here: running
// it reports the syntax error.
std::vector<DestructiveStatement> data_destroying_statements(const std::string& sql);

}  // namespace cora
