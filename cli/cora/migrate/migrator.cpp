#include "cora/migrate/migrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <thread>

#include "cora/config/duration.hpp"
#include "cora/db/interrupt.hpp"
#include "cora/db/lock_wait.hpp"
#include "cora/db/sqlstate_advice.hpp"
#include "cora/error.hpp"
#include "cora/migrate/cascade_guard.hpp"
#include "cora/migrate/failure_mapping.hpp"
#include "cora/migrate/privileged_extensions.hpp"
#include "cora/util/text_position.hpp"
#include "cora/version.hpp"

namespace cora {

namespace {

// Raised by our own preamble when another run applied the version while we waited for the lock.
constexpr const char* kAppliedElsewhere = "CM001";
// Raised by our own preamble when another run recorded a different file under the version.
constexpr const char* kRecordedByOtherFile = "CM002";
// Raised by our own preamble when another run was still applying this file outside a
// transaction once lock_wait ran out, and when that run is gone and left the file dirty.
constexpr const char* kStillRunningElsewhere = "CM005";
constexpr const char* kLeftDirtyElsewhere = "CM006";

// How often a run waiting for another run's transaction=false file reads the history again.
constexpr std::chrono::milliseconds kRunningPoll{200};

Error still_running_elsewhere(const std::string& path, const std::string& lock_wait) {
  return Error(ExitCode::migration_running,
               fmt::format("{}: another run was still applying it (outside a transaction) after lock_wait ({})", path,
                           lock_wait),
               "nothing of it, or of the files after it, ran here; wait for that run to finish (`cora-migrate status` "
               "shows it as running), or raise [timeouts] lock_wait");
}

Error left_dirty_elsewhere(const MigrationFile& file) {
  return Error(ExitCode::history_conflict,
               fmt::format("{}: dirty: another run started it outside a transaction and stopped part-way",
                           file.path.string()),
               fmt::format("finish or undo the file's statements by hand, then run `cora-migrate repair {}`",
                           selector_of(file)));
}

// The first blocker, when it is only another run applying a transaction=false file right now.
const Blocker* running_elsewhere(const Plan& plan) {
  if (plan.blockers.empty()) return nullptr;
  const Blocker& first = plan.blockers.front();
  const auto& entry = first.entry;
  const bool running =
      !first.destructive && entry.state == MigrationState::dirty && entry.record && entry.record->running_session_alive;
  return running ? &first : nullptr;
}

// Steps before the file's own statements in a transactional pipeline: BEGIN and the preamble.
// After them come the session resets, the history row(s) and COMMIT.
constexpr std::size_t kStepsBefore = 2;

// History keeps a file's name without its number: say it as the file would be named, with this
// file's version prefix ("001-add-teams.sql").
std::string file_name_of_recorded(const MigrationFile& file, const std::string& recorded_name) {
  const std::size_t prefix = file.file_name.size() - file.name.size() - std::string_view(".sql").size();
  return file.file_name.substr(0, prefix) + recorded_name + ".sql";
}

// How a command line names this migration: "007" as its file name writes it, or
// "module-access:007-auth-events" with modules.
std::string selector_of(const StatusEntry& entry) {
  if (entry.file) return cora::selector_of(*entry.file);
  if (entry.module.empty()) return std::to_string(entry.version);
  return fmt::format("{}:{}", entry.module, entry.version);
}

std::string describe_blocker(const Blocker& blocker) {
  const StatusEntry& entry = blocker.entry;
  const std::string file =
      entry.file ? entry.file->path.string()
                 : (entry.module.empty() ? "" : entry.module + ": ") + fmt::format("version {}", entry.version);
  if (blocker.destructive) {
    // Named by the statement's own file:line, so an editor jumps to it.
    return fmt::format("{}:{}: {}: {} would destroy data", file, blocker.destructive->line, blocker.destructive->action,
                       blocker.requested ? "running this file again (--reapply)"
                                         : "the schema file changed, and running it again");
  }
  if (entry.state == MigrationState::conflict) {
    return fmt::format(
        "{}: version {} is recorded as applied from another file, {} (on {}, checksum {}); this file "
        "(checksum {}) never ran",
        file, entry.version, file_name_of_recorded(*entry.file, entry.record->name), entry.record->applied_at,
        entry.record->checksum.substr(0, 12), entry.file->checksum.substr(0, 12));
  }
  if (entry.state == MigrationState::changed) {
    return fmt::format("{}: changed since it was applied on {} (checksum {} in history, {} on disk)", file,
                       entry.record->applied_at, entry.record->checksum.substr(0, 12),
                       entry.file->checksum.substr(0, 12));
  }
  if (entry.record->running_session_alive) {
    return fmt::format("{}: another run was still applying it (outside a transaction) after lock_wait", file);
  }
  return fmt::format("{}: dirty: it ran outside a transaction and failed part-way ({})", file,
                     entry.record->error.empty() ? "no error recorded" : entry.record->error);
}

std::string blocker_hint(const Blocker& blocker) {
  const StatusEntry& entry = blocker.entry;
  if (blocker.destructive && blocker.destructive->action.find(" CASCADE") != std::string::npos) {
    return "if that is what you want, add --allow-destructive; otherwise drop it without CASCADE (PostgreSQL then "
           "refuses while anything uses it) or create it only when missing, and put the change in a new migration";
  }
  if (blocker.destructive) {
    return "if that is what you want, add --allow-destructive; otherwise make the statement re-runnable "
           "(e.g. CREATE TABLE IF NOT EXISTS instead of DROP TABLE) and put the change in a new migration";
  }
  if (entry.state == MigrationState::conflict) {
    if (entry.file->matches_checksum(entry.record->checksum)) {
      return fmt::format("the file has the content that was applied as {}: give it that name back",
                         file_name_of_recorded(*entry.file, entry.record->name));
    }
    return fmt::format(
        "two files share version {}: give this one a version of its own (rename it after the newest "
        "migration), then run migrate again",
        entry.version);
  }
  if (entry.state == MigrationState::changed) {
    return fmt::format(
        "if only comments or whitespace changed, `cora-migrate repair --accept-checksum {0}` shows the change and "
        "records the new checksum; if the file is safe to run twice, run it again with `cora-migrate migrate "
        "--reapply {0}`; otherwise restore the applied version and put the change in a new migration",
        selector_of(entry));
  }
  if (entry.record->running_session_alive) {
    return "nothing ran; wait for that run to finish (`cora-migrate status` shows it as running), or raise [timeouts] "
           "lock_wait";
  }
  return "finish or undo the file's statements by hand, then run `cora-migrate repair " + selector_of(entry) + "`";
}

// Whether DDL can run anyone's code here (an enabled event trigger), or create something
// temporary unasked (pg_temp on the search_path the session starts with).
PipelineStep ddl_runs_no_user_code_step() {
  return {
      "SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D') AND "
      "pg_catalog.current_setting('search_path') !~* 'pg_temp' AS neutral",
      {}};
}

// A file's session reset is left out only when nothing before it in this run, and nothing in
// it, can have changed the session: a file that can (a DO block, a SET, a SELECT calling
// anything) might also have created an event trigger that runs on every later file's DDL.
void decide_session_resets(PreparedPlan& prepared) {
  bool clean_so_far = prepared.ddl_runs_no_user_code;
  for (auto& m : prepared.migrations) {
    const bool neutral =
        m.directives.transaction && std::all_of(m.script.statements.begin(), m.script.statements.end(),
                                                [](const SqlStatement& s) { return s.leaves_session_unchanged; });
    clean_so_far = clean_so_far && neutral;
    m.reset_session = !clean_so_far;
  }
}

}  // namespace

Migrator::Migrator(Connection& db, HistoryTable history, MigrateOptions options)
    : db_(db), history_(std::move(history)), options_(std::move(options)) {}

PlanOptions Migrator::plan_options() const {
  PlanOptions plan;
  plan.target = options_.target;
  plan.reapply = options_.reapply;
  plan.allow_destructive = options_.allow_destructive;
  // Asked of the database: what a DROP ... CASCADE takes with it depends on what uses the object now.
  plan.destructive_statement = [this](const MigrationFile& file) { return destructive_statement_now(db_, file); };
  return plan;
}

std::vector<HistoryRecord> records_in_scope(const std::vector<MigrationFile>& files,
                                            const std::vector<HistoryRecord>& history,
                                            const std::vector<std::string>& modules) {
  std::vector<HistoryRecord> out;
  for (const auto& r : history) {
    const bool listed = std::find(modules.begin(), modules.end(), r.module) != modules.end();
    const bool has_files =
        std::any_of(files.begin(), files.end(), [&](const MigrationFile& f) { return f.module == r.module; });
    if (listed || has_files) out.push_back(r);
  }
  return out;
}

PreparedPlan Migrator::prepare(const std::vector<MigrationFile>& files) {
  PreparedPlan prepared;
  // Another run applying a transaction=false file right now is waited for, up to lock_wait (as
  // its migration lock would be): once it finishes, the plan is made again from what it did.
  const auto lock_wait = options_.timeouts.lock_wait;
  const auto wait_until = std::chrono::steady_clock::now() + lock_wait;
  std::optional<InterruptWatch> watch;  // SIGINT/SIGTERM end the wait, once there is one
  for (;;) {
    auto reads =
        db_.run_segments({history_.read_steps(), {supabase_history_count_step()}, {ddl_runs_no_user_code_step()}});
    auto history = history_.decode_read(reads.at(0).results, reads.at(0).error);
    prepared.supabase_history = decode_supabase_history_count(reads.at(1));
    prepared.ddl_runs_no_user_code = !reads.at(2).error && reads.at(2).results.at(0).text(0, "neutral") == "t";
    prepared.history_table_exists = history.records.has_value();
    prepared.history_needs_setup = !history.records || !history.helpers_installed;
    prepared.history = history.records.value_or(std::vector<HistoryRecord>{});
    prepared.history_in_scope = records_in_scope(files, prepared.history, options_.modules);
    prepared.status = compute_status(files, prepared.history_in_scope);
    prepared.plan = make_plan(prepared.status, files, plan_options());
    if (!running_elsewhere(prepared.plan)) break;
    if (lock_wait.count() > 0 && std::chrono::steady_clock::now() >= wait_until) break;
    if (!watch) watch.emplace(db_);
    if (interrupted()) {
      throw Error(ExitCode::interrupted, "interrupted while waiting for another run's migration to finish",
                  "nothing was applied");
    }
    std::this_thread::sleep_for(kRunningPoll);
  }
  if (!prepared.plan.blockers.empty()) {
    const auto& first = prepared.plan.blockers.front();
    const std::string more =
        prepared.plan.blockers.size() > 1
            ? fmt::format(" (and {} more; see `cora-migrate status`)", prepared.plan.blockers.size() - 1)
            : "";
    const auto code = first.entry.state == MigrationState::conflict ? ExitCode::version_conflict
                      : running_elsewhere(prepared.plan)            ? ExitCode::migration_running
                                                                    : ExitCode::history_conflict;
    throw Error(code, describe_blocker(first) + more, blocker_hint(first));
  }
  prepared.migrations.reserve(prepared.plan.to_apply.size());
  for (const MigrationFile* file : prepared.plan.to_apply) {
    auto& m = prepared.migrations.emplace_back(prepare_migration(*file));
    if (const auto it = prepared.plan.replaces_checksum.find(file); it != prepared.plan.replaces_checksum.end()) {
      m.replaces_checksum = it->second;
    }
    if (const auto it = prepared.plan.included_with.find(file); it != prepared.plan.included_with.end()) {
      m.records_included = it->second;
    }
  }
  decide_session_resets(prepared);
  const bool creates_extensions =
      std::any_of(prepared.migrations.begin(), prepared.migrations.end(), [](const auto& m) {
        return std::any_of(m.script.statements.begin(), m.script.statements.end(),
                           [](const SqlStatement& s) { return s.extension.has_value(); });
      });
  if (creates_extensions) privileged_extensions_ = read_privileged_extensions(db_);
  return prepared;
}

PipelineStep Migrator::preamble(const PreparedMigration& m, const PreparedMigration* after) const {
  const auto lock_timeout = m.directives.lock_timeout.value_or(options_.timeouts.lock_timeout);
  const auto statement_timeout = m.directives.statement_timeout.value_or(options_.timeouts.statement_timeout);
  PipelineStep step{fmt::format("SELECT {}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                                history_.begin_function()),
                    {m.file->module, std::to_string(m.file->version), m.file->name, m.file->checksum,
                     m.replaces_checksum, std::string(options_.siblings_allowed ? "true" : "false"),
                     std::to_string(history_.lock_key()), to_setting_value(options_.timeouts.lock_wait),
                     to_setting_value(lock_timeout), to_setting_value(statement_timeout)}};
  if (after) {
    for (Param p : {Param(after->file->module), Param(std::to_string(after->file->version)), Param(after->file->name),
                    Param(after->file->checksum)}) {
      step.params.push_back(std::move(p));
    }
  } else {
    step.params.resize(14);
  }
  return step;
}

PipelineStep Migrator::history_insert(const PreparedMigration& m, const char* state) const {
  return {fmt::format("SELECT {}($1, $2, $3, $4, $5, $6, $7, $8)", history_.record_function()),
          {m.file->module, std::to_string(m.file->version), m.file->name, m.file->checksum, std::string(state),
           std::string(m.replaces_checksum ? "reapply" : "apply"), options_.client, std::string(tool_version())}};
}

// Whatever a file did to the session must neither decide as whom, or whether, its history row is
// written (SET ROLE, SET SESSION AUTHORIZATION, RESET ALL) nor reach the next file (settings, temp
// tables, PREPARE, cursors WITH HOLD, LISTEN, session advisory locks, currval). This is what
// DISCARD ALL does, less DISCARD PLANS, inside the file's own transaction: a failed reset rolls
// the file back, the next file of a pipeline refuses to run after it (its preamble finds it
// unrecorded), and through a transaction pooler the reset reaches the very server session the
// file ran on. The history helpers keep their cached plans from file to file, which DISCARD ALL
// would throw away each time. RESET ALL does not reset the role or the session authorization.
// DISCARD SEQUENCES comes last, after the history row, whose id would otherwise be lastval().
std::vector<PipelineStep> Migrator::session_reset_steps() {
  return {{"RESET ALL", {}},
          {"RESET SESSION AUTHORIZATION", {}},
          {"RESET ROLE", {}},
          {"CLOSE ALL", {}},
          {"DEALLOCATE ALL", {}},
          {"UNLISTEN *", {}},
          {"SELECT pg_catalog.pg_advisory_unlock_all()", {}},
          {"DISCARD TEMP", {}}};
}

bool Migrator::is_session_reset(const PipelineStep& step) {
  if (step.sql == "DISCARD SEQUENCES" || step.sql == "DISCARD ALL") return true;
  const auto resets = session_reset_steps();
  return std::any_of(resets.begin(), resets.end(), [&](const PipelineStep& r) { return r.sql == step.sql; });
}

std::vector<Param> Migrator::identity_params(const MigrationFile& file) {
  return {file.module, std::to_string(file.version), file.name};
}

std::size_t Migrator::session_reset_count(const PreparedMigration& m) {
  return m.reset_session ? session_reset_steps().size() : 0;
}

std::vector<PipelineStep> Migrator::transactional_steps(const PreparedMigration& m,
                                                        const PreparedMigration* after) const {
  // A file that cannot have changed the session (decide_session_resets) needs no reset.
  auto resets = m.reset_session ? session_reset_steps() : std::vector<PipelineStep>{};
  std::vector<PipelineStep> steps;
  steps.reserve(kStepsBefore + m.script.statements.size() + resets.size() + 3 + m.records_included.size());
  // A real transaction block, not the pipeline's implicit one: PostgreSQL then refuses COMMIT
  // and ROLLBACK inside CALL and DO (2D000), and LOCK TABLE, DECLARE CURSOR and SET LOCAL work.
  steps.push_back({"BEGIN", {}});
  steps.push_back(preamble(m, after));
  for (const auto& statement : m.script.statements) {
    steps.push_back(statement_step(statement, m.statement_text(statement), privileged_extensions_));
  }
  std::move(resets.begin(), resets.end(), std::back_inserter(steps));
  steps.push_back(history_insert(m, "applied"));
  // A module's first snapshot file also records the deltas its snapshot already contains, in the
  // same transaction: the module is never installed without them.
  for (const MigrationFile* included : m.records_included) {
    PreparedMigration record;
    record.file = included;
    auto step = history_insert(record, "applied");
    step.params.at(5) = std::string("included");
    steps.push_back(std::move(step));
  }
  steps.push_back({"DISCARD SEQUENCES", {}});
  PipelineStep commit{"COMMIT", {}};
  commit.sync_after = true;
  steps.push_back(std::move(commit));
  return steps;
}

std::vector<PipelineStep> Migrator::non_transactional_steps(const PreparedMigration& m) const {
  std::vector<PipelineStep> steps;
  steps.push_back(preamble(m));
  steps.push_back(history_insert(m, "running"));
  const auto lock_timeout = m.directives.lock_timeout.value_or(options_.timeouts.lock_timeout);
  const auto statement_timeout = m.directives.statement_timeout.value_or(options_.timeouts.statement_timeout);
  steps.push_back({fmt::format("SET lock_timeout = '{}'", to_setting_value(lock_timeout)), {}});
  steps.push_back({fmt::format("SET statement_timeout = '{}'", to_setting_value(statement_timeout)), {}});
  for (const auto& statement : m.script.statements) {
    auto step = statement_step(statement, m.statement_text(statement), privileged_extensions_);
    step.discard_rows = false;
    steps.push_back(std::move(step));
  }
  steps.push_back({"DISCARD ALL", {}});
  steps.push_back(finish_non_transactional());
  steps.back().params = identity_params(*m.file);  // for --dry-run; apply passes the same
  return steps;
}

PipelineStep Migrator::finish_non_transactional() const {
  return {
      fmt::format("UPDATE {} SET state = 'applied', error = NULL, duration_ms = (extract(epoch FROM "
                  "pg_catalog.clock_timestamp() - applied_at) * 1000)::integer WHERE module = $1 AND version = $2 AND "
                  "name = $3 AND is_current",
                  history_.qualified()),
      {}};
}

std::vector<PipelineStep> Migrator::history_setup_steps() const {
  std::vector<PipelineStep> steps;
  steps.push_back(
      {fmt::format("SELECT pg_catalog.set_config('lock_timeout', '{}', true), pg_catalog.pg_advisory_xact_lock({})",
                   to_setting_value(options_.timeouts.lock_wait), history_.lock_key()),
       {}});
  for (auto& sql : history_.create_statements()) steps.push_back({std::move(sql), {}});
  return steps;
}

void Migrator::ensure_history_table() {
  const auto outcome = db_.run_pipeline(history_setup_steps());
  // "already exists, skipping" and the like from our own set-up are not the first file's notices.
  db_.take_notices();
  if (outcome.error) {
    if (outcome.failed_step == 0 && outcome.error->sqlstate == kLockNotAvailable) {
      throw migration_lock_wait_exceeded(to_setting_value(options_.timeouts.lock_wait));
    }
    throw Error(ExitCode::connection,  // our own query, refused: README's exit 5, not a migration's failure
                "cannot create the history table " + history_.qualified() + ": " +
                    with_sqlstate(outcome.error->message, outcome.error->sqlstate),
                "the database user needs CREATE on the database (or create the schema for it)");
  }
}

void Migrator::fail(const PreparedMigration& m, std::size_t statement_index, const ServerError& e,
                    const std::string& extra_hint) const {
  throw migration_failure(m, statement_index, e, {extra_hint, interrupted()});
}

// The preamble refused: another run got to this version first, or the lock did not come.
// Returns normally only when the very same file was applied meanwhile.
void Migrator::preamble_failed(const PreparedMigration& m, const ServerError& e) const {
  if (e.sqlstate == kAppliedElsewhere) return;
  if (e.sqlstate == kStillRunningElsewhere) {
    throw still_running_elsewhere(m.file->path.string(), to_setting_value(options_.timeouts.lock_wait));
  }
  if (e.sqlstate == kLeftDirtyElsewhere) throw left_dirty_elsewhere(*m.file);
  if (e.sqlstate == kRecordedByOtherFile) {
    throw Error(ExitCode::version_conflict,
                fmt::format("{}: version {} was recorded meanwhile by another run from another file, {} (checksum {}); "
                            "this file never ran",
                            m.file->path.string(), m.file->version,
                            e.detail.empty() ? "(none)" : file_name_of_recorded(*m.file, e.detail),
                            e.hint.substr(0, 12)),
                fmt::format("two branches use version {}: give this file a version of its own (after the newest "
                            "migration), then run migrate again",
                            m.file->version));
  }
  if (e.sqlstate == kLockNotAvailable) {
    throw migration_lock_wait_exceeded(to_setting_value(options_.timeouts.lock_wait)).at({m.file->path.string()});
  }
  if (e.sqlstate == kQueryCanceled && interrupted()) {
    throw Error(ExitCode::interrupted, fmt::format("interrupted before applying {}", m.file->path.string()),
                "nothing from it was applied; run migrate again to continue");
  }
  throw Error(ExitCode::migration_failed, fmt::format("cannot start: {} [SQLSTATE {}]", e.message, e.sqlstate),
              "nothing from the file was applied")
      .at({m.file->path.string(), 0, 0, e.sqlstate});
}

bool Migrator::apply_transactional(const PreparedMigration& m) {
  const auto steps = transactional_steps(m);
  const auto outcome = db_.run_pipeline(steps);
  if (!outcome.error) return true;
  return transactional_failed(m, steps.size(), *outcome.failed_step, *outcome.error);
}

// Step `step` of the `steps` sent for a transactional file failed: throws what to tell the user,
// or returns false when the very same file was applied meanwhile by another run.
bool Migrator::transactional_failed(const PreparedMigration& m, std::size_t steps, std::size_t step,
                                    const ServerError& e) {
  const std::size_t statements = m.script.statements.size();
  const std::size_t resets_end = kStepsBefore + statements + session_reset_count(m);
  const std::size_t commit_step = steps - 1;
  const std::size_t sequences_step = steps - 2;
  db_.rollback_if_in_transaction();
  if (step < kStepsBefore) {
    preamble_failed(m, e);
    return false;
  }
  if (step < kStepsBefore + statements) fail(m, step - kStepsBefore, e);
  if (step < resets_end || step == sequences_step) {
    throw Error(ExitCode::migration_failed,
                fmt::format("resetting the session after its statements failed: {}",
                            with_sqlstate(e.message, e.sqlstate)),
                "the file was rolled back, nothing from it was applied; " + sqlstate_advice(e.sqlstate))
        .at({m.file->path.string(), 0, 0, e.sqlstate});
  }
  if (step == commit_step) {
    // Deferred constraints and serialization failures surface at COMMIT.
    throw Error(ExitCode::migration_failed,
                fmt::format("COMMIT failed: {} [SQLSTATE {}]{}", e.message, e.sqlstate,
                            e.detail.empty() ? "" : "; detail: " + e.detail),
                "the file was rolled back, nothing from it was applied; " + sqlstate_advice(e.sqlstate))
        .at({m.file->path.string(), 0, 0, e.sqlstate});
  }
  throw Error(ExitCode::migration_failed,
              fmt::format("recording it in {} failed: {} [SQLSTATE {}]", history_.qualified(), e.message, e.sqlstate),
              "the file was rolled back; " + sqlstate_advice(e.sqlstate))
      .at({m.file->path.string(), 0, 0, e.sqlstate});
}

// Every file of the batch in one pipeline: each its own transaction block and segment, each
// but the first refusing to run unless the one before it is applied (see the begin helper), so
// that nothing after a failure commits. Results are reported as each file's segment arrives.
void Migrator::apply_batch(const PreparedPlan& prepared, const ApplyBatch& batch, MigrateObserver& observer,
                           MigrateResult& result) {
  const std::size_t total = prepared.migrations.size();
  const std::size_t end = batch.first + batch.count;
  std::size_t next = batch.first;
  while (next < end) {
    std::vector<PipelineStep> steps;
    std::vector<std::size_t> starts;  // first step of each file, and one past the last file's
    for (std::size_t i = next; i < end; ++i) {
      const PreparedMigration* after = i > next ? &prepared.migrations[i - 1] : nullptr;
      auto file_steps = transactional_steps(prepared.migrations[i], after);
      starts.push_back(steps.size());
      std::move(file_steps.begin(), file_steps.end(), std::back_inserter(steps));
    }
    starts.push_back(steps.size());

    // Each file is one segment: its COMMIT ends it with a Sync.
    std::size_t cursor = 0;  // the file whose segment arrives now, counted from `next`
    std::optional<std::size_t> failed;
    std::size_t failed_step = 0;
    ServerError failure;
    auto started = std::chrono::steady_clock::now();
    observer.starting(*prepared.migrations[next].file, next, total);
    const auto on_segment = [&](const SegmentOutcome& segment) {
      const PreparedMigration& m = prepared.migrations[next + cursor];
      if (segment.error && !failed) {
        failed = cursor;
        failed_step = *segment.failed_step - starts[cursor];
        failure = *segment.error;
        first_not_run_ = next + cursor + 1;
      }
      if (!segment.error) {
        for (const auto& notice : db_.take_notices()) observer.notice(*m.file, notice);
        result.applied.push_back(m.file);
        const auto now = std::chrono::steady_clock::now();
        observer.applied(*m.file, m.replaces_checksum.has_value(),
                         std::chrono::duration_cast<std::chrono::milliseconds>(now - started));
        started = now;
      }
      ++cursor;
      // A cancel sent on Ctrl-C stops only the statement running then: stop the files still queued.
      if (interrupted() && !failed) db_.cancel_running_statement();
      if (!failed && next + cursor < end)
        observer.starting(*prepared.migrations[next + cursor].file, next + cursor, total);
    };
    try {
      db_.run_pipeline(steps, on_segment);
    } catch (const ConnectionLost& e) {
      if (next + cursor >= end) throw;  // every file's result had arrived
      const std::size_t unknown = end - (next + cursor);
      throw ConnectionLost(fmt::format(
          "{} (while applying {}: the files reported applied above are recorded; whether {} and the {} after it in "
          "this pipeline were applied is not known: run `cora-migrate status`)",
          e.what(), prepared.migrations[next + cursor].file->path.string(),
          prepared.migrations[next + cursor].file->file_name, unknown - 1));
    }
    if (!failed) return;
    const PreparedMigration& m = prepared.migrations[next + *failed];
    const std::size_t file_steps = starts[*failed + 1] - starts[*failed];
    if (!transactional_failed(m, file_steps, failed_step, failure)) {
      result.applied_by_other_run.push_back(m.file);
      observer.applied_by_other_run(*m.file);
    }
    // Applied meanwhile by another run: the files after it failed with it (in its aborted
    // transaction block); send them again.
    next += *failed + 1;
  }
}

void Migrator::mark_dirty(const PreparedMigration& m, const std::string& reason) {
  try {
    db_.rollback_if_in_transaction();
    db_.execute_script("DISCARD ALL");
    auto params = identity_params(*m.file);
    params.emplace_back(reason);
    // This run is done with the file: the row is dirty from now on, not "running", even while
    // something (a pooler) keeps the session that wrote it open.
    db_.query(fmt::format("UPDATE {} SET error = $4, backend_pid = NULL, backend_start = NULL WHERE module = $1 AND "
                          "version = $2 AND name = $3 AND is_current",
                          history_.qualified()),
              params);
  } catch (const QueryFailed&) {
    // The row stays dirty without the reason; the error the caller throws still says what failed.
  }
}

bool Migrator::apply_non_transactional(const PreparedMigration& m) {
  const auto steps = non_transactional_steps(m);
  // The preamble and the "running" row commit first: from then on the row marks the file as
  // being applied, and, should we die, as dirty.
  const auto start = db_.run_pipeline({steps[0], steps[1]});
  if (start.error) {
    if (start.failed_step == 0) {
      preamble_failed(m, *start.error);
      return false;
    }
    throw Error(ExitCode::migration_failed,
                fmt::format("{}: cannot start: {} [SQLSTATE {}]", m.file->path.string(), start.error->message,
                            start.error->sqlstate),
                "nothing from the file was applied");
  }
  const std::size_t first_statement = 4;
  const std::size_t statements = m.script.statements.size();
  const std::string session = db_.query("SELECT pg_catalog.pg_backend_pid()").text(0, "pg_backend_pid");
  // The statement that opened the transaction block the session is in, if any.
  std::optional<std::size_t> opened_by;
  for (std::size_t i = 2; i < first_statement + statements; ++i) {
    if (i >= first_statement && db_.query("SELECT pg_catalog.pg_backend_pid()").text(0, "pg_backend_pid") != session) {
      mark_dirty(m, fmt::format("line {}: not run: the connection moved to another server session (a pooler)",
                                m.script.statements[i - first_statement].first_line));
      throw Error(ExitCode::config,
                  fmt::format("{}: the connection moved to another server session between statements: a transaction "
                              "pooler is in the way; the migration is marked dirty",
                              m.file->path.string()),
                  direct_connection_hint());
    }
    try {
      const bool idle_before = db_.transaction_state() == TransactionState::idle;
      db_.execute_script(steps[i].sql);
      if (idle_before && db_.transaction_state() != TransactionState::idle) opened_by = i - first_statement;
      if (db_.transaction_state() == TransactionState::idle) opened_by.reset();
    } catch (const QueryFailed& failure) {
      const bool is_file_statement = i >= first_statement;
      const std::size_t index = is_file_statement ? i - first_statement : 0;
      const std::string failed_at =
          is_file_statement ? fmt::format("line {}: ", m.script.statements[index].first_line) : std::string{};
      mark_dirty(m, failed_at + failure.error().message);
      if (is_file_statement) fail(m, index, failure.error(), invalid_index_hint(m.script.statements[index]));
      throw Error(ExitCode::migration_failed,
                  fmt::format("{} [SQLSTATE {}]", failure.error().message, failure.error().sqlstate),
                  "the migration is marked dirty; see `cora-migrate status`")
          .at({m.file->path.string(), 0, 0, failure.error().sqlstate});
    }
  }
  // After the last statement the session must be idle: a BEGIN without COMMIT would otherwise
  // be rolled back when we disconnect, with the file recorded as applied.
  if (db_.transaction_state() != TransactionState::idle) {
    const auto& statement = m.script.statements.at(opened_by.value_or(0));
    const auto at = line_column_at(m.file->content, skip_blanks_and_comments(m.file->content, statement.offset));
    const std::string reason =
        fmt::format("line {}: the file left a transaction open (BEGIN without COMMIT); it was rolled back", at.line);
    mark_dirty(m, reason);
    throw Error(ExitCode::migration_failed,
                fmt::format("{}:{}:{}: the file ends with a transaction open (BEGIN without COMMIT); what it did "
                            "since then was rolled back, and the migration is marked dirty",
                            m.file->path.string(), at.line, at.column),
                fmt::format("end the transaction with COMMIT in the file, undo what ran before it by hand if "
                            "needed, then run `cora-migrate repair {}`",
                            selector_of(*m.file)));
  }
  // Back to the tool's own session (role, settings) before the history row is written.
  db_.execute_script("DISCARD ALL");
  try {
    db_.query(steps.back().sql, identity_params(*m.file));
  } catch (const QueryFailed& failure) {
    throw Error(ExitCode::migration_failed,
                fmt::format("{}: ran, but marking it applied in {} failed: {} [SQLSTATE {}]", m.file->path.string(),
                            history_.qualified(), failure.error().message, failure.error().sqlstate),
                fmt::format("the migration stays marked dirty; once you have checked it, run `cora-migrate repair {} "
                            "--mark-applied`",
                            display_name(*m.file)));
  }
  // A module's first snapshot file outside a transaction: its included deltas are recorded right
  // after it (transactional snapshot files record them in their own transaction).
  if (!m.records_included.empty()) {
    std::vector<RecordWithoutRunning> included;
    for (const auto* file : m.records_included) included.push_back({file, "included"});
    record_without_running(included, false);
  }
  return true;
}

void Migrator::record_without_running(const std::vector<RecordWithoutRunning>& files, bool needs_setup) {
  if (files.empty()) return;
  if (needs_setup) ensure_history_table();
  std::vector<PipelineStep> steps;
  for (const auto& [file, action] : files) {
    PreparedMigration m;
    m.file = file;
    steps.push_back(preamble(m));
    auto record = history_insert(m, "applied");
    record.params.at(5) = std::string(action);
    steps.push_back(std::move(record));
  }
  const auto outcome = db_.run_pipeline(steps);
  if (!outcome.error) return;
  const auto& file = *files.at(*outcome.failed_step / 2).file;
  if (outcome.error->sqlstate == kLockNotAvailable) {
    throw migration_lock_wait_exceeded(to_setting_value(options_.timeouts.lock_wait));
  }
  if (outcome.error->sqlstate == kStillRunningElsewhere) {
    throw still_running_elsewhere(file.path.string(), to_setting_value(options_.timeouts.lock_wait));
  }
  if (outcome.error->sqlstate == kLeftDirtyElsewhere) throw left_dirty_elsewhere(file);
  if (outcome.error->sqlstate == kAppliedElsewhere || outcome.error->sqlstate == kRecordedByOtherFile) {
    throw Error(ExitCode::history_conflict, fmt::format("{}: another run recorded it meanwhile", file.path.string()),
                "nothing was recorded; run `cora-migrate status` and try again");
  }
  throw Error(ExitCode::migration_failed,
              fmt::format("{}: cannot record it: {} [SQLSTATE {}]", file.path.string(), outcome.error->message,
                          outcome.error->sqlstate),
              "nothing was recorded");
}

void Migrator::repair(const std::vector<MigrationFile>& files, const std::string& selector, bool mark_applied) {
  const MigrationFile& file = find_migration(files, selector, "repair");
  const auto history = history_.read(db_);
  const auto records = history.records.value_or(std::vector<HistoryRecord>{});
  const auto status = compute_status(files, records);
  const auto entry = std::find_if(status.begin(), status.end(), [&](const StatusEntry& e) { return e.file == &file; });
  if (entry->state != MigrationState::dirty) {
    throw Error(ExitCode::usage,
                fmt::format("repair {}: {} is {}, not dirty", selector, display_name(file), to_string(entry->state)),
                "repair only clears a migration that failed part-way outside a transaction");
  }
  if (entry->record->running_session_alive) {
    throw Error(ExitCode::usage, fmt::format("repair {}: another run is applying it right now", selector),
                "wait for that run to finish");
  }
  const std::string change =
      mark_applied ? "state = 'applied', error = 'marked applied by repair after: ' || coalesce(error, '')"
                   : "is_current = false";
  auto params = identity_params(file);
  const auto outcome = db_.run_pipeline(
      {{"SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.pg_advisory_xact_lock($2)",
        {to_setting_value(options_.timeouts.lock_wait), std::to_string(history_.lock_key())}},
       {fmt::format(
            "UPDATE {} SET {} WHERE module = $1 AND version = $2 AND name = $3 AND is_current AND state = 'running'",
            history_.qualified(), change),
        params}});
  if (outcome.error && outcome.error->sqlstate == kLockNotAvailable) {
    const std::string lock_wait = to_setting_value(options_.timeouts.lock_wait);
    throw outcome.failed_step == 0
        ? migration_lock_wait_exceeded(lock_wait)
        : lock_wait_exceeded(fmt::format("the history table {} stayed locked by another session", history_.qualified()),
                             lock_wait);
  }
  if (outcome.error) {
    throw Error(ExitCode::migration_failed,
                fmt::format("repair {}: {}", selector, with_sqlstate(outcome.error->message, outcome.error->sqlstate)),
                "nothing was changed");
  }
}

std::int64_t Migrator::accept_checksum(const MigrationFile& file, const std::string& recorded_checksum) {
  // Set up first: a table from before "accept" was an action has to allow it.
  ensure_history_table();
  auto params = identity_params(file);
  params.insert(params.end(), {recorded_checksum, file.checksum, options_.client, std::string(tool_version())});
  const auto outcome = db_.run_pipeline(
      {{"SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.pg_advisory_xact_lock($2)",
        {to_setting_value(options_.timeouts.lock_wait), std::to_string(history_.lock_key())}},
       // One statement: the old row stops being current as the new one is written.
       {fmt::format("WITH old AS (UPDATE {0} SET is_current = false WHERE module = $1 AND version = $2 AND name = $3 "
                    "AND is_current AND state = 'applied' AND checksum = $4 RETURNING module, version, name) "
                    "INSERT INTO {0} (module, version, name, checksum, state, action, client, tool_version) "
                    "SELECT module, version, name, $5, 'applied', 'accept', $6, $7 FROM old RETURNING id",
                    history_.qualified()),
        params}});
  if (outcome.error && outcome.error->sqlstate == kLockNotAvailable) {
    const std::string lock_wait = to_setting_value(options_.timeouts.lock_wait);
    throw outcome.failed_step == 0
        ? migration_lock_wait_exceeded(lock_wait)
        : lock_wait_exceeded(fmt::format("the history table {} stayed locked by another session", history_.qualified()),
                             lock_wait);
  }
  if (outcome.error) {
    throw Error(ExitCode::migration_failed,
                fmt::format("repair --accept-checksum {}: {}", selector_of(file),
                            with_sqlstate(outcome.error->message, outcome.error->sqlstate)),
                "nothing was changed");
  }
  const QueryResult& inserted = outcome.results.at(1);
  if (inserted.rows.empty()) {
    throw Error(ExitCode::history_conflict,
                fmt::format("repair --accept-checksum {}: its history row changed meanwhile (another run)",
                            selector_of(file)),
                "nothing was changed; run `cora-migrate status` and try again");
  }
  return std::stoll(inserted.text(0, "id"));
}

// Transactional migrations need nothing beyond their own transaction, so they work through a
// transaction pooler. A transaction=false file needs one server session for all its statements
// (its timeouts, its "running" marker), which such a pooler does not promise.
// Told by behaviour, not by port (PgBouncer listens on 6432, Supabase's pooler on 6543, and
// either may be put anywhere): see Connection::server_session_is_lent. Checked only when the
// plan has such a file, before its "running" row is written.
void Migrator::refuse_session_work_through_pooler(const PreparedPlan& prepared) const {
  const auto first = std::find_if(prepared.migrations.begin(), prepared.migrations.end(),
                                  [](const PreparedMigration& m) { return !m.directives.transaction; });
  if (first == prepared.migrations.end()) return;
  if (!db_.server_session_is_lent(options_.timeouts.connect)) return;
  throw Error(ExitCode::config,
              fmt::format("{}: runs outside a transaction, which needs one server session, and port {} on {} is a "
                          "transaction pooler (it lent this connection's server session to another connection)",
                          first->file->path.string(), db_.port(), db_.host()),
              direct_connection_hint());
}

std::string Migrator::direct_connection_hint() const {
  const std::string host = db_.host();
  const std::string pooler_suffix = ".pooler.supabase.com";
  if (host.size() > pooler_suffix.size() &&
      host.compare(host.size() - pooler_suffix.size(), pooler_suffix.size(), pooler_suffix) == 0) {
    return "use Supabase's direct connection: host db.<project-ref>.supabase.co, port 5432, user postgres "
           "(Dashboard, Connect, Direct connection)";
  }
  return fmt::format("use the direct connection to PostgreSQL: {} on port 5432 instead of the pooler's {}", host,
                     db_.port());
}

// A CREATE INDEX CONCURRENTLY that fails leaves an INVALID index behind, which a retry would
// trip over ("already exists") and which still slows every write: say how to remove it.
std::string Migrator::invalid_index_hint(const SqlStatement& statement) {
  if (statement.node_type != "IndexStmt" || !statement.concurrently || statement.index_name.empty()) return {};
  try {
    const auto result = db_.query(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i "
        "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT i.indisvalid AND c.oid = pg_catalog.to_regclass($1)",
        {statement.index_name});
    if (result.rows.empty()) return {};
    const std::string index = result.rows[0][0].value_or(statement.index_name);
    return fmt::format(" (index {0} was left INVALID: DROP INDEX CONCURRENTLY IF EXISTS {0}; before retrying)", index);
  } catch (const QueryFailed&) {
    return {};
  }
}

// Through a transaction pooler too: each file's transaction is whole within its segment, and
// the check in each preamble reads the history table, so it holds whichever server session a
// file lands on (PgBouncer keeps the pipeline on one while Syncs are outstanding anyway).
std::vector<ApplyBatch> Migrator::batches(const PreparedPlan& prepared) const {
  return group_into_batches(prepared.migrations, options_.pipeline);
}

MigrateResult Migrator::apply(PreparedPlan& prepared, MigrateObserver& observer) {
  MigrateResult result;
  result.warnings = prepared.plan.warnings;
  if (prepared.migrations.empty()) return result;
  refuse_session_work_through_pooler(prepared);
  if (prepared.history_needs_setup) ensure_history_table();
  InterruptWatch watch(db_);
  const std::size_t total = prepared.migrations.size();
  const auto groups = batches(prepared);
  try {
    for (const auto& batch : groups) {
      const PreparedMigration& m = prepared.migrations[batch.first];
      first_not_run_ = batch.first;
      if (interrupted()) {
        throw Error(ExitCode::interrupted,
                    fmt::format("interrupted before {}: {} of {} migrations applied", m.file->path.string(),
                                result.applied.size(), total),
                    "run migrate again to apply the rest");
      }
      if (batch.count > 1) {
        apply_batch(prepared, batch, observer, result);
        continue;
      }
      first_not_run_ = batch.first + 1;
      observer.starting(*m.file, batch.first, total);
      const auto started = std::chrono::steady_clock::now();
      const bool applied_here = m.directives.transaction ? apply_transactional(m) : apply_non_transactional(m);
      for (const auto& notice : db_.take_notices()) observer.notice(*m.file, notice);
      if (applied_here) {
        result.applied.push_back(m.file);
        observer.applied(*m.file, m.replaces_checksum.has_value(),
                         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                               started));
      } else {
        result.applied_by_other_run.push_back(m.file);
        observer.applied_by_other_run(*m.file);
      }
    }
  } catch (const Error&) {
    for (std::size_t i = first_not_run_; i < total; ++i) observer.not_run(*prepared.migrations[i].file);
    throw;
  }
  return result;
}

}  // namespace cora
