#include "cora/util/nearest_name.hpp"

#include <algorithm>
#include <cctype>

namespace cora {

namespace {

char folded(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// `shorter` begins or ends `longer` (a name with a prefix or suffix added), three characters at
// least so that "id" is not near every "*_id".
bool contains_whole(std::string_view longer, std::string_view shorter) {
  if (shorter.size() < 3 || longer.size() <= shorter.size()) return false;
  auto same = [](std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return folded(x) == folded(y); });
  };
  return same(longer.substr(0, shorter.size()), shorter) ||
         same(longer.substr(longer.size() - shorter.size()), shorter);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the table: two swapped neighbours ("titel") count as one slip.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = folded(a[i - 1]) == folded(b[j - 1]) ? 0 : 1;
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && folded(a[i - 1]) == folded(b[j - 2]) && folded(a[i - 2]) == folded(b[j - 1])) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

std::optional<std::string> nearest_name(std::string_view given, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    if (candidate == given) continue;
    const std::size_t distance = edit_distance(given, candidate);
    const std::size_t longer = std::max(given.size(), candidate.size());
    const std::size_t allowed = std::clamp<std::size_t>(longer / 3, 1, 4);
    const bool near = distance <= allowed || contains_whole(given, candidate) || contains_whole(candidate, given);
    if (near && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view given, const std::vector<std::string>& candidates) {
  const auto nearest = nearest_name(given, candidates);
  return nearest ? "did you mean `" + *nearest + "`? " : "";
}

}  // namespace cora
