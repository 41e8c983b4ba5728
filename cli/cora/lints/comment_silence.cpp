#include "cora/lints/comment_silence.hpp"

namespace cora {

std::map<std::string, std::string> comment_silences(const std::string& comment) {
  static const std::string marker = "cora-migrate: ignore=";
  std::map<std::string, std::string> out;
  for (std::size_t at = comment.find(marker); at != std::string::npos; at = comment.find(marker, at + 1)) {
    std::size_t i = at + marker.size();
    const std::size_t rules_end = comment.find_first_of(" \t\n", i);
    if (rules_end == std::string::npos) continue;
    const std::string rules = comment.substr(i, rules_end - i);
    i = comment.find_first_not_of(" \t\n", rules_end);
    static const std::string reason_key = "reason=\"";
    if (i == std::string::npos || comment.compare(i, reason_key.size(), reason_key) != 0) continue;
    const std::size_t reason_begin = i + reason_key.size();
    const std::size_t reason_end = comment.find('"', reason_begin);
    if (reason_end == std::string::npos || reason_end == reason_begin) continue;
    const std::string reason = comment.substr(reason_begin, reason_end - reason_begin);
    std::size_t start = 0;
    while (start <= rules.size()) {
      const std::size_t comma = rules.find(',', start);
      const std::string rule = rules.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!rule.empty()) out[rule] = reason;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace cora
