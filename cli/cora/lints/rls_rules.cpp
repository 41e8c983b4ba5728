// Row level security rules: is it on where the Data API serves a table, and do its policies
// do what they seem to.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "cora/lints/lint_context.hpp"
#include "cora/lints/policy_expression.hpp"

namespace cora {

namespace {

std::string policy_subject(const PolicyFact& p) { return p.schema + "." + p.table + " " + p.name; }

const TableFact* table_of(const LintContext& c, const PolicyFact& p) {
  const auto it = c.snapshot.tables.find(p.schema + "." + p.table);
  return it == c.snapshot.tables.end() ? nullptr : &it->second;
}

}  // namespace

void rls_disabled_in_public(const LintContext& c, LintOutcomes& out) {
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (!c.exposed_table(t)) continue;
    auto o = lint_outcome("rls_disabled_in_public", qualified);
    if (!t.rls) {
      o.findings.push_back({Severity::error, "row level security enabled on a table the Data API exposes",
                            "disabled: anyone with the anon key can read and write it",
                            fmt::format("ALTER TABLE {} ENABLE ROW LEVEL SECURITY; and add policies", qualified)});
    }
    out.push_back(std::move(o));
  }
}

void policy_on_rls_disabled_table(const LintContext& c, LintOutcomes& out) {
  for (const auto& p : c.snapshot.policies) {
    auto o = lint_outcome("policy_on_rls_disabled_table", policy_subject(p));
    const TableFact* t = table_of(c, p);
    if (t && !t->rls) {
      o.findings.push_back({Severity::error, "policies take effect",
                            "row level security is disabled, so the policy is ignored",
                            fmt::format("ALTER TABLE {}.{} ENABLE ROW LEVEL SECURITY;", p.schema, p.table)});
    }
    out.push_back(std::move(o));
  }
}

void rls_enabled_no_policy(const LintContext& c, LintOutcomes& out) {
  std::set<std::string> with_policy;
  for (const auto& p : c.snapshot.policies) with_policy.insert(p.schema + "." + p.table);
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (!c.exposed_table(t) || !t.rls) continue;
    auto o = lint_outcome("rls_enabled_no_policy", qualified);
    if (!with_policy.count(qualified)) {
      o.findings.push_back(
          {Severity::warning, "at least one policy on a table with row level security",
           "no policy: every read by anon or authenticated returns nothing and every write fails",
           fmt::format("CREATE POLICY ... ON {} for the rows each role may see, or say why none", qualified)});
    }
    out.push_back(std::move(o));
  }
}

// A permissive write policy that lets any signed-in user through; a SELECT policy USING (true)
// is the usual way to publish a table, so it is left alone. One that anon reaches is
// policy_always_true_for_anon's, an error.
void policy_always_true(const LintContext& c, LintOutcomes& out) {
  for (const auto& p : c.snapshot.policies) {
    const TableFact* t = table_of(c, p);
    if (!t || !t->rls || !p.permissive || !c.reaches(p, "authenticated") || p.command == "SELECT") continue;
    if (c.reaches(p, "anon")) continue;
    auto o = lint_outcome("policy_always_true", policy_subject(p));
    const auto open = always_true_write_clauses(p);
    if (!open.empty()) {
      std::string which;
      for (const auto& w : open) which += (which.empty() ? "" : " and ") + w;
      std::string roles;
      for (const auto& r : p.roles) roles += (roles.empty() ? "" : ", ") + r;
      o.findings.push_back(
          {Severity::warning, fmt::format("{} on {} limits which rows {} may write", p.command, p.table, roles),
           fmt::format("{} is always true: row level security does nothing for {} here", which, p.command),
           fmt::format("ALTER POLICY \"{}\" ON {}.{} with a condition on the row (e.g. user_id = (SELECT auth.uid()))",
                       p.name, p.schema, p.table)});
    }
    out.push_back(std::move(o));
  }
}

void multiple_permissive_policies(const LintContext& c, LintOutcomes& out) {
  // table -> (role, action) -> policy names
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::vector<std::string>>> by_table;
  for (const auto& p : c.snapshot.policies) {
    const TableFact* t = table_of(c, p);
    if (!t || !t->rls) continue;
    auto& slots = by_table[p.schema + "." + p.table];
    if (!p.permissive) continue;
    const std::vector<std::string> actions = p.command == "ALL"
                                                 ? std::vector<std::string>{"SELECT", "INSERT", "UPDATE", "DELETE"}
                                                 : std::vector<std::string>{p.command};
    for (const auto& role : p.roles) {
      const auto it = c.snapshot.roles.find(role);
      if (it != c.snapshot.roles.end() && (it->second.bypassrls || it->second.superuser)) continue;  // never filtered
      for (const auto& action : actions) slots[{role, action}].push_back(p.name);
    }
  }
  for (const auto& [table, slots] : by_table) {
    auto o = lint_outcome("multiple_permissive_policies", table);
    for (const auto& [slot, names] : slots) {
      if (names.size() < 2) continue;
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "\"" : ", \"") + n + "\"";
      o.findings.push_back({Severity::warning, fmt::format("one permissive policy for {} {}", slot.first, slot.second),
                            fmt::format("{} policies: {}; PostgreSQL evaluates each for every row", names.size(), list),
                            "merge them into one policy whose condition ORs theirs"});
    }
    out.push_back(std::move(o));
  }
}

void auth_rls_initplan(const LintContext& c, LintOutcomes& out) {
  for (const auto& p : c.snapshot.policies) {
    const TableFact* t = table_of(c, p);
    if (!t || !t->rls) continue;
    auto o = lint_outcome("auth_rls_initplan", policy_subject(p));
    std::set<std::string> seen;
    auto report = [&](const char* clause, const std::string& text) {
      for (const auto& call : read_policy_expression(text).per_row_calls) {
        if (!seen.insert(call).second) continue;
        o.findings.push_back({Severity::warning, fmt::format("{} evaluated once per statement in {}", call, clause),
                              fmt::format("{} is called for every row the policy filters", call),
                              fmt::format("write (SELECT {}) instead of {} in policy \"{}\"", call, call, p.name)});
      }
    };
    report("USING", p.using_expr);
    report("WITH CHECK", p.with_check_expr);
    out.push_back(std::move(o));
  }
}

// user_metadata is what a user may change about themselves (supabase.auth.updateUser), so a
// policy or view that decides access from it lets users grant themselves access.
void user_metadata_referenced(const LintContext& c, LintOutcomes& out) {
  auto mentions_metadata = [](const std::string& text) {
    return text.find("user_metadata") != std::string::npos || text.find("raw_user_meta_data") != std::string::npos;
  };
  for (const auto& p : c.snapshot.policies) {
    auto o = lint_outcome("user_metadata_referenced", policy_subject(p));
    if (mentions_metadata(p.using_expr) || mentions_metadata(p.with_check_expr)) {
      o.findings.push_back(
          {Severity::error, "access decided from data users cannot change",
           "the policy reads user_metadata (raw_user_meta_data), which every user can edit for themselves",
           "decide from app_metadata or a table only the backend writes"});
    }
    out.push_back(std::move(o));
  }
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if ((t.kind != 'v' && t.kind != 'm') || !c.exposed(t.schema) || t.from_extension) continue;
    auto o = lint_outcome("user_metadata_referenced", qualified);
    if (mentions_metadata(t.view_definition)) {
      o.findings.push_back({Severity::error, "a view that does not publish user-editable metadata",
                            "the view reads user_metadata (raw_user_meta_data)",
                            "select only the columns the API needs, from a table only the backend writes"});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace cora
