#include "cora/lints/lints.hpp"

#include <map>

#include "cora/lints/comment_silence.hpp"
#include "cora/lints/lint_context.hpp"

namespace cora {

namespace {

using RuleFunction = void (*)(const LintContext&, LintOutcomes&);

const std::map<std::string, RuleFunction>& live_rule_functions() {
  static const std::map<std::string, RuleFunction> functions{
      {"policy_recursion", policy_recursion},
      {"rls_disabled_in_public", rls_disabled_in_public},
      {"policy_on_rls_disabled_table", policy_on_rls_disabled_table},
      {"rls_enabled_no_policy", rls_enabled_no_policy},
      {"policy_always_true", policy_always_true},
      {"policy_always_true_for_anon", policy_always_true_for_anon},
      {"sensitive_columns_policy_true", sensitive_columns_policy_true},
      {"table_owned_by_api_role", table_owned_by_api_role},
      {"multiple_permissive_policies", multiple_permissive_policies},
      {"auth_rls_initplan", auth_rls_initplan},
      {"user_metadata_referenced", user_metadata_referenced},
      {"security_definer_executable_by_anon", security_definer_executable_by_anon},
      {"security_definer_executable_by_authenticated", security_definer_executable_by_authenticated},
      {"function_search_path_mutable", function_search_path_mutable},
      {"unresolved_relation", unresolved_relation},
      {"auth_users_exposed", auth_users_exposed},
      {"security_definer_view", security_definer_view},
      {"materialized_view_in_api", materialized_view_in_api},
      {"foreign_table_in_api", foreign_table_in_api},
      {"sensitive_columns_exposed", sensitive_columns_exposed},
      {"extension_in_public", extension_in_public},
      {"no_primary_key", no_primary_key},
      {"unindexed_foreign_key", unindexed_foreign_key},
      {"duplicate_index", duplicate_index},
      {"invalid_index", invalid_index},
      {"fkey_to_auth_unique", fkey_to_auth_unique},
  };
  return functions;
}

// The COMMENT of each object a lint speaks about, by the subject the rules print.
std::map<std::string, std::string> comments_by_subject(const CatalogSnapshot& s) {
  std::map<std::string, std::string> out;
  for (const auto& [qualified, t] : s.tables) out[qualified] = t.comment;
  for (const auto& p : s.policies) out[p.schema + "." + p.table + " " + p.name] = p.comment;
  for (const auto& f : s.functions) out[signature_of(f)] = f.comment;
  for (const auto& i : s.indexes) out[i.schema + "." + i.name] = i.comment;
  return out;
}

Severity severity_of(LintLevel level) { return level == LintLevel::error ? Severity::error : Severity::warning; }

}  // namespace

std::vector<CheckOutcome> run_lints(const CatalogSnapshot& snapshot, const FunctionAnalyses& analyses,
                                    const LintLevels& levels, const std::vector<std::string>& exposed_schemas,
                                    const ModuleOrigins* origins, bool supabase_rules) {
  const LintContext context{snapshot, analyses, exposed_schemas, origins};
  const auto comments = comments_by_subject(snapshot);
  std::vector<CheckOutcome> out;
  for (const auto& rule : lint_rules()) {
    if (rule.scope != LintScope::live || (rule.supabase && !supabase_rules)) continue;
    const LintLevel level = level_of(rule, levels);
    if (level == LintLevel::off) continue;
    const auto function = live_rule_functions().find(rule.name);
    if (function == live_rule_functions().end()) continue;
    const std::size_t first = out.size();
    function->second(context, out);
    for (std::size_t i = first; i < out.size(); ++i) {
      const auto comment = comments.find(out[i].subject);
      if (comment == comments.end() || out[i].findings.empty()) continue;
      const auto silences = comment_silences(comment->second);
      if (const auto silence = silences.find(rule.name); silence != silences.end()) {
        out[i].silenced = silence->second;
        out[i].findings.clear();
      }
    }
    // Re-grading moves the rule's own findings; a rule's softer notes (a body it cannot
    // analyse, a probe that could not run) stay warnings.
    const Severity from = severity_of(rule.default_level);
    const Severity to = severity_of(level);
    if (from == to) continue;
    for (std::size_t i = first; i < out.size(); ++i) {
      for (auto& f : out[i].findings) {
        if (f.severity == from) f.severity = to;
      }
    }
  }
  return out;
}

}  // namespace cora
