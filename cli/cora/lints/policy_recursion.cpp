#include "cora/lints/policy_recursion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

#include "cora/lints/lint_context.hpp"
#include "cora/lints/policy_expression.hpp"
#include "cora/sql/search_path.hpp"

namespace cora {

namespace {

// A table whose policies apply when one of `table`'s policies is expanded.
struct Step {
  std::string table;
  std::string via;  // "" when the sub-query reads it directly; else the function or view between
};

class PolicyGraph {
 public:
  PolicyGraph(const CatalogSnapshot& s, const FunctionAnalyses& a, std::string role)
      : s_(s), analyses_(a), role_(std::move(role)) {}

  std::optional<std::string> cycle_from(const std::string& table) {
    path_.clear();
    if (!walk(table, true)) return std::nullopt;
    return print();
  }

 private:
  struct Hop {
    std::string table;   // the table whose policy was expanded
    std::string policy;  // that policy
    std::string via;
  };

  // Depth first; true once a table on the path is reached again (the path then holds the cycle,
  // and `closing_` the table it returns to).
  bool walk(const std::string& table, bool first) {
    const auto t = s_.tables.find(table);
    if (t == s_.tables.end() || !t->second.rls) return false;
    if (!first && done_.count(table)) return false;
    for (const auto& p : s_.policies) {
      if (p.schema + "." + p.table != table || !LintContext::applies_to(p, role_)) continue;
      // A sub-query reads: only SELECT (and ALL) policies of the tables it reaches apply.
      if (!first && p.command != "SELECT" && p.command != "ALL") continue;
      std::vector<Step> next;
      for (const auto& r : p.reads) reach(r, "", next, 0);
      if (reads_itself(p, table)) next.push_back({table, ""});
      for (const auto& f : p.calls) through_function(f, next);
      for (const auto& n : next) {
        path_.push_back({table, p.name, n.via});
        const bool on_path =
            n.table == start_or(table) ||
            std::any_of(path_.begin(), path_.end() - 1, [&](const Hop& h) { return h.table == n.table; });
        if (on_path || n.table == table) {
          closing_ = n.table;
          return true;
        }
        if (walk(n.table, false)) return true;
        path_.pop_back();
      }
    }
    done_.insert(table);
    return false;
  }

  // pg_depend cannot tell a sub-query on the policy's own table from the policy naming its
  // columns, so the expression is parsed for that.
  bool reads_itself(const PolicyFact& p, const std::string& table) const {
    const std::vector<std::string> path = parse_search_path(s_.session_search_path);
    for (const auto* text : {&p.using_expr, &p.with_check_expr}) {
      for (const auto& named : read_policy_expression(*text).relations) {
        const auto dot = named.find('.');
        const auto resolved = dot == std::string::npos
                                  ? resolve_relation("", named, path, s_.relations)
                                  : resolve_relation(named.substr(0, dot), named.substr(dot + 1), path, s_.relations);
        if (resolved && *resolved == table) return true;
      }
    }
    return false;
  }

  const std::string& start_or(const std::string& table) const { return path_.empty() ? table : path_.front().table; }

  // Relation `r` as a sub-query reads it: a table, or a view looked through when it runs with
  // the caller's rights.
  void reach(const std::string& r, const std::string& via, std::vector<Step>& next, int depth) const {
    const auto t = s_.tables.find(r);
    if (t == s_.tables.end() || depth > 8) return;
    if (t->second.kind == 'r' || t->second.kind == 'p') {
      next.push_back({r, via});
      return;
    }
    if (t->second.kind == 'v' && t->second.security_invoker) {
      for (const auto& inner : t->second.reads)
        reach(inner, via.empty() ? "view " + short_name(r) : via, next, depth + 1);
    }
  }

  void through_function(const std::string& signature, std::vector<Step>& next) const {
    const auto f = std::find_if(s_.functions.begin(), s_.functions.end(),
                                [&](const FunctionFact& x) { return signature_of(x) == signature; });
    if (f == s_.functions.end() || f->security_definer) return;
    const auto analysis = analyses_.find(signature);
    if (analysis == analyses_.end()) return;
    const auto path = function_search_path(*f, s_.session_search_path);
    for (const auto& r : analysis->second.relations) {
      if (const auto resolved = resolve_relation(r.schema, r.name, path, s_.relations)) {
        reach(*resolved, short_name(f->schema + "." + f->name) + "()", next, 0);
      }
    }
  }

  std::string print() const {
    std::string out = short_name(path_.front().table);
    for (std::size_t i = 0; i < path_.size(); ++i) {
      const std::string to = i + 1 < path_.size() ? path_[i + 1].table : closing_;
      out += fmt::format(" -> {} (policy \"{}\"{})", short_name(to), path_[i].policy,
                         path_[i].via.empty() ? "" : " via " + path_[i].via);
    }
    return out;
  }

  const CatalogSnapshot& s_;
  const FunctionAnalyses& analyses_;
  std::string role_;
  std::vector<Hop> path_;
  std::string closing_;
  std::set<std::string> done_;
};

const RecursionProbeResult* probe_of(const CatalogSnapshot& s, const std::string& table, const std::string& role) {
  const auto it = std::find_if(s.recursion_probes.begin(), s.recursion_probes.end(),
                               [&](const RecursionProbeResult& r) { return r.table == table && r.role == role; });
  return it == s.recursion_probes.end() ? nullptr : &*it;
}

}  // namespace

std::optional<std::string> find_policy_cycle(const CatalogSnapshot& snapshot, const FunctionAnalyses& analyses,
                                             const std::string& table, const std::string& role) {
  return PolicyGraph(snapshot, analyses, role).cycle_from(table);
}

void policy_recursion(const LintContext& c, LintOutcomes& out) {
  const auto& s = c.snapshot;
  if (s.recursion_probe_error) {
    auto o = lint_outcome("policy_recursion", "live probe");
    o.findings.push_back(
        {Severity::warning, "each RLS table read as anon and authenticated",
         "the probe could not run: " + *s.recursion_probe_error,
         "only the policies' expressions were followed; run verify where temporary functions may be created"});
    out.push_back(std::move(o));
  }
  for (const auto& [qualified, t] : s.tables) {
    if (!c.exposed_table(t) || !t.rls) continue;
    auto o = lint_outcome("policy_recursion", qualified);
    for (const std::string role : {"anon", "authenticated"}) {
      const auto cycle = find_policy_cycle(s, c.analyses, qualified, role);
      const auto* probe = probe_of(s, qualified, role);
      const bool recursed = probe && probe->error.rfind("42P17", 0) == 0;
      const std::string fix =
          "read the table inside a SECURITY DEFINER function with a pinned search_path (as "
          "is_org_member() does) and call that from the policy";
      if (recursed) {
        o.findings.push_back(
            {Severity::error, fmt::format("{} can read {}", role, short_name(qualified)),
             fmt::format("every query fails: {}{}", probe->error.substr(7), cycle ? "; the cycle: " + *cycle : ""),
             fix});
      } else if (cycle && !probe) {
        o.findings.push_back({Severity::error,
                              fmt::format("policies of {} that do not read themselves", short_name(qualified)),
                              fmt::format("as {}, they recurse: {}", role, *cycle), fix});
      } else if (cycle) {
        o.findings.push_back(
            {Severity::warning, fmt::format("policies of {} that do not read themselves", short_name(qualified)),
             fmt::format("as {}, their expressions form a cycle ({}), yet reading the table worked", role, *cycle),
             "check the policies by hand"});
      }
    }
    out.push_back(std::move(o));
  }
}

}  // namespace cora
