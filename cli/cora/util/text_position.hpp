#pragma once
#include <cstddef>
#include <string_view>

namespace cora {

struct LineColumn {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, counted in characters
};

// Byte offset of the 1-based character position `char_position` in UTF-8 `text`, as PostgreSQL
// counts error positions in characters. Clamped to text.size().
std::size_t byte_offset_of_character(std::string_view text, int char_position);

// Line and column of the byte at `byte_offset` in `text`.
LineColumn line_column_at(std::string_view text, std::size_t byte_offset);

}  // namespace cora
