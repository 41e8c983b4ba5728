#include "cora/util/text_position.hpp"

namespace cora {

namespace {
bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

std::size_t byte_offset_of_character(std::string_view text, int char_position) {
  std::size_t offset = 0;
  for (int seen = 1; seen < char_position && offset < text.size(); ++seen) {
    ++offset;
    while (offset < text.size() && is_continuation_byte(text[offset])) ++offset;
  }
  return offset;
}

LineColumn line_column_at(std::string_view text, std::size_t byte_offset) {
  LineColumn at{1, 1};
  if (byte_offset > text.size()) byte_offset = text.size();
  for (std::size_t i = 0; i < byte_offset; ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else if (!is_continuation_byte(text[i])) {
      ++at.column;
    }
  }
  return at;
}

}  // namespace cora
