#pragma once
// A SQL text parsed by PostgreSQL's parser (libpg_query): each statement's place and node type,
// and the parse tree of just the statement types some reader looks at (keeps_tree).
//
// Keeping every tree would hold gigabytes for a 50 MB file of INSERTs that nobody looks at;
// the trees of the other statements are skipped while libpg_query's JSON is read.
//
// One run reads a file in several places (migrate's plan and its checks, lint's validation and
// its rules, verify's sources and re-run proof): each distinct text is parsed once per run and
// the result, or the syntax error, shared.

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

struct ParsedStatement {
  std::size_t offset = 0;  // byte offset, leading comments and blanks included
  std::size_t length = 0;  // bytes, to the end of the text for the last statement
  // e.g. "CreateStmt": one copy of each type's name for the whole run, not one per statement.
  std::string_view type;
  nlohmann::json node;  // the node under `type`; null unless keeps_tree(type)
};

// The statement types whose tree is kept: those sql/script.cpp, sql/defined_objects.cpp, the
// lint rules (lint/lint_file.cpp) and adopt (verify/adoption_effects.cpp) read.
bool keeps_tree(std::string_view type);

// Throws SqlParseFailure (sql/script.hpp) for a syntax error, and for a statement nested more
// deeply than kMaxNesting (sql/nesting.hpp), with the line and column. The same text again gets
// the same result (or failure) without a second parse. Thread-safe.
std::shared_ptr<const std::vector<ParsedStatement>> parse_statements(const std::string& sql);

// As parse_statements, uncached, with the parser given at least `chunk_bytes` of statements at a
// time (parse_statements: 256 KiB): for the tests, which show every chunk size gives the same.
std::vector<ParsedStatement> parse_statements_in_chunks(const std::string& sql, std::size_t chunk_bytes);

// How many texts have been parsed so far (a repeated text counts once): for the tests.
std::size_t statement_parses_run();

}  // namespace cora
