#pragma once
// "Did you mean": the known name a mistyped one most likely meant, for every error that names an
// unknown command, option, config key, lint, module or environment, and for the application-code
// checks ("did you mean `p_kb_ids`?").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

// Edit distance with case ignored: insertions, deletions, substitutions and swaps of two
// neighbours, each 1 (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `given` when it is near enough to be a slip rather than another word:
// at most a third of the longer name's characters differ (at least 1, at most 4), or one is the
// other with a prefix or suffix added (p_kb_id / p_kb_ids). The first candidate wins a tie.
// Never `given` itself; nullopt when none is near.
std::optional<std::string> nearest_name(std::string_view given, const std::vector<std::string>& candidates);

// "did you mean `NAME`? " (with the trailing blank) for the nearest candidate, or "".
std::string did_you_mean(std::string_view given, const std::vector<std::string>& candidates);

}  // namespace cora
