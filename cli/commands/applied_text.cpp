#include "commands/applied_text.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "cora/migrations/migration_file.hpp"
#include "cora/util/sha256.hpp"
#include "cora/util/subprocess.hpp"

namespace cora::cli {

namespace {

std::optional<std::filesystem::path> git_on_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "git";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::string without_final_newline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

std::optional<AppliedText> find_applied_text(const std::filesystem::path& file, const std::string& recorded_checksum,
                                             std::string& why_not) {
  const auto git = git_on_path();
  if (!git) {
    why_not = "git is not installed, so no earlier text of the file can be found";
    return std::nullopt;
  }
  std::error_code ec;
  const auto absolute = std::filesystem::canonical(file, ec);
  if (ec) {
    why_not = fmt::format("{} cannot be read", file.string());
    return std::nullopt;
  }
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {git->string(), "-C", absolute.parent_path().string()});
    return Subprocess::run(args);
  };
  const auto top = run({"rev-parse", "--show-toplevel"});
  if (top.exit_code != 0) {
    why_not = fmt::format("{} is not in a git work tree", file.string());
    return std::nullopt;
  }
  const auto relative =
      std::filesystem::relative(absolute, std::filesystem::path(without_final_newline(top.out)), ec).generic_string();
  const auto log = run({"log", fmt::format("-n{}", kCommitsSearched), "--format=%H", "--", absolute.string()});
  std::istringstream commits(log.exit_code == 0 ? log.out : "");
  for (std::string commit; std::getline(commits, commit);) {
    if (commit.empty()) continue;
    auto shown = run({"show", commit + ":" + relative});
    if (shown.exit_code != 0) continue;
    if (migration_checksum(shown.out) != recorded_checksum && sha256_hex(shown.out) != recorded_checksum) continue;
    const auto diff = run({"diff", "--no-color", "--no-ext-diff", commit, "--", absolute.string()});
    return AppliedText{commit, std::move(shown.out), diff.exit_code == 0 ? diff.out : ""};
  }
  why_not = fmt::format("no commit of {} (of its last {}) holds the text that was applied (checksum {})", file.string(),
                        kCommitsSearched, recorded_checksum.substr(0, 12));
  return std::nullopt;
}

}  // namespace cora::cli
