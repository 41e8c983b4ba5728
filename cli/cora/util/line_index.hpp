#pragma once
// Line numbers of byte offsets in one text, from an index of where each line starts: one pass
// over the text, then a binary search per look-up. Counting from the start of the text for each
// statement made preparing a 40,000-statement file quadratic (minutes).

#include <cstddef>
#include <string_view>
#include <vector>

#include "cora/util/text_position.hpp"

namespace cora {

class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  // 1-based line of the byte at `byte_offset` (clamped to the text's end).
  int line_of(std::size_t byte_offset) const;
  // Line and column (in characters), as line_column_at(text, byte_offset) gives them.
  LineColumn at(std::size_t byte_offset) const;

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;  // byte offset of each line's first byte
};

}  // namespace cora
