#pragma once
// Every row of the history table, old ones included: what `history` shows. A re-apply, a repair
// or an adopted file after a failed run keeps the earlier row, no longer current.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/history_table.hpp"

namespace cora {

class Connection;

struct HistoryLogRow {
  std::int64_t id = 0;
  std::string module;
  std::int64_t version = 0;
  std::string name;
  std::string action;      // apply, reapply, baseline, adopt, included
  std::string state;       // applied, running
  bool current = true;     // false: replaced by a later row for the same migration
  std::string applied_at;  // ISO 8601 UTC
  std::string applied_by;  // the database role
  std::string client;      // os-user@host of the run, "" when not recorded
  std::optional<std::int64_t> duration_ms;
  std::string tool_version;
  std::string error;
};

// "applied", "reapplied", "baselined", "adopted", "included": the action as a past tense.
std::string action_done(const std::string& action);

// Every row in the order written; nullopt when the table does not exist. One round trip.
// Throws QueryFailed.
std::optional<std::vector<HistoryLogRow>> read_history_log(Connection& db, const HistoryTable& table);

}  // namespace cora
