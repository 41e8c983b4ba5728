#pragma once
// Running a rollback: each step's SQL (a down file, or SQL computed from the files) and, for each
// migration it undoes, a "rollback" row in history, under the lock migrate takes. Consecutive
// transactional steps share one transaction: all of them are undone, or none. A down file with
// `-- cora-migrate: transaction=false` runs as such an up file does: statement by statement,
// outside a transaction, on one server session (the migration lock then held by that session).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/db/history_table.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

class Connection;

struct RollbackStep {
  std::vector<const MigrationFile*> undoes;  // newest first; their history rows must still be current
  bool computed = false;                     // false: `source` is the down file
  // What runs: the down file as read, or the computed SQL as a file of its own (named after the
  // newest migration it undoes) so that errors say file and line alike.
  std::unique_ptr<MigrationFile> source;
  PreparedMigration prepared;                     // `source` split into statements, its directives read
  std::vector<DestructiveStatement> destructive;  // its statements that destroy data
};

struct RollbackRunOptions {
  Timeouts timeouts;
  std::string client;  // recorded in history
};

// Runs `steps` in order. `setup_history`: the history table's helpers are of another revision
// (their set-up also widens the table's actions to "rollback"). `undone` is told after each
// commit. Throws cora::Error: lock_timeout (exit 7), history_conflict (another run changed a row
// meanwhile: nothing of that transaction was undone), migration_failed with the file and line.
void run_rollback(Connection& db, const HistoryTable& history, const std::vector<RollbackStep>& steps,
                  const RollbackRunOptions& options, bool setup_history,
                  const std::function<void(const RollbackStep&)>& undone);

}  // namespace cora
