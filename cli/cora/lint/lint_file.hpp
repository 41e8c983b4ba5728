#pragma once
// A migration file parsed for the lint: each statement with its parse tree (libpg_query JSON,
// whose nodes carry byte `location`s), the header directives, and the silences written before
// each statement.

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cora/error.hpp"
#include "cora/lint/finding.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "cora/sql/tokens.hpp"
#include "cora/util/line_index.hpp"

namespace cora::lint {

struct LintStatement {
  std::size_t offset = 0;  // byte offset in the file, leading comments included
  std::size_t start = 0;   // byte offset of the first token
  std::size_t end = 0;     // byte offset just past the statement (before its semicolon)
  int line = 1;            // line of the first token
  std::string type;        // e.g. "IndexStmt"
  nlohmann::json node;     // the node under `type`; null for types no rule reads
};

struct LintFile {
  const MigrationFile* file = nullptr;
  MigrationDirectives directives;  // header; its silences cover the file
  std::vector<LintStatement> statements;
  std::vector<std::vector<LintSilence>> statement_silences;  // one entry per statement

  std::shared_ptr<const LineIndex> lines;  // of file->content

  // Line of a byte offset in the file (a node's `location`), or `fallback` when it has none.
  int line_at(const nlohmann::json& node, int fallback) const;
  int line_of(std::size_t byte_offset) const { return lines->line_of(byte_offset); }
};

struct LoadedFile {
  std::optional<LintFile> file;  // unset when the file cannot be parsed
  std::vector<Finding> errors;   // invalid_file, or invalid_silence (the file is still linted)
};

// Reads directives and silences and parses the SQL. With `validate`, the file is also checked as
// `migrate` checks it before applying (prepare_migration: syntax, NUL bytes, BEGIN/COMMIT, COPY
// FROM STDIN, no statement) and every problem becomes an invalid_file error with file:line:column.
LoadedFile load_lint_file(const MigrationFile& file, bool validate);

// An error about `file` as an error finding: its place from the error's site, its message without
// the place, its hint.
Finding error_finding(const MigrationFile& file, std::string_view rule, const Error& e);

}  // namespace cora::lint
