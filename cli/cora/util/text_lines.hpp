#pragma once
// A text cut into its lines.

#include <string>
#include <vector>

namespace cora {

// The lines of `text` without their '\n'; a last line without one counts, an empty text has none.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace cora
