#pragma once
// A migration file made ready to run: its header directives read and its SQL split and checked
// offline, so that a syntax error is reported before the database is touched.

#include <chrono>
#include <optional>

#include "migrations/migration_file.hpp"
#include "migrations/sql_script.hpp"

namespace cora {

// Written in the file's leading comment block, e.g.
//   -- cora-migrate: transaction=false lock_timeout=30s statement_timeout=0
struct MigrationDirectives {
  bool transaction = true;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
};

struct PreparedMigration {
  const MigrationFile* file = nullptr;
  MigrationDirectives directives;
  SqlScript script;
  // Set when this run re-applies a changed file: the checksum history holds for it now.
  std::optional<std::string> replaces_checksum;

  std::string statement_text(const SqlStatement& s) const { return file->content.substr(s.offset, s.length); }
};

// Reads the directives of the leading comment block. Throws cora::Error (migration_files) with
// file:line for an unknown key or a bad value.
MigrationDirectives parse_directives(const MigrationFile& file);

// Throws cora::Error (migration_files) with file:line:column for a syntax error, and for
// transaction control (BEGIN/COMMIT/...) in a file that runs in our transaction.
PreparedMigration prepare_migration(const MigrationFile& file);

}  // namespace cora
