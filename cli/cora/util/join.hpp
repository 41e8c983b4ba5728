#pragma once
// A list of strings written as one.

#include <string>
#include <vector>

namespace cora {

// "a, b, c" (or with another separator); "" for no items.
inline std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

}  // namespace cora
