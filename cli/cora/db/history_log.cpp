#include "cora/db/history_log.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"

namespace cora {

std::string action_done(const std::string& action) {
  if (action == "apply") return "applied";
  if (action == "reapply") return "reapplied";
  if (action == "baseline") return "baselined";
  if (action == "adopt") return "adopted";
  if (action == "accept") return "accepted";
  if (action == "rollback") return "rolled back";
  return action;  // "included", and any later action as it is stored
}

std::optional<std::vector<HistoryLogRow>> read_history_log(Connection& db, const HistoryTable& table) {
  const auto outcome = db.run_pipeline(
      {{fmt::format(
            // module and client through to_jsonb: a table from an older version may lack them.
            R"(SELECT h.id, coalesce(to_jsonb(h) ->> 'module', '') AS module, h.version, h.name, h.action, h.state,
       h.is_current, to_char(h.applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at,
       h.applied_by, coalesce(to_jsonb(h) ->> 'client', '') AS client, h.duration_ms, h.tool_version,
       coalesce(h.error, '') AS error
FROM {} h ORDER BY h.id)",
            table.qualified()),
        {}}});
  if (outcome.error) {
    if (outcome.error->sqlstate == "42P01" || outcome.error->sqlstate == "3F000") return std::nullopt;
    throw QueryFailed(*outcome.error);
  }
  const QueryResult& result = outcome.results.at(0);
  std::vector<HistoryLogRow> rows;
  rows.reserve(result.rows.size());
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    HistoryLogRow r;
    read_record_columns(result, i, r);
    r.id = std::stoll(result.text(i, "id"));
    r.current = result.text(i, "is_current") == "t";
    r.client = result.text(i, "client");
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace cora
