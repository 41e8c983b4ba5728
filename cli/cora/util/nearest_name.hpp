#pragma once
// "Did you mean": the known name a mistyped one most likely meant, for every error that names an
// unknown command, option, config key, lint, module or environment.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

// The candidate nearest to `given` (edits: insert, delete, replace, swap two neighbours; case
// ignored), when it is near enough to be a slip rather than another word: at most one edit for
// names of up to four characters, else at most a third of the longer name. The first candidate
// wins a tie. Never `given` itself.
std::optional<std::string> nearest_name(std::string_view given, const std::vector<std::string>& candidates);

// "did you mean `NAME`? " (with the trailing blank) for the nearest candidate, or "".
std::string did_you_mean(std::string_view given, const std::vector<std::string>& candidates);

}  // namespace cora
