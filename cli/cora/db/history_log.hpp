#pragma once
// Every row of the history table, old ones included: what `history` shows. A re-apply, a repair
// or an adopted file after a failed run keeps the earlier row, no longer current.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cora/db/history_table.hpp"

namespace cora {

class Connection;

// Every row, current or replaced: a HistoryRecord (checksum and running_session_alive unread)
// with the row's place in the log.
struct HistoryLogRow : HistoryRecord {
  std::int64_t id = 0;
  bool current = true;  // false: replaced by a later row for the same migration
  std::string client;   // os-user@host of the run, "" when not recorded
};

// "applied", "reapplied", "baselined", "adopted", "included": the action as a past tense.
std::string action_done(const std::string& action);

// Every row in the order written; nullopt when the table does not exist. One round trip.
// Throws QueryFailed.
std::optional<std::vector<HistoryLogRow>> read_history_log(Connection& db, const HistoryTable& table);

}  // namespace cora
