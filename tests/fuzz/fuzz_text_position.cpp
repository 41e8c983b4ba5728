// libFuzzer: mapping PostgreSQL's error positions (characters) to bytes, lines and columns
// (byte_offset_of_character, line_column_at) on arbitrary text and positions. Input: a 4-byte
// position, then the text.

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/util/text_position.hpp"

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cora::fuzz::require;
  if (size < sizeof(std::int32_t)) return 0;
  std::int32_t position = 0;
  std::memcpy(&position, data, sizeof position);
  const std::string owned = cora::fuzz::text_of(data + sizeof position, size - sizeof position);
  const std::string_view text(owned);

  const std::size_t offset = cora::byte_offset_of_character(text, position);
  require(offset <= text.size(), "the offset is inside the text");
  if (position < INT_MAX) require(cora::byte_offset_of_character(text, position + 1) >= offset, "monotonic");
  if (position <= 1) require(offset == 0, "positions up to 1 are the start");

  const auto at = cora::line_column_at(text, offset);
  require(at.line >= 1 && at.column >= 1, "1-based");
  const auto end = cora::line_column_at(text, text.size());
  const auto past = cora::line_column_at(text, text.size() + 1 + offset);
  require(past.line == end.line && past.column == end.column, "offsets past the end are clamped");

  // Against a plain reference: lines are newlines + 1, columns count characters after the last one.
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if (!is_continuation(text[i])) {
      ++column;
    }
  }
  require(at.line == line && at.column == column, "line and column as counted by hand");

  // In UTF-8 text, character N starts a character, and on the first line its column is N.
  if (!cora::find_invalid_utf8(owned)) {
    require(offset == text.size() || !is_continuation(text[offset]), "never inside a character");
    std::size_t characters = 0;
    for (const char c : text) characters += is_continuation(c) ? 0 : 1;
    const bool first_line = text.substr(0, offset).find('\n') == std::string_view::npos;
    if (position >= 1 && static_cast<std::size_t>(position) <= characters + 1 && first_line) {
      require(at.column == position, "column N for character N");
    }
  }
  return 0;
}
