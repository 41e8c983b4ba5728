#pragma once
// A SQL text parsed by PostgreSQL's parser (libpg_query): each statement's place and node type,
// and the parse tree of just the statement types the caller reads.
//
// Keeping every tree would hold gigabytes for a 50 MB file of INSERTs that nobody looks at;
// the trees of the other statements are skipped while libpg_query's JSON is read.

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

struct ParsedStatement {
  std::size_t offset = 0;  // byte offset, leading comments and blanks included
  std::size_t length = 0;  // bytes, to the end of the text for the last statement
  std::string type;        // e.g. "CreateStmt"
  nlohmann::json node;     // the node under `type`; null unless `keep_node(type)`
};

// Throws SqlParseFailure (sql/script.hpp) for a syntax error, and for a statement nested more
// deeply than kMaxNesting (sql/nesting.hpp), with the line and column.
std::vector<ParsedStatement> parse_statements(const std::string& sql,
                                              const std::function<bool(std::string_view type)>& keep_node);

}  // namespace cora
