#pragma once
// What the offline lint of migration files reports: findings with file:line, the rules it knows,
// and the findings a `-- cora-migrate: ignore=RULE reason="..."` comment silenced.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cora::lint {

enum class Severity { warning, error };

struct Finding {
  std::string rule;  // a rule name below, or "invalid_file" / "invalid_silence" for errors
  Severity severity = Severity::warning;
  std::string file;  // the file's path as given
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string message;
  std::string hint;  // how to fix it
};

struct SilencedFinding {
  Finding finding;
  std::string reason;    // from the silencing comment
  int silence_line = 0;  // where that comment is
};

// The application code's calls ([app]), when they were checked.
struct AppCallsSummary {
  std::size_t files = 0;        // Python files read
  std::size_t calls = 0;        // data API call sites found
  std::size_t not_checked = 0;  // of them, those with a name or keys that are not literal
};

struct LintReport {
  std::size_t files = 0;          // files whose findings are reported
  std::vector<Finding> findings;  // errors and warnings, in file order, then by line
  std::vector<SilencedFinding> silenced;
  std::optional<AppCallsSummary> app;

  std::size_t count(Severity severity) const;
};

struct RuleInfo {
  std::string_view name;
  std::string_view summary;
};

// Every offline rule (the switchboard's, config/lint_rules.hpp), in the order docs/lints.md
// lists them. Each one's level comes from [lints]; they can be silenced.
const std::vector<RuleInfo>& offline_rules();
bool is_offline_rule(std::string_view name);

// Error "rules": they cannot be silenced.
inline constexpr std::string_view kInvalidFile = "invalid_file";        // syntax error, bad directive, ...
inline constexpr std::string_view kInvalidSilence = "invalid_silence";  // ignore= misuse

}  // namespace cora::lint
