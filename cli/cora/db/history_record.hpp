#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace cora {

// One current row of the history table: what the database says was applied.
struct HistoryRecord {
  std::string module;  // "" for a project without modules
  std::int64_t version = 0;
  std::string name;
  std::string checksum;
  std::string state;  // "applied", or "running" while/after a non-transactional file ran
  // "apply", "reapply", "baseline", "adopt", "included" (in a module's snapshot), "import" (from the
  // Supabase CLI), "accept" (repair --accept-checksum: the file's new checksum, its statements not
  // run). A "rollback" row is never current: it is written with the row it undid made not current,
  // so every reader of current rows finds the migration not applied.
  std::string action;
  std::string applied_at;  // ISO 8601, as PostgreSQL prints timestamptz in UTC
  std::string applied_by;
  std::optional<std::int64_t> duration_ms;
  std::string tool_version;
  std::string error;                   // for a dirty row: the statement that failed and why
  bool running_session_alive = false;  // a "running" row whose session is still connected
};

}  // namespace cora
