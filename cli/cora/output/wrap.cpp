#include "cora/output/wrap.hpp"

#include <algorithm>

namespace cora {

namespace {

// Where the word that starts at `from` ends: the next space outside a `code span` and a "quoted
// name" (an unclosed one runs to the end), or the end of the text.
std::size_t next_break(std::string_view text, std::size_t from) {
  bool in_code = false;
  bool in_quote = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '`' && !in_quote) in_code = !in_code;
    else if (c == '"' && !in_code) in_quote = !in_quote;
    else if (c == ' ' && !in_code && !in_quote) return i;
  }
  return text.size();
}

}  // namespace

std::string wrap_text(std::string_view lead, std::string_view text, std::size_t width,
                      std::optional<std::string_view> indent_text) {
  const std::string indent = indent_text ? std::string(*indent_text) : std::string(lead.size(), ' ');
  std::string out(lead);
  std::size_t column = lead.size();
  std::size_t line_start_column = lead.size();  // where this line's text begins
  // Words are what single spaces separate: a run of spaces keeps all but the one a break
  // replaces, so wrapping never changes what a value looks like (a mismatch only in blanks).
  std::size_t i = 0;
  bool first = true;
  while (i <= text.size()) {
    const std::size_t end = next_break(text, i);
    const std::string_view word = text.substr(i, end - i);
    const std::size_t newline = word.find('\n');
    const std::size_t word_width = newline == std::string_view::npos ? word.size() : newline;
    if (!first && column > line_start_column && column + 1 + word_width > width) {
      out += '\n';
      out += indent;
      column = line_start_column = indent.size();
    } else if (!first) {
      out += ' ';
      ++column;
    }
    // A newline in the text starts a line of its own, indented like the others.
    for (std::size_t at = 0; at < word.size();) {
      const std::size_t nl = word.find('\n', at);
      const std::string_view piece = word.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
      out += piece;
      column += piece.size();
      if (nl == std::string_view::npos) break;
      out += '\n';
      out += indent;
      column = line_start_column = indent.size();
      at = nl + 1;
    }
    first = false;
    if (end == text.size()) break;
    i = end + 1;
  }
  return out;
}

}  // namespace cora
