#pragma once
// The known name closest to a misspelt one, for "did you mean `p_kb_ids`?".

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cora {

// Edit distance: insertions, deletions, substitutions and swaps of two neighbours, each 1
// (optimal string alignment).
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `name` when it is near enough to be a slip: at most a third of the
// longer name's characters differ (at least 1, at most 4), or one is the other with a prefix or
// suffix added (p_kb_id / p_kb_ids). Ties go to the first candidate. nullopt when none is near.
std::optional<std::string> nearest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace cora
