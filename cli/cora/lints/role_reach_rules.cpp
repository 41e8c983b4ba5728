// Where row level security is on but does not hold: the roles the Data API runs as (anon,
// authenticated) reach a table's ownership, or an always-true policy, through the roles they are
// members of as well as directly.

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "cora/lints/lint_context.hpp"

namespace cora {

namespace {

// The roles a Data API request runs as or switches from; a table they own is theirs to read and
// write past its policies (the owner bypasses row level security unless FORCE is set, and may
// turn FORCE off again).
constexpr std::array<const char*, 4> kApiRoles{"anon", "authenticated", "authenticator", "service_role"};

std::string reach_policy_subject(const PolicyFact& p) { return p.schema + "." + p.table + " " + p.name; }

const TableFact* reach_table_of(const LintContext& c, const PolicyFact& p) {
  const auto it = c.snapshot.tables.find(p.schema + "." + p.table);
  return it == c.snapshot.tables.end() ? nullptr : &it->second;
}

std::string secret_columns_of(const TableFact& t) {
  std::string columns;
  for (const auto& col : t.columns) {
    if (secret_looking_column(col.name)) columns += (columns.empty() ? "" : ", ") + col.name;
  }
  return columns;
}

// "anon (through web_writers)" when anon reaches the policy only through a group.
std::string how_reached(const LintContext& c, const PolicyFact& p, const std::string& role) {
  if (LintContext::applies_to(p, role)) {
    return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end() ? role : role + " (through PUBLIC)";
  }
  const auto reached = c.roles_reached_by(role);
  for (const auto& r : p.roles) {
    if (reached.count(r)) return fmt::format("{} (a member of {})", role, r);
  }
  return role;
}

}  // namespace

void table_owned_by_api_role(const LintContext& c, LintOutcomes& out) {
  std::set<std::string> api_owners(kApiRoles.begin(), kApiRoles.end());
  for (const char* role : {"anon", "authenticated"}) {
    for (const auto& r : c.roles_reached_by(role)) api_owners.insert(r);
  }
  api_owners.erase("public");
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (!c.exposed(t.schema) || t.from_extension || t.kind == 'v') continue;
    auto o = lint_outcome("table_owned_by_api_role", qualified);
    if (api_owners.count(t.owner)) {
      o.findings.push_back(
          {Severity::error, "tables the Data API serves are owned by the role that runs the migrations",
           fmt::format("owned by {}: the owner, and every role that is a member of it, bypasses row level security{} "
                       "and may alter or drop the table",
                       t.owner, t.force_rls ? " once it turns FORCE off" : ""),
           fmt::format("ALTER TABLE {} OWNER TO postgres; (or the role the migrations run as)", qualified)});
    }
    out.push_back(std::move(o));
  }
}

// An always-true policy anon reaches lets anyone with the public anon key through: writing is an
// error, reading a warning (publishing a table is done so); sensitive_columns_policy_true says
// when what is read looks secret.
void policy_always_true_for_anon(const LintContext& c, LintOutcomes& out) {
  for (const auto& p : c.snapshot.policies) {
    const TableFact* t = reach_table_of(c, p);
    if (!t || !t->rls || !p.permissive || !c.reaches(p, "anon")) continue;
    auto o = lint_outcome("policy_always_true_for_anon", reach_policy_subject(p));
    const auto open = always_true_write_clauses(p);
    const std::string who = how_reached(c, p, "anon");
    if (!open.empty()) {
      std::string which;
      for (const auto& w : open) which += (which.empty() ? "" : " and ") + w;
      o.findings.push_back(
          {Severity::error, fmt::format("{} on {} limits which rows anon may write", p.command, p.table),
           fmt::format("{} is always true and the policy applies to {}: anyone with the anon key may {} any row", which,
                       who, p.command == "ALL" ? "read and write" : p.command),
           fmt::format("ALTER POLICY \"{}\" ON {}.{} TO authenticated with a condition on the row (e.g. user_id = "
                       "(SELECT auth.uid()))",
                       p.name, p.schema, p.table)});
    } else if (always_true_read(p)) {
      o.findings.push_back(
          {Severity::warning, fmt::format("a table anon may read in full is meant to be public: {}", p.table),
           fmt::format("USING is always true and the policy applies to {}: anyone with the anon key reads every row",
                       who),
           fmt::format("if {} is not public data, give the policy a condition on the row; if it is, say so in "
                       "COMMENT ON POLICY \"{}\" ON {}.{} (ignore=policy_always_true_for_anon, see docs/lints.md)",
                       p.table, p.name, p.schema, p.table)});
    }
    out.push_back(std::move(o));
  }
}

void sensitive_columns_policy_true(const LintContext& c, LintOutcomes& out) {
  for (const auto& p : c.snapshot.policies) {
    const TableFact* t = reach_table_of(c, p);
    if (!t || !t->rls || !c.exposed(t->schema) || !always_true_read(p)) continue;
    // Who reads through it: anon when it reaches the policy and may select the table, else
    // authenticated on the same terms.
    const bool anon = c.reaches(p, "anon") && t->anon_select;
    const bool authenticated = c.reaches(p, "authenticated") && t->authenticated_select;
    if (!c.reaches(p, "anon") && !c.reaches(p, "authenticated")) continue;
    auto o = lint_outcome("sensitive_columns_policy_true", reach_policy_subject(p));
    const std::string columns = secret_columns_of(*t);
    const bool may_select = anon || authenticated;
    if (!columns.empty() && may_select) {
      o.findings.push_back(
          {Severity::error, "secret-looking columns are read only by the rows' owners",
           fmt::format("USING is always true and the policy applies to {}: every row's {} can be read",
                       how_reached(c, p, anon ? "anon" : "authenticated"), columns),
           fmt::format("ALTER POLICY \"{}\" ON {}.{} with a condition on the row, or move {} to a table only the "
                       "backend reads",
                       p.name, p.schema, p.table, columns)});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace cora
