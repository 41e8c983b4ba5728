#pragma once
// Counts for people: "1 error", "2 errors".

#include <cstddef>
#include <string>

namespace cora {

// `n` and `word`, or `n` and `many` (by default `word` and an "s") unless n is 1.
inline std::string plural(std::size_t n, const std::string& word, const std::string& many = {}) {
  return std::to_string(n) + " " + (n == 1 ? word : many.empty() ? word + "s" : many);
}

}  // namespace cora
