#include "cora/lints/lint_context.hpp"

#include <algorithm>

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

CheckOutcome lint_outcome(const std::string& rule, const std::string& subject) {
  return {"lint:" + rule, subject, {}, {}};
}

std::string short_name(const std::string& qualified) {
  return qualified.rfind("public.", 0) == 0 ? qualified.substr(7) : qualified;
}

}  // namespace cora
