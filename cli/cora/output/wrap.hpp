#pragma once
// Long advice for people, broken at spaces so that no line of a report runs past a terminal's
// width.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cora {

// `lead` + `text`, wrapped at spaces to at most `width` columns (Style::width(): kNoWrap when the
// output is not a terminal) where the words allow (a word longer than the width stays whole);
// never inside `a code span` or "a quoted name", which a reader copies whole. Further lines, and
// lines the text's own newlines start, begin with `indent`, by default as many spaces as `lead`
// is long. Only the space a break replaces is dropped. No trailing newline.
std::string wrap_text(std::string_view lead, std::string_view text, std::size_t width,
                      std::optional<std::string_view> indent = std::nullopt);

}  // namespace cora
