#pragma once
// The Supabase CLI's own history table, supabase_migrations.schema_migrations: read to take a
// database over from the CLI (adopt --from-supabase), and to stop migrate from running files the
// CLI already applied.

#include <optional>
#include <string>
#include <vector>

#include "cora/migrations/supabase_import.hpp"

namespace cora {

class Connection;

inline constexpr const char* kSupabaseHistoryTable = "supabase_migrations.schema_migrations";

// Every row, in version order; nullopt when the table does not exist. Reads tables of older CLI
// versions too (no name or statements column). Throws QueryFailed (e.g. no privilege).
std::optional<std::vector<SupabaseMigration>> read_supabase_history(Connection& db);

// Throws cora::Error (foreign_history) when `history_is_empty` (cora-migrate has recorded
// nothing in `history_table`) and the Supabase CLI's table has rows: running the files again
// would fail on, or duplicate, what the CLI applied. The message says to run
// `cora-migrate adopt --from-supabase`. A role that may not read the CLI's table is not stopped.
void refuse_unadopted_supabase_history(Connection& db, bool history_is_empty, const std::string& history_table);

}  // namespace cora
