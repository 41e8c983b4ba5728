#include "cora/db/server_error.hpp"

namespace cora {

std::string statement_head(const std::string& sql) {
  constexpr std::size_t kLongest = 60;
  std::string head;
  bool blank = false;
  for (const char c : sql) {
    // A literal may hold a password (CREATE ROLE ... PASSWORD '...'): stop before any.
    if (c == '\'' || c == '$') {
      head += blank ? " …" : "…";
      break;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      blank = !head.empty();
      continue;
    }
    if (blank) head += ' ';
    blank = false;
    // Cut only before the first byte of a character, so the head stays valid UTF-8 (JSON).
    if (head.size() >= kLongest && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      head += "…";
      break;
    }
    head += c;
  }
  return head;
}

}  // namespace cora
