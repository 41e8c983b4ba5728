#include "cora/output/wrap.hpp"

#include <algorithm>

namespace cora {

std::string wrap_text(std::string_view lead, std::string_view text, std::size_t width,
                      std::optional<std::string_view> indent_text) {
  const std::string indent = indent_text ? std::string(*indent_text) : std::string(lead.size(), ' ');
  std::string out(lead);
  std::size_t column = lead.size();
  bool first_word = true;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t end = std::min(text.find(' ', i), text.size());
    if (end == i) break;
    const std::string_view word = text.substr(i, end - i);
    if (!first_word && column + 1 + word.size() > width) {
      out += '\n';
      out += indent;
      column = indent.size();
    } else if (!first_word) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first_word = false;
    i = end;
  }
  return out;
}

}  // namespace cora
