#pragma once
// A migration file made ready to run: its header directives read and its SQL split and checked
// offline, so that a syntax error is reported before the database is touched.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cora/migrations/migration_file.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/sql/script.hpp"

namespace cora {

// Lint warnings silenced on purpose, with the reason (required):
//   -- cora-migrate: ignore=create_index_concurrently,drop_column reason="the table is empty"
// In the leading comment block it covers the whole file; just before a statement, that statement.
// Rule names are checked by the lint (cli/cora/lint), not here.
struct LintSilence {
  std::vector<std::string> rules;
  std::string reason;
  int line = 0;  // of the comment
};

// Written in the file's leading comment block, e.g.
//   -- cora-migrate: transaction=false lock_timeout=30s statement_timeout=0 rerunnable=true
struct MigrationDirectives {
  bool transaction = true;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::vector<LintSilence> silences;  // the leading comment block's: for the whole file
  // rerunnable=true: the file is meant to run again on a database that has what it creates
  // (as a module's schema/ files are), so the lint checks it for re-run hazards.
  bool rerunnable = false;
};

struct PreparedMigration {
  const MigrationFile* file = nullptr;
  MigrationDirectives directives;
  SqlScript script;
  // Set when this run re-applies a changed file: the checksum history holds for it now.
  std::optional<std::string> replaces_checksum;
  // A module's first snapshot file on a database without the module: the deltas to record as
  // "included" (already in the snapshot) in this file's transaction, without running them.
  std::vector<const MigrationFile*> records_included;
  // Whether the session is reset after the file (Migrator::prepare decides): false only for a
  // file none of whose statements can change the session, on a database where no event trigger
  // runs code on DDL, after only such files in this run.
  bool reset_session = true;

  std::string statement_text(const SqlStatement& s) const { return file->content.substr(s.offset, s.length); }
};

// The first statement of `file` that destroys data when run again (DROP TABLE, TRUNCATE, DELETE
// without WHERE, DROP OWNED), or may (DROP TYPE / SCHEMA / FUNCTION ... CASCADE: the files alone
// cannot tell what depends on it; migrate/cascade_guard.hpp asks the database), or nullopt (also when the file does not parse: preparing it reports that).
std::optional<DestructiveStatement> first_destructive_statement(const MigrationFile& file);

// Reads the directives of the leading comment block. Throws cora::Error (migration_files) with
// file:line for an unknown key or a bad value.
MigrationDirectives parse_directives(const MigrationFile& file);

// The text after "-- cora-migrate:" when `line` (blanks around it allowed) is a directive comment.
std::optional<std::string_view> directive_text(std::string_view line);

// Reads one directive line's words (`text`: after "-- cora-migrate:") into `directives`. A value
// may be "double quoted" to hold blanks. Outside the leading comment block (`in_header` false)
// only ignore= and reason= are allowed. Throws cora::Error (migration_files) with file:line.
void parse_directive_line(const MigrationFile& file, int line, std::string_view text, MigrationDirectives& directives,
                          bool in_header);

// Throws cora::Error (migration_files) with file:line:column for a syntax error, and for
// transaction control (BEGIN/COMMIT/...) in a file that runs in our transaction.
PreparedMigration prepare_migration(const MigrationFile& file);

// prepare_migration's checks, with the same errors, without keeping the statements: its
// directives. For a reader that needs the file checked but not its SqlScript (lint).
MigrationDirectives validate_migration(const MigrationFile& file);

}  // namespace cora
