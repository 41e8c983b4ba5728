#pragma once
// The text a migration file had when it was applied. The history table keeps only its checksum,
// so the text is looked for in git: the commits that touched the file, newest first, until one
// holds a text with the recorded checksum.

#include <filesystem>
#include <optional>
#include <string>

namespace cora::cli {

struct AppliedText {
  std::string commit;  // full hash
  std::string text;
  std::string diff;  // `git diff COMMIT -- FILE`: from the applied text to the file now
};

// Looks through the last kCommitsSearched commits of `file`'s history; nullopt when git is not
// installed, the file is not in a git work tree, or no commit holds that checksum. `why_not` then
// says which.
std::optional<AppliedText> find_applied_text(const std::filesystem::path& file, const std::string& recorded_checksum,
                                             std::string& why_not);

inline constexpr int kCommitsSearched = 200;

}  // namespace cora::cli
