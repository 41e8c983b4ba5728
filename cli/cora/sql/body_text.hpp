#pragma once
// Small text helpers of the function body analysis (function_references.cpp): ASCII folding,
// trimming, lines, and a qualified name as PostgreSQL folds it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cora::body {

char lower_char(char c);
std::string lower_ascii(std::string_view s);
std::string_view trim(std::string_view s);  // blanks: space, tab, CR, LF, FF
bool is_identifier_char(char c);
int line_of(std::string_view text, std::size_t offset);  // 1-based
// Byte offset where 1-based `line` starts, or npos.
std::size_t offset_of_line(std::string_view text, int line);
// `"My Schema".Users` -> {"My Schema", "users"}: PostgreSQL's folding. Empty when malformed.
std::vector<std::string> split_qualified_name(std::string_view text);

}  // namespace cora::body
