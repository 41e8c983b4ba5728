#include "cora/migrate/rollback_runner.hpp"

#include <fmt/format.h>

#include "cora/config/duration.hpp"
#include "cora/db/connection.hpp"
#include "cora/db/lock_wait.hpp"
#include "cora/db/sqlstate_advice.hpp"
#include "cora/error.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/util/text_position.hpp"
#include "cora/version.hpp"

namespace cora {

namespace {

class RollbackRun {
 public:
  RollbackRun(Connection& db, const HistoryTable& history, const RollbackRunOptions& options)
      : db_(db), history_(history), options_(options) {}

  void set_up_history() {
    MigrateOptions migrate;
    migrate.timeouts = options_.timeouts;
    const auto outcome = db_.run_pipeline(Migrator(db_, history_, migrate).history_setup_steps());
    db_.take_notices();
    if (!outcome.error) return;
    if (outcome.failed_step == 0 && outcome.error->sqlstate == kLockNotAvailable) throw lock_error();
    throw Error(ExitCode::connection,
                "cannot update the history table " + history_.qualified() + ": " +
                    with_sqlstate(outcome.error->message, outcome.error->sqlstate),
                "the database user needs to own the history table; nothing was undone");
  }

  // Transactional steps [first, last): one transaction under the transaction-scoped lock.
  void run_in_one_transaction(const std::vector<RollbackStep>& steps, std::size_t first, std::size_t last) {
    db_.execute_script("BEGIN");
    try {
      take_lock("pg_advisory_xact_lock", true);
      for (std::size_t i = first; i < last; ++i) require_still_applied(steps[i]);
      for (std::size_t i = first; i < last; ++i) {
        const auto started = std::chrono::steady_clock::now();
        set_timeouts(steps[i], true);
        run_statements(steps[i], "nothing was undone: the rollback's transaction was rolled back");
        reset_session();
        record(steps[i], started);
      }
      db_.execute_script("COMMIT");
    } catch (...) {
      db_.rollback_if_in_transaction();
      throw;
    }
  }

  // A transaction=false down file: the session-level lock (the same key: migrate waits for it),
  // each statement committing on its own.
  void run_outside_transaction(const RollbackStep& step) {
    take_lock("pg_advisory_lock", false);
    try {
      require_still_applied(step);
      const auto started = std::chrono::steady_clock::now();
      set_timeouts(step, false);
      run_statements(step, fmt::format("the statements before it ran and stay (no transaction); {} stays recorded as "
                                       "applied: undo the rest by hand, or fix the down file and run rollback again",
                                       display_name(*step.undoes.front())));
      reset_session();
      db_.execute_script("BEGIN");
      record(step, started);
      db_.execute_script("COMMIT");
    } catch (...) {
      db_.rollback_if_in_transaction();
      unlock();
      throw;
    }
    unlock();
  }

 private:
  Error lock_error() const { return migration_lock_wait_exceeded(to_setting_value(options_.timeouts.lock_wait)); }

  void take_lock(const char* function, bool local) {
    try {
      db_.query(fmt::format("SELECT pg_catalog.set_config('lock_timeout', $1, {}), pg_catalog.{}($2)",
                            local ? "true" : "false", function),
                {to_setting_value(options_.timeouts.lock_wait), std::to_string(history_.lock_key())});
    } catch (const QueryFailed& e) {
      if (e.error().sqlstate == kLockNotAvailable) throw lock_error();
      throw;
    }
  }

  void unlock() {
    try {
      db_.query("SELECT pg_catalog.pg_advisory_unlock($1)", {std::to_string(history_.lock_key())});
    } catch (const QueryFailed&) {
      // Released anyway when the session ends, which it does right after.
    }
  }

