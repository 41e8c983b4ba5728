#include "verify/lints.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "verify/evaluate_checks.hpp"
#include "verify/search_path.hpp"

namespace cora {

namespace {

bool on(const std::map<std::string, bool>& enabled, const std::string& name) {
  const auto it = enabled.find(name);
  return it == enabled.end() || it->second;
}

CheckOutcome lint(const std::string& name, const std::string& subject) { return {"lint:" + name, subject, {}, {}}; }

void rls_disabled_in_public(const CatalogSnapshot& s, const std::vector<std::string>& exposed, std::vector<CheckOutcome>& out) {
  for (const auto& [qualified, t] : s.tables) {
    if ((t.kind != 'r' && t.kind != 'p') || std::find(exposed.begin(), exposed.end(), t.schema) == exposed.end()) continue;
    auto o = lint("rls_disabled_in_public", qualified);
    if (!t.rls) {
      o.findings.push_back({Severity::error, "row level security enabled on a table the Data API exposes",
                            "disabled: anyone with the anon key can read and write it",
                            fmt::format("ALTER TABLE {} ENABLE ROW LEVEL SECURITY; and add policies", qualified)});
    }
    out.push_back(std::move(o));
  }
}

void policy_on_rls_disabled_table(const CatalogSnapshot& s, std::vector<CheckOutcome>& out) {
  for (const auto& p : s.policies) {
    const std::string table = p.schema + "." + p.table;
    auto o = lint("policy_on_rls_disabled_table", table + " " + p.name);
    const auto it = s.tables.find(table);
    if (it != s.tables.end() && !it->second.rls) {
      o.findings.push_back({Severity::error, "policies take effect", "row level security is disabled, so the policy is ignored",
                            fmt::format("ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", table)});
    }
    out.push_back(std::move(o));
  }
}


void security_definer_search_path(const CatalogSnapshot& s, std::vector<CheckOutcome>& out) {
  for (const auto& f : s.functions) {
    if (!f.security_definer) continue;
    auto o = lint("security_definer_search_path", signature_of(f));
    if (!f.search_path) {
      o.findings.push_back({Severity::warning, "SECURITY DEFINER with a pinned search_path",
                            "search_path is mutable: a caller's objects can shadow the ones it means",
                            fmt::format("ALTER FUNCTION {} SET search_path = ''; and schema-qualify its names", signature_of(f))});
    }
    out.push_back(std::move(o));
  }
}

void invalid_index(const CatalogSnapshot& s, std::vector<CheckOutcome>& out) {
  for (const auto& i : s.indexes) {
    auto o = lint("invalid_index", i.schema + "." + i.name);
    if (!i.valid) {
      o.findings.push_back({Severity::error, "a valid index", "INVALID: a CREATE INDEX CONCURRENTLY failed part-way",
                            fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}.{}; then create it again", i.schema, i.name)});
    }
    out.push_back(std::move(o));
  }
}

// The auth_event_log bug, in any function: a body naming a relation that does not exist.
void unresolved_relation(const CatalogSnapshot& s, const FunctionAnalyses& analyses, std::vector<CheckOutcome>& out) {
  for (const auto& f : s.functions) {
    const auto found = analyses.find(signature_of(f));
    if (found == analyses.end()) continue;  // not PL/pgSQL or SQL
    auto o = lint("unresolved_relation", signature_of(f));
    const BodyAnalysis& analysis = found->second;
    if (analysis.parse_error) {
      o.findings.push_back({Severity::warning, "a body PostgreSQL's parser reads", *analysis.parse_error,
                            "check the function by hand"});
    }
    const auto path = function_search_path(f, s.session_search_path);
    for (const auto& r : analysis.relations) {
      if (resolve_relation(r.schema, r.name, path, s.relations)) continue;
      const std::string named = r.schema.empty() ? r.name : r.schema + "." + r.name;
      o.findings.push_back(
          {Severity::error, fmt::format("line {} of the body names an existing relation", r.line),
           fmt::format("{} does not exist{}", named,
                       r.schema.empty() ? fmt::format(" in search_path ({})", f.search_path.value_or(s.session_search_path))
                                        : ""),
           fmt::format("the function fails with 42P01 when that line runs: re-apply the migration that defines {} "
                       "or fix its body",
                       signature_of(f))});
    }
    for (const auto& d : analysis.dynamic_sql) {
      o.findings.push_back({Severity::warning, fmt::format("line {} of the body can be analysed", d.line),
                            "dynamic SQL (EXECUTE): its relations are known only at run time",
                            "cover it with a probe in checks/"});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace

const std::vector<std::string>& lint_names() {
  static const std::vector<std::string> names{"rls_disabled_in_public", "policy_on_rls_disabled_table",
                                              "security_definer_search_path", "invalid_index", "unresolved_relation"};
  return names;
}

std::vector<CheckOutcome> run_lints(const CatalogSnapshot& snapshot, const FunctionAnalyses& analyses,
                                    const std::map<std::string, bool>& enabled,
                                    const std::vector<std::string>& exposed_schemas) {
  std::vector<CheckOutcome> out;
  if (on(enabled, "rls_disabled_in_public")) rls_disabled_in_public(snapshot, exposed_schemas, out);
  if (on(enabled, "policy_on_rls_disabled_table")) policy_on_rls_disabled_table(snapshot, out);
  if (on(enabled, "security_definer_search_path")) security_definer_search_path(snapshot, out);
  if (on(enabled, "invalid_index")) invalid_index(snapshot, out);
  if (on(enabled, "unresolved_relation")) unresolved_relation(snapshot, analyses, out);
  return out;
}

}  // namespace cora
