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
  action text NOT NULL CHECK (action IN ('apply', 'reapply', 'baseline')),
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
                  name_.substr(name_.find('.') + 1), qualified_),
      fmt::format("REVOKE ALL ON {} FROM PUBLIC", qualified_),
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

std::optional<std::vector<HistoryRecord>> HistoryTable::read(Connection& db) const {
  QueryResult result;
  try {
    result = db.query(fmt::format(
        R"(SELECT h.version, h.name, h.checksum, h.state, h.action,
       to_char(h.applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at,
       h.applied_by, h.duration_ms, h.tool_version, coalesce(h.error, '') AS error,
       (h.state = 'running' AND EXISTS (
          SELECT 1 FROM pg_catalog.pg_stat_activity a
          WHERE a.pid = h.backend_pid AND a.backend_start = h.backend_start)) AS running_alive
FROM {} h WHERE h.is_current ORDER BY h.version)",
        qualified_));
  } catch (const QueryFailed& e) {
    if (e.error().sqlstate == "42P01" || e.error().sqlstate == "3F000") return std::nullopt;
    throw;
  }
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
  return records;
}

}  // namespace cora
