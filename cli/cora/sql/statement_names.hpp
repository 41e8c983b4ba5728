#pragma once
// The relations a SQL text names, the functions it calls and the relations it creates, read from
// its parse tree (one part of the function body analysis, function_references.cpp).

#include <optional>
#include <string>
#include <vector>

namespace cora::body {

// libpg_query prints, and we walk, parse trees by recursion: deeper ones are not parsed
// (sql/nesting.hpp).
constexpr const char* kTooDeep = "nests too deeply to analyse";

bool nests_too_deeply(const std::string& sql);

struct FoundName {
  std::string schema;
  std::string name;
  int location = 0;  // byte offset in the parsed text
};

struct SqlNames {
  std::vector<FoundName> references;
  std::vector<FoundName> calls;    // FuncCall names
  std::vector<FoundName> created;  // CREATE TABLE x, SELECT INTO x, ...: not expected to exist
};

// nullopt and `error` set when `sql` does not parse (with the 1-based character position of the
// error in `error_cursor`, 0 when unknown).
std::optional<SqlNames> names_in_sql(const std::string& sql, std::string* error, int* error_cursor);

}  // namespace cora::body
