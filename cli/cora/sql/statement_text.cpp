#include "cora/sql/statement_text.hpp"

#include <vector>

#include "cora/sql/tokens.hpp"

namespace cora {

namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n\f\v") - first + 1);
}

std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

std::string normalised_statement(const std::string& sql) {
  const auto tokens = scan_sql_tokens(sql);
  if (!tokens) return trimmed(sql);
  std::size_t count = tokens->size();
  while (count > 0 && (*tokens)[count - 1].kind == token::semicolon) --count;
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    const SqlToken& t = (*tokens)[i];
    std::string text = sql.substr(t.start, t.end - t.start);
    // A quoted name is case-sensitive and may hold blanks: it stays as written.
    if (t.keyword || (t.kind == token::ident && text.front() != '"')) text = ascii_lower(std::move(text));
    // "public.users" reads better than "public . users", and means the same.
    const bool joins = t.kind == token::dot || (i > 0 && (*tokens)[i - 1].kind == token::dot);
    if (!out.empty() && !joins) out += ' ';
    out += text;
  }
  return out;
}

}  // namespace cora
