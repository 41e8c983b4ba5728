#include "verify/adoption.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cora {

namespace {

bool exists(const std::string& kind, const std::string& name, const CatalogSnapshot& s) {
  if (kind == "table") return s.relations.count(name) > 0;
  if (kind == "index") {
    return std::any_of(s.indexes.begin(), s.indexes.end(), [&](const IndexFact& i) { return i.schema + "." + i.name == name; });
  }
  if (kind == "policy") {
    return std::any_of(s.policies.begin(), s.policies.end(),
                       [&](const PolicyFact& p) { return p.schema + "." + p.table + " " + p.name == name; });
  }
  if (kind == "function") {
    return std::any_of(s.functions.begin(), s.functions.end(),
                       [&](const FunctionFact& f) { return f.schema + "." + f.name == name; });
  }
  return false;
}

// The built-in lints that speak about an object of each kind.
bool lint_about(const std::string& lint, const std::string& kind) {
  if (kind == "table") return lint == "lint:rls_disabled_in_public";
  if (kind == "policy") return lint == "lint:policy_on_rls_disabled_table";
  if (kind == "index") return lint == "lint:invalid_index";
  if (kind == "function") return lint == "lint:unresolved_relation" || lint == "lint:security_definer_search_path";
  return false;
}

// A declared check or lint about the object. A function's subject may carry its arguments:
// "public.f(p uuid)".
bool about(const CheckOutcome& o, const std::string& kind, const std::string& name) {
  if (o.kind != kind && !lint_about(o.kind, kind)) return false;
  return o.subject == name || (kind == "function" && o.subject.rfind(name + "(", 0) == 0);
}

}  // namespace

AdoptionVerdict judge_adoption(const PreparedMigration& migration, const CatalogSnapshot& snapshot,
                               const std::vector<CheckOutcome>& outcomes) {
  AdoptionVerdict verdict;
  std::vector<std::string> created;
  for (const auto& statement : migration.script.statements) {
    created.insert(created.end(), statement.creates.begin(), statement.creates.end());
  }
  std::sort(created.begin(), created.end());
  created.erase(std::unique(created.begin(), created.end()), created.end());
  for (const auto& object : created) {
    const auto colon = object.find(':');
    const std::string kind = object.substr(0, colon);
    const std::string name = object.substr(colon + 1);
    if (!exists(kind, name, snapshot)) {
      verdict.problems.push_back(fmt::format("{} {} does not exist", kind, name));
      continue;
    }
    ++verdict.objects;
    for (const auto& o : outcomes) {
      if (!about(o, kind, name)) continue;
      const bool failed = std::any_of(o.findings.begin(), o.findings.end(),
                                      [](const Finding& f) { return f.severity == Severity::error; });
      if (!failed) {
        ++verdict.checks;
        continue;
      }
      for (const auto& f : o.findings) {
        if (f.severity != Severity::error) continue;
        const std::string where = o.origin.file.empty() ? "built-in lint" : fmt::format("{}:{}", o.origin.file, o.origin.line);
        verdict.problems.push_back(
            fmt::format("check {} ({} {}): expected {}; found {}", where, o.kind, o.subject, f.expected, f.found));
      }
    }
  }
  verdict.adoptable = verdict.problems.empty();
  return verdict;
}

}  // namespace cora
