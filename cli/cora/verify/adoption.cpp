#include "cora/verify/adoption.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/config/lint_rules.hpp"

namespace cora {

namespace {

bool exists(const std::string& kind, const std::string& name, const CatalogSnapshot& s) {
  if (kind == "table") return s.relations.count(name) > 0;
  if (kind == "index") {
    return std::any_of(s.indexes.begin(), s.indexes.end(),
                       [&](const IndexFact& i) { return i.schema + "." + i.name == name; });
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

// The built-in lints that speak about an object of each kind ("lint:NAME").
bool lint_about(const std::string& lint, const std::string& kind) {
  if (lint.rfind("lint:", 0) != 0) return false;
  const LintRule* rule = find_lint_rule(lint.substr(5));
  return rule && rule->subject_kind == kind;
}

// A declared check or lint about the object. A function's subject may carry its arguments:
// "public.f(p uuid)".
bool about(const CheckOutcome& o, const std::string& kind, const std::string& name) {
  if (o.kind == kind || lint_about(o.kind, kind)) {
    return o.subject == name || (kind == "function" && o.subject.rfind(name + "(", 0) == 0);
  }
  // A policy the file creates is judged by what its table shows too: a policy that makes its
  // table recurse is the file's fault, whoever created the table.
  if (kind == "policy" && lint_about(o.kind, "table"))
    return o.subject == name.substr(0, name.find(' ')) && o.kind == "lint:policy_recursion";
  return false;
}

}  // namespace

AdoptionVerdict judge_adoption(const PreparedMigration& migration, const CatalogSnapshot& snapshot,
                               const std::vector<CheckOutcome>& outcomes, const std::set<std::string>& dropped_later) {
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
      if (dropped_later.count(object)) continue;  // a later file removed it: its absence shows nothing
      verdict.missing.push_back(fmt::format("{} {} does not exist", kind, name));
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
        const std::string where =
            o.origin.file.empty() ? "built-in lint" : fmt::format("{}:{}", o.origin.file, o.origin.line);
        verdict.failing.push_back(
            fmt::format("check {} ({} {}): expected {}; found {}", where, o.kind, o.subject, f.expected, f.found));
      }
    }
  }
  // A check about several of the file's objects (a table's, and its policy's) is said once.
  std::vector<std::string> once;
  for (auto& line : verdict.failing) {
    if (std::find(once.begin(), once.end(), line) == once.end()) once.push_back(std::move(line));
  }
  verdict.failing = std::move(once);
  verdict.adoptable = verdict.missing.empty() && verdict.failing.empty();
  return verdict;
}

std::set<std::string> objects_dropped_after(const std::vector<PreparedMigration>& migrations, std::size_t index) {
  std::set<std::string> out;
  for (std::size_t i = index + 1; i < migrations.size(); ++i) {
    for (const auto& statement : migrations[i].script.statements)
      out.insert(statement.drops.begin(), statement.drops.end());
  }
  return out;
}

}  // namespace cora
