#include "cora/lints/lint_context.hpp"

#include <algorithm>

#include "cora/lints/policy_expression.hpp"

namespace cora {

bool LintContext::exposed(const std::string& schema) const {
  return std::find(exposed_schemas.begin(), exposed_schemas.end(), schema) != exposed_schemas.end();
}

bool LintContext::exposed_table(const TableFact& t) const {
  return (t.kind == 'r' || t.kind == 'p') && !t.from_extension && exposed(t.schema);
}

bool LintContext::applies_to(const PolicyFact& p, const std::string& role) {
  return std::any_of(p.roles.begin(), p.roles.end(), [&](const std::string& r) { return r == role || r == "public"; });
}

bool LintContext::applies_to_api_roles(const PolicyFact& p) {
  return applies_to(p, "anon") || applies_to(p, "authenticated");
}

std::set<std::string> LintContext::roles_reached_by(const std::string& role) const {
  std::set<std::string> reached{role, "public"};
  std::vector<std::string> next{role};
  while (!next.empty()) {
    const std::string current = next.back();
    next.pop_back();
    const auto it = snapshot.roles.find(current);
    if (it == snapshot.roles.end()) continue;
    for (const auto& group : it->second.member_of) {
      if (reached.insert(group).second) next.push_back(group);
    }
  }
  return reached;
}

bool LintContext::reaches(const PolicyFact& p, const std::string& role) const {
  const auto reached = roles_reached_by(role);
  return std::any_of(p.roles.begin(), p.roles.end(), [&](const std::string& r) { return reached.count(r) > 0; });
}

std::vector<std::string> always_true_write_clauses(const PolicyFact& p) {
  std::vector<std::string> open;
  if (!p.permissive || p.command == "SELECT") return open;
  const auto using_expr = read_policy_expression(p.using_expr);
  const auto check_expr = read_policy_expression(p.with_check_expr);
  if (p.command != "INSERT" && using_expr.always_true) open.push_back("USING");
  // INSERT has no USING; without WITH CHECK, UPDATE and ALL fall back to USING.
  const bool check_open = check_expr.always_true || (p.with_check_expr.empty() && p.command == "INSERT") ||
                          (p.with_check_expr.empty() && p.command != "DELETE" && using_expr.always_true);
  if (p.command != "DELETE" && check_open) open.push_back("WITH CHECK");
  return open;
}

bool always_true_read(const PolicyFact& p) {
  return p.permissive && (p.command == "SELECT" || p.command == "ALL") &&
         read_policy_expression(p.using_expr).always_true;
}

CheckOutcome lint_outcome(const std::string& rule, const std::string& subject) {
  return {"lint:" + rule, subject, {}, {}};
}

std::string short_name(const std::string& qualified) {
  return qualified.rfind("public.", 0) == 0 ? qualified.substr(7) : qualified;
}

}  // namespace cora
