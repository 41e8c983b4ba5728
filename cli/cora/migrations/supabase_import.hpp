#pragma once
// Taking over a database the Supabase CLI migrated: its history rows
// (supabase_migrations.schema_migrations) matched with the local files, statement by statement.
// Pure: rows and files in, a decision out.

#include <optional>
#include <string>
#include <vector>

#include "cora/migrations/history_record.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

// One row of supabase_migrations.schema_migrations, as the Supabase CLI writes it when it applies
// supabase/migrations/<version>_<name>.sql.
struct SupabaseMigration {
  std::string version;  // the file name's digits, e.g. "20240101120000"
  std::string name;     // "" when the table has no name column (older CLI versions)
  // The file's statements as the CLI split them (comments kept, semicolons dropped); nullopt when
  // the row holds none (older CLI versions), so there is nothing to compare.
  std::optional<std::vector<std::string>> statements;
};

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
