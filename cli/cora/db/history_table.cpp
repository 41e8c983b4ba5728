#include "cora/db/history_table.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"
#include "cora/db/lock_wait.hpp"
#include "cora/error.hpp"

namespace cora {

namespace {

// Whether the session that wrote a "running" row `h` is still at work on it: connected (its pid
// and start time in pg_stat_activity) and not sitting idle. A run applying a transaction=false
// file keeps its session busy: a statement runs, or the next is sent within a round trip. A
// session idle for longer than kAbandonedAfterIdle is one whose run is gone while something
// kept the session open: a pooler that holds the server session after its client died. Where
// the role may not see other sessions' state (NULL), connected counts as at work.
std::string running_alive_sql(const std::string& h) {
  return fmt::format(
      "({0}.state = 'running' AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a "
      "WHERE a.pid = {0}.backend_pid AND a.backend_start = {0}.backend_start "
      "AND NOT coalesce(a.state = 'idle' AND a.state_change < pg_catalog.clock_timestamp() - interval '{1} seconds', "
      "false)))",
      h, kAbandonedAfterIdle.count());
}

}  // namespace

void read_record_columns(const QueryResult& result, std::size_t row, HistoryRecord& record) {
  record.module = result.text(row, "module");
  record.version = std::stoll(result.text(row, "version"));
  record.name = result.text(row, "name");
  record.state = result.text(row, "state");
  record.action = result.text(row, "action");
  record.applied_at = result.text(row, "applied_at");
  record.applied_by = result.text(row, "applied_by");
  if (const auto& d = result.at(row, "duration_ms")) record.duration_ms = std::stoll(*d);
  record.tool_version = result.text(row, "tool_version");
  record.error = result.text(row, "error");
}

HistoryTable::HistoryTable(std::string qualified_name) : name_(std::move(qualified_name)) {
  const auto dot = name_.find('.');
  schema_ = name_.substr(0, dot);
  qualified_ = fmt::format("\"{}\".\"{}\"", schema_, name_.substr(dot + 1));
}

std::int64_t HistoryTable::lock_key() const {
  // FNV-1a: stable across runs, machines and versions of this tool.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : "cora-migrate:" + name_) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return static_cast<std::int64_t>(hash);
}

std::vector<std::string> HistoryTable::create_statements() const {
  return {
      // Privileges change only on a schema this statement creates: a history table placed in a
      // shared schema such as public must not revoke anyone's access to it.
      fmt::format(R"(DO $cora$
DECLARE r text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '{0}') THEN
    CREATE SCHEMA "{0}";
    REVOKE ALL ON SCHEMA "{0}" FROM PUBLIC;
    -- Supabase grants broadly through default privileges; keep the API roles out.
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
      IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
        EXECUTE pg_catalog.format('REVOKE ALL ON SCHEMA %I FROM %I', '{0}', r);
      END IF;
    END LOOP;
  END IF;
END
$cora$)",
                  schema_),
      fmt::format(R"(CREATE TABLE IF NOT EXISTS {} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version bigint NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  state text NOT NULL CHECK (state IN ('applied', 'running')),
  action text NOT NULL,
  is_current boolean NOT NULL DEFAULT true,
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by text NOT NULL DEFAULT current_user,
  client text,
  duration_ms integer,
  tool_version text NOT NULL,
  backend_pid integer,
  backend_start timestamptz,
  error text,
  module text NOT NULL DEFAULT ''
))",
                  qualified_),
      // A table written before modules existed is upgraded in place, in this same transaction:
      // every row kept, in the module '' (the one migrations folder).
      fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS module text NOT NULL DEFAULT ''", qualified_),
      fmt::format("DROP INDEX IF EXISTS \"{}\".\"{}_current_version\"", schema_, table_name()),
      // A migration is module + version + name: modules number from 000 each, and a module may
      // hold several files with one version.
      fmt::format(
          "CREATE UNIQUE INDEX IF NOT EXISTS \"{}_current_migration\" ON {} (module, version, name) WHERE is_current",
          table_name(), qualified_),
      // Named, so that a newer cora-migrate can widen it in place.
      fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS \"{}_action_check\"", qualified_, table_name()),
      fmt::format("ALTER TABLE {} ADD CONSTRAINT \"{}_action_check\" CHECK (action IN ('apply', 'reapply', 'baseline', "
                  "'adopt', 'included', 'import', 'accept', 'rollback'))",
                  qualified_, table_name()),
      fmt::format("REVOKE ALL ON {} FROM PUBLIC", qualified_),
      // History rows are never deleted (repair and re-apply keep them, no longer current): a
      // migration that deletes them would make applied files pending again, to run twice.
      // ENABLE ALWAYS: the trigger fires under session_replication_role = replica too.
      fmt::format(R"(CREATE OR REPLACE FUNCTION "{schema}"."{table}_keep_rows"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $cora$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'CM003',
    MESSAGE = format('%s on %s: cora-migrate''s history rows are never deleted', TG_OP, '{qualified}'),
    HINT = 'remove the statement from the migration; to undo a dirty migration use cora-migrate repair';
END
$cora$)",
                  fmt::arg("schema", schema_), fmt::arg("table", table_name()), fmt::arg("qualified", name_)),
      fmt::format("DROP TRIGGER IF EXISTS keep_history_rows ON {}", qualified_),
      fmt::format("CREATE TRIGGER keep_history_rows BEFORE DELETE OR TRUNCATE ON {} FOR EACH STATEMENT "
                  "EXECUTE FUNCTION \"{}\".\"{}_keep_rows\"()",
                  qualified_, schema_, table_name()),
      fmt::format("ALTER TABLE {} ENABLE ALWAYS TRIGGER keep_history_rows", qualified_),
      // Earlier versions' helpers were named per schema, so two history tables in one schema
      // shared them and wrote into whichever table created them last.
      fmt::format("DROP FUNCTION IF EXISTS \"{}\".begin_migration(bigint, text, bigint, text, text, text)", schema_),
      fmt::format("DROP FUNCTION IF EXISTS \"{}\".begin_migration(bigint, text, text, text, bigint, text, text, text)",
                  schema_),
      fmt::format("DROP FUNCTION IF EXISTS \"{}\".record_migration(bigint, text, text, text, text, text, text)",
                  schema_),
      // Before runs were sent as one pipeline the begin helper had no "after" arguments.
      fmt::format("DROP FUNCTION IF EXISTS {}(text, bigint, text, text, text, boolean, bigint, text, text, text)",
                  begin_function()),
      // Called at the start and end of every migration's transaction. As functions their plans
      // are cached for the session, which keeps our per-migration overhead near zero. Named
      // after their table: each history table has its own.
      fmt::format(R"(CREATE OR REPLACE FUNCTION {begin}(
    p_module text, p_version bigint, p_name text, p_checksum text, p_replaces_checksum text, p_siblings_allowed boolean,
    p_lock_key bigint, p_lock_wait text, p_lock_timeout text, p_statement_timeout text,
    p_after_module text, p_after_version bigint, p_after_name text, p_after_checksum text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $cora$
DECLARE
  recorded_checksum text;
  recorded_state text;
  recorded_alive boolean;
  wait_until timestamptz;
  other_name text;
BEGIN
  PERFORM set_config('lock_timeout', p_lock_wait, true);
  PERFORM pg_advisory_xact_lock(p_lock_key);
  -- Sent in one pipeline with the file before it (p_after_*): this file may run only once that
  -- one is recorded, which it is only when its statements, its session reset and its COMMIT all
  -- succeeded (they are one transaction). After any failure of the file before, this one fails
  -- too, and so does every file after it, so that the run stops at its first failure as one
  -- file per round trip does.
  IF p_after_version IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM {table} WHERE module = p_after_module AND version = p_after_version
      AND name = p_after_name AND checksum = p_after_checksum AND state = 'applied' AND is_current) THEN
    RAISE EXCEPTION USING ERRCODE = 'CM004',
      MESSAGE = format('not run: version %s before it in this run was not applied', p_after_version);
  END IF;
  -- The migration's current row must still be what this run planned against: none for a new
  -- migration, the recorded checksum for a re-apply. Otherwise another run got there first:
  -- with this very file (same checksum) that is fine, with another file a conflict.
  SELECT h.checksum, h.state, {alive} INTO recorded_checksum, recorded_state, recorded_alive FROM {table} h
  WHERE h.module = p_module AND h.version = p_version AND h.name = p_name AND h.is_current;
  -- This very file, started outside a transaction by another run: only a finished, applied row
  -- counts as applied. One still running is waited for (up to lock_wait; "0" waits as long as it
  -- takes, as lock_timeout does), one whose run is gone is dirty.
  IF recorded_checksum = p_checksum AND recorded_checksum IS DISTINCT FROM p_replaces_checksum
      AND recorded_state = 'running' THEN
    wait_until := CASE WHEN current_setting('lock_timeout')::interval = interval '0' THEN 'infinity'
                       ELSE clock_timestamp() + current_setting('lock_timeout')::interval END;
    WHILE recorded_state = 'running' AND recorded_alive AND clock_timestamp() < wait_until LOOP
      PERFORM pg_sleep(0.1);
      -- pg_stat_activity is read once per transaction unless told to read it again.
      PERFORM pg_stat_clear_snapshot();
      SELECT h.checksum, h.state, {alive} INTO recorded_checksum, recorded_state, recorded_alive FROM {table} h
      WHERE h.module = p_module AND h.version = p_version AND h.name = p_name AND h.is_current;
    END LOOP;
    IF recorded_state = 'running' AND recorded_alive THEN
      RAISE EXCEPTION USING ERRCODE = 'CM005',
        MESSAGE = format('version %s is still being applied by another run (outside a transaction)', p_version);
    ELSIF recorded_state = 'running' THEN
      RAISE EXCEPTION USING ERRCODE = 'CM006',
        MESSAGE = format('version %s was left dirty by another run (outside a transaction)', p_version);
    END IF;
  END IF;
  IF recorded_checksum IS DISTINCT FROM p_replaces_checksum THEN
    IF recorded_checksum = p_checksum THEN
      RAISE EXCEPTION USING ERRCODE = 'CM001', MESSAGE = format('version %s was applied meanwhile by another run', p_version);
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'CM002',
      MESSAGE = format('version %s was recorded meanwhile by another run from another file', p_version),
      DETAIL = p_name, HINT = coalesce(recorded_checksum, '');
  END IF;
  -- Without modules a version is one file: another name under it, recorded meanwhile, is
  -- another branch's file.
  IF NOT p_siblings_allowed THEN
    SELECT name, checksum INTO other_name, recorded_checksum FROM {table}
    WHERE module = p_module AND version = p_version AND name <> p_name AND is_current LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'CM002',
        MESSAGE = format('version %s was recorded meanwhile by another run from another file', p_version),
        DETAIL = other_name, HINT = recorded_checksum;
    END IF;
  END IF;
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  PERFORM set_config('statement_timeout', p_statement_timeout, true);
END
$cora$)",
                  fmt::arg("begin", begin_function()), fmt::arg("table", qualified_),
                  fmt::arg("alive", running_alive_sql("h"))),
      // Which revision of the helpers a database has: one installed by an earlier version, with
      // the same signature, is replaced on the next migrate (see read_steps).
      fmt::format("COMMENT ON FUNCTION {} IS '{}'", begin_signature(), kHelpersRevision),
      fmt::format(R"(CREATE OR REPLACE FUNCTION {record}(
    p_module text, p_version bigint, p_name text, p_checksum text, p_state text, p_action text, p_client text,
    p_tool_version text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $cora$
BEGIN
  -- A re-apply keeps the earlier record, no longer current.
  UPDATE {table} SET is_current = false
  WHERE module = p_module AND version = p_version AND name = p_name AND is_current;
  -- now() is when the file's transaction began: nothing the file sets or resets can change it.
  INSERT INTO {table} (module, version, name, checksum, state, action, client, duration_ms, tool_version, backend_pid,
                       backend_start)
  VALUES (p_module, p_version, p_name, p_checksum, p_state, p_action, p_client,
          (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer,
          p_tool_version,
          -- Only a row that stays "running" needs to tell whether its session is still alive.
          CASE WHEN p_state = 'running' THEN pg_backend_pid() END,
          CASE WHEN p_state = 'running' THEN (SELECT backend_start FROM pg_stat_get_activity(pg_backend_pid())) END);
END
$cora$)",
                  fmt::arg("record", record_function()), fmt::arg("table", qualified_)),
      // Functions are executable by PUBLIC when created; ours are for the tool's own role.
      fmt::format("REVOKE ALL ON FUNCTION {} FROM PUBLIC", begin_signature()),
      fmt::format("REVOKE ALL ON FUNCTION {} FROM PUBLIC", helper_signature()),
      fmt::format("REVOKE ALL ON FUNCTION \"{}\".\"{}_keep_rows\"() FROM PUBLIC", schema_, table_name()),
      fmt::format(R"(DO $cora$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I', '{}', r);
      EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s, %s FROM %I', '{}', '{}', r);
    END IF;
  END LOOP;
END
$cora$)",
                  qualified_, begin_signature(), helper_signature()),
  };
}

