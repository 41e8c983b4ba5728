#pragma once
// Shared by the libFuzzer targets: an invariant that does not hold is a crash libFuzzer keeps.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace cora::fuzz {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

inline std::string text_of(const unsigned char* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace cora::fuzz
