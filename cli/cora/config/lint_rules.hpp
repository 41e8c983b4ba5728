#pragma once
// The switchboard: every built-in rule, live (verify) or offline (lint), by one name, with its
// default level. `[lints] NAME = "off" | "warning" | "error"` (or true / false) re-grades it.
// In config because the config checks each [lints] name and level against it, and lint and
// verify both read it.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cora {

enum class LintLevel { off, warning, error };

const char* to_string(LintLevel level);
// "off", "warning", "error"; true means the rule's default level, false means off.
std::optional<LintLevel> parse_lint_level(const std::string& text);

enum class LintScope { live, offline };

struct LintRule {
  std::string name;
  LintScope scope = LintScope::live;
  LintLevel default_level = LintLevel::warning;
  // What a finding of this rule is about, for adopt: table, policy, function, index, or "" (none).
  std::string subject_kind;
  std::string summary;  // one line, as `cora-migrate lints` prints it
  // Judged only where Supabase's rules apply (TargetKind in settings.hpp): about what the Data
  // API's roles anon and authenticated reach, or Supabase's own schemas.
  bool supabase = false;
};

// Every rule, live ones first, each family in the order docs/lints.md lists them.
const std::vector<LintRule>& lint_rules();
const LintRule* find_lint_rule(const std::string& name);

// Names accepted in [lints] for rules that were renamed: old name -> current name.
const std::map<std::string, std::string>& lint_aliases();

// The level a rule runs at: configured, else its default. `configured` is [lints].
using LintLevels = std::map<std::string, LintLevel>;
LintLevel level_of(const LintRule& rule, const LintLevels& configured);

}  // namespace cora
