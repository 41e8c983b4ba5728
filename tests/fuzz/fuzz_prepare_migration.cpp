// libFuzzer: a migration file's content made ready to run (prepare_migration): the header
// directives, the SQL split by libpg_query, the checks on transaction control and COPY.

#include <cstddef>
#include <cstdint>
#include <string>

#include "cora/error.hpp"
#include "fuzz_support.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/migrations/prepared_migration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cora::fuzz::require;
  cora::MigrationFile file;
  file.version = 1;
  file.name = "fuzz";
  file.file_name = "001-fuzz.sql";
  file.path = "migrations/001-fuzz.sql";
  file.content = cora::fuzz::text_of(data, size);
  // discover_migrations turns empty files and files that are not UTF-8 away before this.
  if (file.content.find_first_not_of(" \t\r\n") == std::string::npos || cora::find_invalid_utf8(file.content)) return 0;
  try {
    const auto prepared = cora::prepare_migration(file);
    require(!prepared.script.statements.empty(), "at least one statement");
    std::size_t previous_end = 0;
    int previous_line = 1;
    int lines = 1;
    for (const char c : file.content) lines += c == '\n' ? 1 : 0;
    for (const auto& statement : prepared.script.statements) {
      require(statement.offset <= file.content.size() && statement.length <= file.content.size() - statement.offset,
              "statements lie inside the file");
      require(statement.offset >= previous_end, "statements are in order and do not overlap");
      require(statement.first_line >= previous_line && statement.first_line <= lines, "first lines are in order");
      require(!statement.node_type.empty(), "every statement has a parse node");
      (void)prepared.statement_text(statement);
      previous_end = statement.offset + statement.length;
      previous_line = statement.first_line;
    }
  } catch (const cora::Error& e) {
    // Every mistake is a migration-file error (exit 4) naming the file.
    require(e.code() == cora::ExitCode::migration_files, "exit code 4");
    require(cora::fuzz::contains(e.what(), "migrations/001-fuzz.sql"), "the error names the file");
  }
  return 0;
}
