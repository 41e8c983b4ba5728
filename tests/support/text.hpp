#pragma once
// Small text helpers the test files share: what a command printed, and files it wrote.

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cora::test {

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// How often `what` occurs in `text`, overlapping occurrences included.
inline std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The whole file, byte for byte; "" when it cannot be read.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace cora::test
