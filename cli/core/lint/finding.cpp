#include "lint/finding.hpp"

#include <algorithm>

namespace cora::lint {

std::size_t LintReport::count(Severity severity) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

const std::vector<RuleInfo>& warning_rules() {
  static const std::vector<RuleInfo> rules{
      {"create_index_concurrently", "CREATE INDEX without CONCURRENTLY on a table that already exists"},
      {"not_null_without_default", "ADD COLUMN ... NOT NULL without a DEFAULT on a table that already exists"},
      {"volatile_default",
       "ADD COLUMN whose default is computed per row (volatile function, serial, identity, "
       "stored generated) on a table that already exists: a full table rewrite"},
      {"drop_column", "ALTER TABLE ... DROP COLUMN on a table that already exists"},
      {"drop_table", "DROP TABLE of a table that already exists"},
      {"rename_referenced_table", "RENAME of a table that a function body in the migrations still names"},
      {"missing_lock_timeout", "a strong lock on a table that already exists with no lock_timeout at all"},
      {"undeclared_module_dependency",
       "a module's file uses a table, view, type or function of a module outside its depends_on (and the registry's)"},
  };
  return rules;
}

bool is_warning_rule(std::string_view name) {
  const auto& rules = warning_rules();
  return std::any_of(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.name == name; });
}

}  // namespace cora::lint