std::string HistoryTable::begin_function() const { return fmt::format("\"{}\".\"{}_begin\"", schema_, table_name()); }

std::string HistoryTable::record_function() const { return fmt::format("\"{}\".\"{}_record\"", schema_, table_name()); }

std::string HistoryTable::begin_signature() const {
  return begin_function() + "(text,bigint,text,text,text,boolean,bigint,text,text,text,text,bigint,text,text)";
}

std::string HistoryTable::table_name() const { return name_.substr(name_.find('.') + 1); }

std::string HistoryTable::helper_signature() const {
  return record_function() + "(text,bigint,text,text,text,text,text,text)";
}

std::vector<PipelineStep> HistoryTable::read_steps() const {
  std::vector<PipelineStep> steps{
      {"SELECT to_regprocedure($1) IS NOT NULL AND to_regprocedure($2) IS NOT NULL AND "
       "pg_catalog.obj_description(to_regprocedure($2), 'pg_proc') IS NOT DISTINCT FROM $4 AND "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass($3) "
       "AND tgname = 'keep_history_rows' AND tgenabled = 'A')",
       {helper_signature(), begin_signature(), qualified_, std::string(kHelpersRevision)}},
      {fmt::format(
           // module through to_jsonb: a table from before modules has no such column until the
           // next migrate upgrades it, and reading it must still work.
           R"(SELECT coalesce(to_jsonb(h) ->> 'module', '') AS module, h.version, h.name, h.checksum, h.state, h.action,
       to_char(h.applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at,
       h.applied_by, h.duration_ms, h.tool_version, coalesce(h.error, '') AS error,
       {} AS running_alive
FROM {} h WHERE h.is_current ORDER BY 1, h.version, h.name)",
           running_alive_sql("h"), qualified_),
       {}}};
  steps.back().sync_after = true;  // a missing table fails this segment only
  return steps;
}