  // Under the lock: each migration is still applied as planned, or another run got there first.
  void require_still_applied(const RollbackStep& step) {
    for (const auto* file : step.undoes) {
      const auto rows = db_.query(fmt::format("SELECT checksum FROM {} WHERE module = $1 AND version = $2 AND "
                                              "name = $3 AND is_current AND state = 'applied'",
                                              history_.qualified()),
                                  {file->module, std::to_string(file->version), file->name});
      if (rows.rows.size() == 1 && file->matches_checksum(rows.text(0, "checksum"))) continue;
      throw Error(ExitCode::history_conflict,
                  fmt::format("{}: another run changed its history row meanwhile; nothing of this transaction was "
                              "undone",
                              display_name(*file)),
                  "run `cora-migrate status`, then rollback again");
    }
    // And nothing newer arrived between the plan (read before the lock) and now: undoing these
    // under a migration applied meanwhile would leave it on a schema it was never applied to.
    const auto* newest = step.undoes.front();
    for (const auto* file : step.undoes) {
      if (file->version > newest->version) newest = file;
    }
    const auto newer = db_.query(fmt::format("SELECT count(*) FROM {} WHERE module = $1 AND version > $2 AND "
                                             "is_current AND action <> 'included'",
                                             history_.qualified()),
                                 {newest->module, std::to_string(newest->version)});
    if (newer.text(0, "count") != "0") {
      throw Error(ExitCode::history_conflict,
                  fmt::format("a migration newer than {} was applied meanwhile by another run; nothing of this "
                              "transaction was undone",
                              display_name(*newest)),
                  "run `cora-migrate status`, then plan the rollback again");
    }
  }

  void set_timeouts(const RollbackStep& step, bool local) {
    const auto& d = step.prepared.directives;
    db_.query(fmt::format("SELECT pg_catalog.set_config('lock_timeout', $1, {0}), "
                          "pg_catalog.set_config('statement_timeout', $2, {0})",
                          local ? "true" : "false"),
              {to_setting_value(d.lock_timeout.value_or(options_.timeouts.lock_timeout)),
               to_setting_value(d.statement_timeout.value_or(options_.timeouts.statement_timeout))});
  }

  void run_statements(const RollbackStep& step, const std::string& after_failure) {
    const auto& m = step.prepared;
    for (const auto& statement : m.script.statements) {
      try {
        db_.execute_script(m.statement_text(statement));
      } catch (const QueryFailed& e) {
        const auto at = line_column_at(m.file->content, skip_blanks_and_comments(m.file->content, statement.offset));
        throw Error(ExitCode::migration_failed,
                    fmt::format("undoing {}: {}", display_name(*step.undoes.front()),
                                with_sqlstate(e.error().message, e.error().sqlstate)),
                    after_failure)
            .at({m.file->path.string(), at.line, at.column, e.error().sqlstate});
      }
    }
  }

  // Whatever the SQL did to the session must not decide as whom the history rows are written.
  void reset_session() { db_.execute_script("RESET ALL; RESET SESSION AUTHORIZATION; RESET ROLE"); }

  void record(const RollbackStep& step, std::chrono::steady_clock::time_point started) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    for (const auto* file : step.undoes) {
      const std::vector<Param> identity{file->module, std::to_string(file->version), file->name};
      db_.query(fmt::format("UPDATE {} SET is_current = false WHERE module = $1 AND version = $2 AND name = $3 AND "
                            "is_current",
                            history_.qualified()),
                identity);
      // Never current: with the applied row no longer current, every reader finds it not applied.
      db_.query(
          fmt::format("INSERT INTO {} (module, version, name, checksum, state, action, is_current, client, "
                      "duration_ms, tool_version) VALUES ($1, $2, $3, $4, 'applied', 'rollback', false, $5, $6, $7)",
                      history_.qualified()),
          {file->module, std::to_string(file->version), file->name, file->checksum, options_.client,
           std::to_string(ms.count()), std::string(tool_version())});
    }
  }

  Connection& db_;
  const HistoryTable& history_;
  const RollbackRunOptions& options_;
};

}  // namespace

void run_rollback(Connection& db, const HistoryTable& history, const std::vector<RollbackStep>& steps,
                  const RollbackRunOptions& options, bool setup_history,
                  const std::function<void(const RollbackStep&)>& undone) {
  RollbackRun run(db, history, options);
  if (setup_history) run.set_up_history();
  std::size_t i = 0;
  while (i < steps.size()) {
    if (!steps[i].prepared.directives.transaction) {
      run.run_outside_transaction(steps[i]);
      undone(steps[i]);
      ++i;
      continue;
    }
    std::size_t last = i;
    while (last < steps.size() && steps[last].prepared.directives.transaction) ++last;
    run.run_in_one_transaction(steps, i, last);
    for (; i < last; ++i) undone(steps[i]);
  }
}

}  // namespace cora
