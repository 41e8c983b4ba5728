#pragma once
// The Supabase CLI's own history table, supabase_migrations.schema_migrations: read to take a
// database over from the CLI (adopt --from-supabase), and to stop migrate from running files the
// CLI already applied.

#include <optional>
#include <string>
#include <vector>

#include "cora/db/server_error.hpp"

namespace cora {

class Connection;
struct PipelineStep;
struct SegmentOutcome;

inline constexpr const char* kSupabaseHistoryTable = "supabase_migrations.schema_migrations";

// One row of supabase_migrations.schema_migrations, as the Supabase CLI writes it when it applies
// supabase/migrations/<version>_<name>.sql.
struct SupabaseMigration {
  std::string version;  // the file name's digits, e.g. "20240101120000"
  std::string name;     // "" when the table has no name column (older CLI versions)
  // The file's statements as the CLI split them (comments kept, semicolons dropped); nullopt when
  // the row holds none (older CLI versions), so there is nothing to compare.
  std::optional<std::vector<std::string>> statements;
};

// Every row, in version order; nullopt when the table does not exist. Reads tables of older CLI
// versions too (no name or statements column). Throws QueryFailed (e.g. no privilege).
std::optional<std::vector<SupabaseMigration>> read_supabase_history(Connection& db);

// How many rows the Supabase CLI's table holds, and its last version: read as a pipeline segment
// of its own (supabase_history_count_step), in the round trip of another read, whether or not
// the answer is needed, so that it costs no round trip of its own.
struct SupabaseHistoryCount {
  std::string rows = "0";  // "0" also when the table is missing or may not be read
  std::string last_version;
  std::optional<ServerError> error;  // a failure other than "missing" or "no privilege"
};
PipelineStep supabase_history_count_step();
SupabaseHistoryCount decode_supabase_history_count(const SegmentOutcome& segment);

// Throws cora::Error (foreign_history) when `history_is_empty` (cora-migrate has recorded
// nothing in `history_table`) and the Supabase CLI's table has rows: running the files again
// would fail on, or duplicate, what the CLI applied. The message says to run
// `cora-migrate adopt --from-supabase`. A role that may not read the CLI's table is not stopped.
// Throws QueryFailed when the count failed otherwise. The first form reads the count itself
// (one round trip, only when `history_is_empty`).
void refuse_unadopted_supabase_history(Connection& db, bool history_is_empty, const std::string& history_table);
void refuse_unadopted_supabase_history(const SupabaseHistoryCount& count, bool history_is_empty,
                                       const std::string& history_table);

}  // namespace cora