HistoryState HistoryTable::decode_read(const std::vector<QueryResult>& results,
                                       const std::optional<ServerError>& error) const {
  HistoryState state;
  if (error) {
    const auto& e = *error;
    if (e.sqlstate == "42P01" || e.sqlstate == "3F000") return state;
    if (e.sqlstate == kLockNotAvailable) {
      throw lock_wait_exceeded(fmt::format("the history table {} stayed locked by another session", name_), "");
    }
    // 42703 undefined column, 42804 datatype mismatch, 42883 no such operator: another tool's table.
    if (e.sqlstate == "42703" || e.sqlstate == "42804" || e.sqlstate == "42883" || e.sqlstate == "22P02") {
      throw Error(ExitCode::config,
                  fmt::format("{} exists but is not a cora-migrate history table ({})", name_, e.message),
                  "set history_table in cora-migrate.toml to another name (e.g. cora_migrate.schema_history), or "
                  "rename that table if it belongs to another tool");
    }
    throw QueryFailed(e);
  }
  state.helpers_installed = results.at(0).text(0, "?column?") == "t";
  const QueryResult& result = results.at(1);
  std::vector<HistoryRecord> records;
  records.reserve(result.rows.size());
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    HistoryRecord r;
    read_record_columns(result, i, r);
    r.checksum = result.text(i, "checksum");
    r.running_session_alive = result.text(i, "running_alive") == "t";
    records.push_back(std::move(r));
  }
  state.records = std::move(records);
  return state;
}

HistoryState HistoryTable::read(Connection& db) const {
  const auto outcome = db.run_pipeline(read_steps());
  return decode_read(outcome.results, outcome.error);
}

}  // namespace cora
