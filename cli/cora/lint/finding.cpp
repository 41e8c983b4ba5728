#include "cora/lint/finding.hpp"

#include <algorithm>

#include "cora/config/lint_rules.hpp"

namespace cora::lint {

std::size_t LintReport::count(Severity severity) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

const std::vector<RuleInfo>& offline_rules() {
  static const std::vector<RuleInfo> rules = [] {
    std::vector<RuleInfo> out;
    for (const auto& rule : lint_rules()) {
      if (rule.scope == LintScope::offline) out.push_back({rule.name, rule.summary});
    }
    return out;
  }();
  return rules;
}

bool is_offline_rule(std::string_view name) {
  const auto& rules = offline_rules();
  return std::any_of(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.name == name; });
}

}  // namespace cora::lint
