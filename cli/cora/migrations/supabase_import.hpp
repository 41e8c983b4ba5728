#pragma once
// Taking over a database the Supabase CLI migrated: its history rows
// (supabase_migrations.schema_migrations) matched with the local files, statement by statement.
// Pure: rows and files in, a decision out.

#include <optional>
#include <string>
#include <vector>

#include "cora/db/history_record.hpp"
#include "cora/db/supabase_history.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

struct SupabaseImport {
  std::vector<const MigrationFile*> to_import;  // recorded by the CLI and matching their file, in row order
  std::size_t already_recorded = 0;             // rows whose file cora-migrate's history already has
  // One line each, naming the version and the file: a statement list that differs from the file,
  // a row with no local file, a row without statements, a file that does not parse.
  std::vector<std::string> problems;
};

// Matches each row with the file of the same version (in `files`, a project without modules) and
// compares the row's statements with the file's, split by our parser, as normalised_statement()
// gives them; statement lists that only split differently (the same tokens between the same
// semicolons overall) match too.
SupabaseImport plan_supabase_import(const std::vector<MigrationFile>& files, const std::vector<SupabaseMigration>& rows,
                                    const std::vector<HistoryRecord>& history);

}  // namespace cora
