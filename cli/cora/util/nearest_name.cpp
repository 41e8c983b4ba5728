#include "cora/util/nearest_name.hpp"

#include <algorithm>

namespace cora {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Three rows of the table: two swapped neighbours ("titel") count as one slip.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

namespace {

bool contains_whole(const std::string& longer, const std::string& shorter) {
  return shorter.size() >= 3 && longer.size() > shorter.size() &&
         (longer.compare(0, shorter.size(), shorter) == 0 ||
          longer.compare(longer.size() - shorter.size(), shorter.size(), shorter) == 0);
}

}  // namespace

std::optional<std::string> nearest_name(const std::string& name, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    if (candidate == name) continue;
    const std::size_t distance = edit_distance(name, candidate);
    const std::size_t longer = std::max(name.size(), candidate.size());
    const std::size_t allowed = std::clamp<std::size_t>(longer / 3, 1, 4);
    const bool near = distance <= allowed || contains_whole(name, candidate) || contains_whole(candidate, name);
    if (near && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace cora
