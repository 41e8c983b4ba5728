#include "cora/util/line_index.hpp"

#include <algorithm>

namespace cora {

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (std::size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1)) {
    starts_.push_back(i + 1);
  }
}

int LineIndex::line_of(std::size_t byte_offset) const {
  byte_offset = std::min(byte_offset, text_.size());
  const auto after = std::upper_bound(starts_.begin(), starts_.end(), byte_offset);
  return static_cast<int>(after - starts_.begin());
}

LineColumn LineIndex::at(std::size_t byte_offset) const {
  byte_offset = std::min(byte_offset, text_.size());
  const int line = line_of(byte_offset);
  const std::size_t start = starts_[static_cast<std::size_t>(line - 1)];
  const auto within = line_column_at(text_.substr(start, byte_offset - start), byte_offset - start);
  return {line, within.column};
}

}  // namespace cora
