#include "cora/db/supabase_history.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cora/db/connection.hpp"
#include "cora/error.hpp"

namespace cora {

namespace {

constexpr const char* kUndefinedTable = "42P01";
constexpr const char* kUndefinedSchema = "3F000";
constexpr const char* kInsufficientPrivilege = "42501";

bool table_missing(const ServerError& e) { return e.sqlstate == kUndefinedTable || e.sqlstate == kUndefinedSchema; }

}  // namespace

std::optional<std::vector<SupabaseMigration>> read_supabase_history(Connection& db) {
  // Through to_jsonb: the name and statements columns came in later CLI versions, and the
  // server, not we, turns text[] into something to read.
  const auto outcome =
      db.run_pipeline({{fmt::format("SELECT m.version::text AS version, coalesce(to_jsonb(m) ->> 'name', '') AS name, "
                                    "(to_jsonb(m) -> 'statements')::text AS statements "
                                    "FROM {} m ORDER BY m.version",
                                    kSupabaseHistoryTable),
                        {}}});
  if (outcome.error) {
    if (table_missing(*outcome.error)) return std::nullopt;
    throw QueryFailed(*outcome.error);
  }
  const QueryResult& result = outcome.results.at(0);
  std::vector<SupabaseMigration> rows;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    SupabaseMigration row;
    row.version = result.text(i, "version");
    row.name = result.text(i, "name");
    const auto statements = nlohmann::json::parse(result.text(i, "statements"), nullptr, false);
    if (statements.is_array()) {
      row.statements.emplace();
      for (const auto& s : statements) row.statements->push_back(s.is_string() ? s.get<std::string>() : "");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

PipelineStep supabase_history_count_step() {
  return {fmt::format("SELECT count(*) AS rows, max(version::text) AS last_version FROM {}", kSupabaseHistoryTable),
          {}};
}

SupabaseHistoryCount decode_supabase_history_count(const SegmentOutcome& segment) {
  SupabaseHistoryCount count;
  if (segment.error) {
    if (!table_missing(*segment.error) && segment.error->sqlstate != kInsufficientPrivilege) {
      count.error = segment.error;
    }
    return count;
  }
  const QueryResult& result = segment.results.at(0);
  count.rows = result.text(0, "rows");
  count.last_version = result.at(0, "last_version").value_or("?");
  return count;
}

void refuse_unadopted_supabase_history(Connection& db, bool history_is_empty, const std::string& history_table) {
  if (!history_is_empty) return;
  const auto segments = db.run_segments({{supabase_history_count_step()}});
  refuse_unadopted_supabase_history(decode_supabase_history_count(segments.at(0)), history_is_empty, history_table);
}

void refuse_unadopted_supabase_history(const SupabaseHistoryCount& count, bool history_is_empty,
                                       const std::string& history_table) {
  if (!history_is_empty) return;
  if (count.error) throw QueryFailed(*count.error);
  if (count.rows == "0") return;
  throw Error(ExitCode::foreign_history,
              fmt::format("this database was migrated by the Supabase CLI ({} has {} {}, the last version {}) and "
                          "{} is empty: running the files again would fail on what the CLI applied",
                          kSupabaseHistoryTable, count.rows, count.rows == "1" ? "row" : "rows", count.last_version,
                          history_table),
              "take that history over with `cora-migrate adopt --from-supabase`, then run migrate");
}

}  // namespace cora
