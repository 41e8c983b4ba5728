// Function rules: who may call a function that runs with its owner's rights, whether its names
// can be shadowed, and whether the relations its body names exist.

#include <fmt/format.h>

#include <algorithm>

#include "cora/lints/lint_context.hpp"
#include "cora/sql/search_path.hpp"

namespace cora {

namespace {

// The Data API serves every function of an exposed schema at /rest/v1/rpc/NAME.
void definer_executable_by(const LintContext& c, const std::string& rule, const std::string& role, Severity severity,
                           LintOutcomes& out) {
  for (const auto& f : c.snapshot.functions) {
    if (!f.security_definer || f.from_extension || !c.exposed(f.schema)) continue;
    auto o = lint_outcome(rule, signature_of(f));
    const bool executable = role == "anon" ? f.anon_execute : f.authenticated_execute;
    if (executable) {
      o.findings.push_back(
          {severity, fmt::format("only the roles it is meant for may execute a SECURITY DEFINER function"),
           fmt::format("{} may execute it (it runs as its owner, past row level security){}", role,
                       role == "anon" ? ", with nothing but the public anon key" : ""),
           fmt::format("REVOKE EXECUTE ON FUNCTION {}.{}({}) FROM PUBLIC, {};{}", f.schema, f.name,
                       f.identity_arguments, role,
                       role == "anon" ? "" : " or, if it is meant for every signed-in user, let it check auth.uid()")});
    }
    out.push_back(std::move(o));
  }
}

// The module file that creates the relation a body names, trying each schema of the function's
// search_path for an unqualified name.
std::optional<ModuleOrigin> origin_of_relation(const LintContext& c, const std::string& schema, const std::string& name,
                                               const std::vector<std::string>& path) {
  if (!c.origins) return std::nullopt;
  for (const auto& candidate : candidate_names(schema, name, path)) {
    if (auto origin = c.origins->relation(candidate)) return origin;
  }
  return std::nullopt;
}

// The module file that creates a function the body calls, when no function of that name exists
// here (any overload will do: the arguments are not resolved).
std::optional<ModuleOrigin> origin_of_function(const LintContext& c, const std::string& schema, const std::string& name,
                                               const std::vector<std::string>& path) {
  if (!c.origins) return std::nullopt;
  const auto candidates = candidate_names(schema, name, path);
  for (const auto& f : c.snapshot.functions) {
    if (std::find(candidates.begin(), candidates.end(), f.schema + "." + f.name) != candidates.end())
      return std::nullopt;
  }
  for (const auto& candidate : candidates) {
    if (auto origin = c.origins->function(candidate)) return origin;
  }
  return std::nullopt;
}

}  // namespace

void security_definer_executable_by_anon(const LintContext& c, LintOutcomes& out) {
  definer_executable_by(c, "security_definer_executable_by_anon", "anon", Severity::error, out);
}

void security_definer_executable_by_authenticated(const LintContext& c, LintOutcomes& out) {
  definer_executable_by(c, "security_definer_executable_by_authenticated", "authenticated", Severity::warning, out);
}

void function_search_path_mutable(const LintContext& c, LintOutcomes& out) {
  for (const auto& f : c.snapshot.functions) {
    if (f.from_extension) continue;
    auto o = lint_outcome("function_search_path_mutable", signature_of(f));
    if (!f.search_path) {
      o.findings.push_back(
          {Severity::warning, "a pinned search_path",
           fmt::format("search_path is mutable: the caller's search_path decides what its unqualified names "
                       "mean{}",
                       f.security_definer ? ", and it runs as its owner (SECURITY DEFINER)" : ""),
           fmt::format("ALTER FUNCTION {} SET search_path = ''; and schema-qualify its names", signature_of(f))});
    }
    out.push_back(std::move(o));
  }
}

// The auth_event_log bug, in any function: a body naming a relation that does not exist.
void unresolved_relation(const LintContext& c, LintOutcomes& out) {
  const auto& s = c.snapshot;
  for (const auto& f : s.functions) {
    const auto found = c.analyses.find(signature_of(f));
    if (found == c.analyses.end()) continue;  // not PL/pgSQL or SQL
    auto o = lint_outcome("unresolved_relation", signature_of(f));
    const BodyAnalysis& analysis = found->second;
    if (analysis.parse_error) {
      o.findings.push_back(
          {Severity::warning, "a body PostgreSQL's parser reads", *analysis.parse_error, "check the function by hand"});
    }
    const auto path = function_search_path(f, s.session_search_path);
    for (const auto& r : analysis.relations) {
      if (resolve_relation(r.schema, r.name, path, s.relations)) continue;
      const std::string named = r.schema.empty() ? r.name : r.schema + "." + r.name;
      Finding finding{Severity::error, fmt::format("line {} of the body names an existing relation", r.line),
                      fmt::format("{} does not exist{}", named,
                                  r.schema.empty() ? fmt::format(" in search_path ({})",
                                                                 f.search_path.value_or(s.session_search_path))
                                                   : ""),
                      fmt::format("the function fails with 42P01 when that line runs: re-apply the migration that "
                                  "defines {} or fix its body",
                                  signature_of(f))};
      // Across modules: the relation may be another module's, one this database does not run.
      if (const auto origin = origin_of_relation(c, r.schema, r.name, path)) {
        finding.found += "; " + describe_origin(*origin);
        if (origin->state != ModuleState::installed) {
          finding.fix = "the function fails with 42P01 when that line runs: " + origin_fix(*origin, named);
          finding.module_not_installed = true;
        }
      }
      o.findings.push_back(std::move(finding));
    }
    // Across modules: a call of a function that a module this database does not run creates.
    // Only names a module file creates are looked at (count(), now() and the like are not).
    for (const auto& call : analysis.calls) {
      const auto origin = origin_of_function(c, call.schema, call.name, path);
      if (!origin || origin->state == ModuleState::installed) continue;
      const std::string named = call.schema.empty() ? call.name : call.schema + "." + call.name;
      Finding finding{Severity::error, fmt::format("line {} of the body calls an existing function", call.line),
                      fmt::format("{} does not exist; {}", named, describe_origin(*origin)),
                      "the function fails with 42883 when that line runs: " + origin_fix(*origin, named)};
      finding.module_not_installed = true;
      o.findings.push_back(std::move(finding));
    }
    for (const auto& d : analysis.dynamic_sql) {
      o.findings.push_back({Severity::warning, fmt::format("line {} of the body can be analysed", d.line),
                            "dynamic SQL (EXECUTE): its relations are known only at run time",
                            "cover it with a probe in checks/"});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace cora
