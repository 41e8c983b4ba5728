#pragma once
// Long advice for people, broken at spaces so that no line of a report runs past a terminal's
// width.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cora {

// `lead` + `text`, wrapped at spaces to at most `width` columns where the words allow (a word
// longer than the width stays whole); further lines, and lines the text's own newlines start,
// begin with `indent`, by default as many spaces as `lead` is long. Only the space a break
// replaces is dropped. No trailing newline.
std::string wrap_text(std::string_view lead, std::string_view text, std::size_t width = 100,
                      std::optional<std::string_view> indent = std::nullopt);

}  // namespace cora
