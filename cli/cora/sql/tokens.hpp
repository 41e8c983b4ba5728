#pragma once
// PostgreSQL's own scanner (libpg_query's pg_query_scan) over a whole text: tokens with byte
// offsets, comments left out. What a string, a quoted name or a dollar-quoted body is, is
// decided exactly as the server decides it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

struct SqlToken {
  std::size_t start = 0;  // byte offset
  std::size_t end = 0;    // byte offset just past the token
  int kind = 0;           // pg_query.proto's Token (e.g. IDENT, DROP, '(')
  bool keyword = false;   // any keyword, reserved or not (such a word may still name a column)
};

// Token kinds this project looks at, as numbered in pg_query.proto (libpg_query 15).
namespace token {
constexpr int open_paren = '(';
constexpr int close_paren = ')';
constexpr int open_bracket = '[';
constexpr int close_bracket = ']';
constexpr int comma = ',';
constexpr int semicolon = ';';
constexpr int dot = '.';
constexpr int ident = 258;
constexpr int uident = 259;
constexpr int fconst = 260;
constexpr int sconst = 261;
constexpr int usconst = 262;
constexpr int bconst = 263;
constexpr int xconst = 264;
constexpr int iconst = 266;
constexpr int param = 267;
constexpr int sql_comment = 275;
constexpr int c_comment = 276;
constexpr int and_kw = 291;
constexpr int column_kw = 336;
constexpr int drop_kw = 395;
constexpr int exists_kw = 410;
constexpr int if_kw = 447;
constexpr int or_kw = 548;
}  // namespace token

// nullopt when the scanner rejects the text (an unterminated quote or comment, say); the
// parser then reports the same problem with its position.
std::optional<std::vector<SqlToken>> scan_sql_tokens(const std::string& sql);

// An identifier token's name as PostgreSQL stores it: "Quoted" names as written ("" -> "),
// others folded to lower case (ASCII, as the server does for identifiers).
std::string identifier_name(std::string_view token_text);

}  // namespace cora
