#pragma once
// The history table: which migrations a database has had, with checksums. Lives in its own
// schema (not `public`), so the Data API never exposes it and anon/authenticated cannot touch it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cora/db/history_record.hpp"
#include "cora/db/server_error.hpp"

namespace cora {

class Connection;
struct PipelineStep;

// A "running" row whose session has sat idle this long is taken for abandoned: its run is gone
// (a pooler may keep the server session open after its client died). See running_alive_sql.
inline constexpr std::chrono::seconds kAbandonedAfterIdle{5};

// The revision of the helper functions, kept as the begin helper's comment: a database whose
// helpers are of another revision gets them replaced on the next migrate.
// Revision 3: the history's actions include "rollback" (the check constraint is re-created).
inline constexpr const char* kHelpersRevision = "cora-migrate helpers 3: rollback and accept rows";
struct ServerError;

struct HistoryState {
  std::optional<std::vector<HistoryRecord>> records;  // nullopt: the table does not exist yet
  bool helpers_installed = false;                     // this version's helper functions and history trigger are there
};

class QueryResult;

// Row `row` of a query over the history table into `record`: the columns every reader selects
// (module, version, name, state, action, applied_at, applied_by, duration_ms, tool_version, error).
void read_record_columns(const QueryResult& result, std::size_t row, HistoryRecord& record);

class HistoryTable {
 public:
  // `qualified_name` is "schema.table" in lower case (validated by the config).
  explicit HistoryTable(std::string qualified_name);

  const std::string& schema() const { return schema_; }
  const std::string& qualified() const { return qualified_; }  // quoted, ready for SQL
  // The helper functions, quoted: "schema"."table_begin" / "schema"."table_record".
  std::string begin_function() const;
  std::string record_function() const;

  // The current rows, in version order, and whether our helper functions are installed. One
  // round trip.
  HistoryState read(Connection& db) const;
  // The same read as pipeline steps (a segment of their own) and the decoding of what they
  // returned: a command sends them in the round trip of its other reads.
  std::vector<PipelineStep> read_steps() const;
  HistoryState decode_read(const std::vector<QueryResult>& results, const std::optional<ServerError>& error) const;

  // Statements that create the schema and table if missing and keep anon/authenticated out.
  std::vector<std::string> create_statements() const;

  // Key of the transaction-scoped advisory lock that serialises migrations on this table.
  std::int64_t lock_key() const;

 private:
  std::string helper_signature() const;
  std::string begin_signature() const;
  std::string table_name() const;

  std::string name_;
  std::string schema_;
  std::string qualified_;
};

}  // namespace cora
