#pragma once
// Applying migrations: each pending file and its history row in one transaction, sent in one
// round trip, serialised by a transaction-scoped advisory lock so that concurrent runs never
// apply a file twice and transaction poolers (which hand each transaction to any server
// connection) cannot strand a lock.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/db/connection.hpp"
#include "cora/db/history_table.hpp"
#include "cora/db/supabase_history.hpp"
#include "cora/migrate/apply_batches.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

struct MigrateOptions {
  std::optional<std::string> target;  // a selector (see find_migration)
  ReapplySelection reapply;
  Timeouts timeouts;
  std::string client;                // "os-user@host", recorded in history
  bool siblings_allowed = false;     // modules: several files of a module may share a version
  bool allow_destructive = false;    // re-run a changed schema file that drops or deletes data
  std::vector<std::string> modules;  // modules in scope whose history counts even without files (disabled ones)
  PipelineSettings pipeline;         // [migrate]: files per pipeline
};

// History rows of the modules `files` come from (and of `modules`): --module and disabled
// modules leave the others' rows out of status and plan.
std::vector<HistoryRecord> records_in_scope(const std::vector<MigrationFile>& files,
                                            const std::vector<HistoryRecord>& history,
                                            const std::vector<std::string>& modules = {});

// Told about progress, for output; the migrator itself prints nothing.
class MigrateObserver {
 public:
  virtual ~MigrateObserver() = default;
  virtual void starting(const MigrationFile& /*file*/, std::size_t /*index*/, std::size_t /*total*/) {}
  virtual void applied(const MigrationFile& /*file*/, bool /*reapplied*/, std::chrono::milliseconds /*elapsed*/) {}
  virtual void applied_by_other_run(const MigrationFile& /*file*/) {}
  virtual void notice(const MigrationFile& /*file*/, const std::string& /*message*/) {}
  // After a failure: a pending file this run did not apply (the run stops at its first failure).
  virtual void not_run(const MigrationFile& /*file*/) {}
};

// What would run, checked offline: the plan's files prepared, in order.
struct PreparedPlan {
  std::vector<HistoryRecord> history;           // every current row
  std::vector<HistoryRecord> history_in_scope;  // the rows of the modules in scope: `status` points into it
  bool history_table_exists = false;
  bool history_needs_setup = true;  // table or this version's helper functions missing
  // The Supabase CLI's history, counted in the history read's round trip (for migrate's
  // refuse_unadopted_supabase_history).
  SupabaseHistoryCount supabase_history;
  // No enabled event trigger, and no pg_temp in the session's search_path: DDL runs no code of
  // anyone's and creates nothing temporary unasked. Read in the same round trip.
  bool ddl_runs_no_user_code = false;
  std::vector<StatusEntry> status;
  Plan plan;
  std::vector<PreparedMigration> migrations;  // one per plan.to_apply
};

struct MigrateResult {
  std::vector<const MigrationFile*> applied;  // re-applies included
  std::vector<const MigrationFile*> applied_by_other_run;
  std::vector<StatusEntry> warnings;
};

// A file to record without running it, and the action to record ("baseline", "adopt", "included", "import").
struct RecordWithoutRunning {
  const MigrationFile* file;
  const char* action;
};

class Migrator {
 public:
  Migrator(Connection& db, HistoryTable history, MigrateOptions options);

  // Reads history (and counts the Supabase CLI's, in the same round trip) and builds the plan;
  // every file to apply is parsed (syntax errors are reported
  // here, before anything runs). Throws cora::Error (history_conflict) when changed or dirty
  // migrations block migrate. Does not write.
  PreparedPlan prepare(const std::vector<MigrationFile>& files);

  // Applies the prepared plan. Throws cora::Error: migration_failed (rolled back),
  // lock_timeout, history_conflict, interrupted.
  MigrateResult apply(PreparedPlan& prepared, MigrateObserver& observer);

  // Records `files` as applied without running them (action "baseline" or "adopt"), all in one
  // transaction and one round trip. Throws cora::Error (lock_timeout, history_conflict).
  void record_without_running(const std::vector<RecordWithoutRunning>& files, bool needs_setup);

  // Clears the dirty state of `version`: pending again, or (mark_applied) recorded as applied.
  // Throws cora::Error (usage) when the version is not dirty, or is being applied right now.
  void repair(const std::vector<MigrationFile>& files, const std::string& selector, bool mark_applied);

  // Records `file`'s checksum now as applied in place of `recorded_checksum` (repair
  // --accept-checksum): its current row is kept, no longer current, and a row with the action
  // "accept" follows it. Returns that row's id. Throws cora::Error (history_conflict) when the
  // current row no longer has `recorded_checksum` (another run changed it meanwhile).
  std::int64_t accept_checksum(const MigrationFile& file, const std::string& recorded_checksum);

  // The statements `apply` sends first when the history table does not exist yet, for --dry-run.
  std::vector<PipelineStep> history_setup_steps() const;
  // How `apply` groups the plan's files into pipelines.
  std::vector<ApplyBatch> batches(const PreparedPlan& prepared) const;
  // The exact statements `apply` sends for one migration, for --dry-run. `after`: the file sent
  // just before it in the same pipeline, which must be applied for this one to run.
  std::vector<PipelineStep> transactional_steps(const PreparedMigration& m,
                                                const PreparedMigration* after = nullptr) const;
  std::vector<PipelineStep> non_transactional_steps(const PreparedMigration& m) const;
  // Whether `step` of the two above is the session reset that keeps one file's session state
  // from the next (not the file's SQL, nor a history write): --dry-run --format sql folds them.
  static bool is_session_reset(const PipelineStep& step);

 private:
  PipelineStep preamble(const PreparedMigration& m, const PreparedMigration* after = nullptr) const;
  PipelineStep history_insert(const PreparedMigration& m, const char* state) const;
  PlanOptions plan_options() const;
  static std::vector<PipelineStep> session_reset_steps();
  static std::size_t session_reset_count(const PreparedMigration& m);
  static std::vector<Param> identity_params(const MigrationFile& file);
  PipelineStep finish_non_transactional() const;
  void preamble_failed(const PreparedMigration& m, const ServerError& e) const;
  void mark_dirty(const PreparedMigration& m, const std::string& reason);
  bool apply_transactional(const PreparedMigration& m);
  bool transactional_failed(const PreparedMigration& m, std::size_t steps, std::size_t step, const ServerError& e);
  void apply_batch(const PreparedPlan& prepared, const ApplyBatch& batch, MigrateObserver& observer,
                   MigrateResult& result);
  bool apply_non_transactional(const PreparedMigration& m);
  void ensure_history_table();
  [[noreturn]] void fail(const PreparedMigration& m, std::size_t statement_index, const ServerError& e,
                         const std::string& extra_hint = {}) const;
  std::string invalid_index_hint(const SqlStatement& statement);
  void refuse_session_work_through_pooler(const PreparedPlan& prepared) const;
  std::string direct_connection_hint() const;

  Connection& db_;
  HistoryTable history_;
  MigrateOptions options_;
  // Index into the plan of the first file not run should the run stop now (what follows a failure).
  std::size_t first_not_run_ = 0;
  // The extensions the embedded cluster lets `postgres` create (privileged_extensions.hpp), read
  // by prepare when a file creates one.
  std::set<std::string> privileged_extensions_;
};

}  // namespace cora
