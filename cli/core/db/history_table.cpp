#include "db/history_table.hpp"

#include <fmt/format.h>

#include "db/connection.hpp"

namespace cora {

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
      fmt::format("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema_),
      fmt::format("REVOKE ALL ON SCHEMA \"{}\" FROM PUBLIC", schema_),
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
  error text
))",
                  qualified_),
      fmt::format("CREATE UNIQUE INDEX IF NOT EXISTS \"{}_current_version\" ON {} (version) WHERE is_current",
                  table_name(), qualified_),
      // Named, so that a newer cora-migrate can widen it in place.
      fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS \"{}_action_check\"", qualified_, table_name()),
      fmt::format("ALTER TABLE {} ADD CONSTRAINT \"{}_action_check\" CHECK (action IN ('apply', 'reapply', 'baseline', 'adopt'))",
                  qualified_, table_name()),
      fmt::format("REVOKE ALL ON {} FROM PUBLIC", qualified_),
      // Called at the start and end of every migration's transaction. As functions their plans
      // are cached for the session, which keeps our per-migration overhead near zero.
      fmt::format(R"(CREATE OR REPLACE FUNCTION "{schema}".begin_migration(
    p_version bigint, p_replaces_checksum text, p_lock_key bigint, p_lock_wait text, p_lock_timeout text,
    p_statement_timeout text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $cora$
BEGIN
  PERFORM set_config('lock_timeout', p_lock_wait, true);
  PERFORM pg_advisory_xact_lock(p_lock_key);
  -- The version's current row must still be what this run planned against: none for a new
  -- migration, the recorded checksum for a re-apply. Otherwise another run got there first.
  IF (SELECT checksum FROM {table} WHERE version = p_version AND is_current) IS DISTINCT FROM p_replaces_checksum THEN
    RAISE EXCEPTION USING ERRCODE = 'CM001', MESSAGE = format('version %s was changed by another run', p_version);
  END IF;
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  PERFORM set_config('statement_timeout', p_statement_timeout, true);
  PERFORM set_config('cora_migrate.started_at', clock_timestamp()::text, true);
END
$cora$)",
                  fmt::arg("schema", schema_), fmt::arg("table", qualified_)),
      fmt::format(R"(CREATE OR REPLACE FUNCTION "{schema}".record_migration(
    p_version bigint, p_name text, p_checksum text, p_state text, p_action text, p_client text, p_tool_version text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $cora$
BEGIN
  -- A re-apply keeps the earlier record, no longer current.
  UPDATE {table} SET is_current = false WHERE version = p_version AND is_current;
  INSERT INTO {table} (version, name, checksum, state, action, client, duration_ms, tool_version, backend_pid, backend_start)
  VALUES (p_version, p_name, p_checksum, p_state, p_action, p_client,
          (extract(epoch FROM clock_timestamp() - current_setting('cora_migrate.started_at')::timestamptz) * 1000)::integer,
          p_tool_version,
          -- Only a row that stays "running" needs to tell whether its session is still alive.
          CASE WHEN p_state = 'running' THEN pg_backend_pid() END,
          CASE WHEN p_state = 'running' THEN (SELECT backend_start FROM pg_stat_get_activity(pg_backend_pid())) END);
END
$cora$)",
                  fmt::arg("schema", schema_), fmt::arg("table", qualified_)),
      // Supabase grants broadly through default privileges; make sure the API roles stay out.
      fmt::format(R"(DO $cora$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE pg_catalog.format('REVOKE ALL ON SCHEMA %I FROM %I', '{}', r);
      EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I', '{}', r);
    END IF;
  END LOOP;
END
$cora$)",
                  schema_, qualified_),
  };
}

std::string HistoryTable::table_name() const { return name_.substr(name_.find('.') + 1); }

std::string HistoryTable::helper_signature() const {
  return fmt::format("\"{}\".record_migration(bigint,text,text,text,text,text,text)", schema_);
}

HistoryState HistoryTable::read(Connection& db) const {
  const auto outcome = db.run_pipeline({{"SELECT to_regprocedure($1) IS NOT NULL", {helper_signature()}}, {fmt::format(
        R"(SELECT h.version, h.name, h.checksum, h.state, h.action,
       to_char(h.applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at,
       h.applied_by, h.duration_ms, h.tool_version, coalesce(h.error, '') AS error,
       (h.state = 'running' AND EXISTS (
          SELECT 1 FROM pg_catalog.pg_stat_activity a
          WHERE a.pid = h.backend_pid AND a.backend_start = h.backend_start)) AS running_alive
FROM {} h WHERE h.is_current ORDER BY h.version)",
        qualified_), {}}});
  HistoryState state;
  if (outcome.error) {
    if (outcome.error->sqlstate == "42P01" || outcome.error->sqlstate == "3F000") return state;
    throw QueryFailed(*outcome.error);
  }
  state.helpers_installed = outcome.results.at(0).text(0, "?column?") == "t";
  const QueryResult& result = outcome.results.at(1);
  std::vector<HistoryRecord> records;
  records.reserve(result.rows.size());
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    HistoryRecord r;
    r.version = std::stoll(result.text(i, "version"));
    r.name = result.text(i, "name");
    r.checksum = result.text(i, "checksum");
    r.state = result.text(i, "state");
    r.action = result.text(i, "action");
    r.applied_at = result.text(i, "applied_at");
    r.applied_by = result.text(i, "applied_by");
    if (const auto& d = result.at(i, "duration_ms")) r.duration_ms = std::stoll(*d);
    r.tool_version = result.text(i, "tool_version");
    r.error = result.text(i, "error");
    r.running_session_alive = result.text(i, "running_alive") == "t";
    records.push_back(std::move(r));
  }
  state.records = std::move(records);
  return state;
}

}  // namespace cora
