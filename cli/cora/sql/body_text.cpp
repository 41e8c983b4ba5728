#include "cora/sql/body_text.hpp"

#include "cora/util/text_position.hpp"

namespace cora::body {

char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_char(c);
  return out;
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool is_identifier_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         u >= 0x80;
}

int line_of(std::string_view text, std::size_t offset) { return line_column_at(text, offset).line; }

std::size_t offset_of_line(std::string_view text, int line) {
  if (line < 1) return std::string_view::npos;
  std::size_t offset = 0;
  for (int at = 1; at < line; ++at) {
    offset = text.find('\n', offset);
    if (offset == std::string_view::npos) return offset;
    ++offset;
  }
  return offset;
}

std::vector<std::string> split_qualified_name(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  const auto skip_blanks = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  while (true) {
    skip_blanks();
    std::string part;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) return {};
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            part += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        part += text[i++];
      }
    } else {
      while (i < text.size() && is_identifier_char(text[i])) part += lower_char(text[i++]);
    }
    if (part.empty()) return {};
    parts.push_back(std::move(part));
    skip_blanks();
    if (i == text.size()) return parts;
    if (text[i] != '.') return {};
    ++i;
  }
}

}  // namespace cora::body
