#pragma once
// What every live rule reads, and how a rule reports. Pure: no database.

#include <set>
#include <string>
#include <vector>

#include "cora/catalog/catalog_snapshot.hpp"
#include "cora/checks/evaluate_checks.hpp"
#include "cora/checks/outcome.hpp"
#include "cora/lints/module_origins.hpp"

namespace cora {

struct LintContext {
  const CatalogSnapshot& snapshot;
  const FunctionAnalyses& analyses;
  const std::vector<std::string>& exposed_schemas;  // [verify] schemas: what the Data API serves
  // A project with modules: which module's file creates a name a function body uses; else null.
  const ModuleOrigins* origins = nullptr;

  bool exposed(const std::string& schema) const;
  // A table (relkind r or p) of the project in an exposed schema.
  bool exposed_table(const TableFact& t) const;
  // "public" when anon or authenticated is among the policy's roles, or it applies to every role.
  static bool applies_to_api_roles(const PolicyFact& p);
  static bool applies_to(const PolicyFact& p, const std::string& role);

  // The roles whose policies and ownership reach `role`: itself, every role it is a member of,
  // directly or through other roles (pg_auth_members, followed whether or not INHERIT is set: a
  // member may SET ROLE to the group), and "public".
  std::set<std::string> roles_reached_by(const std::string& role) const;
  // Whether policy `p` applies to `role`: to it, to public, or to a group it belongs to.
  bool reaches(const PolicyFact& p, const std::string& role) const;
};

// The clauses of a permissive write policy (INSERT, UPDATE, DELETE, ALL) that let any row
// through: "USING" and/or "WITH CHECK", where the expression is always true or, missing, falls
// back to such a USING. Empty for a SELECT policy and for one with a condition on the row.
std::vector<std::string> always_true_write_clauses(const PolicyFact& p);

// Whether a SELECT or ALL policy lets every row be read: its USING is always true.
bool always_true_read(const PolicyFact& p);

// Whether a column's name looks like it holds a credential or personal identifier (password,
// token, api_key, ssn, ...): the list is in sensitive_names.cpp and docs/lints.md.
bool secret_looking_column(const std::string& column);

// An outcome of rule `rule` about `subject`; findings are added by the rule.
CheckOutcome lint_outcome(const std::string& rule, const std::string& subject);

// "public.orgs" -> "orgs"; other schemas stay qualified. For messages.
std::string short_name(const std::string& qualified);

// One function per rule, named as the rule; each appends one outcome per subject it looked at.
using LintOutcomes = std::vector<CheckOutcome>;
void policy_recursion(const LintContext& c, LintOutcomes& out);
void rls_disabled_in_public(const LintContext& c, LintOutcomes& out);
void policy_on_rls_disabled_table(const LintContext& c, LintOutcomes& out);
void rls_enabled_no_policy(const LintContext& c, LintOutcomes& out);
void policy_always_true(const LintContext& c, LintOutcomes& out);
void multiple_permissive_policies(const LintContext& c, LintOutcomes& out);
void auth_rls_initplan(const LintContext& c, LintOutcomes& out);
void user_metadata_referenced(const LintContext& c, LintOutcomes& out);
void security_definer_executable_by_anon(const LintContext& c, LintOutcomes& out);
void security_definer_executable_by_authenticated(const LintContext& c, LintOutcomes& out);
void function_search_path_mutable(const LintContext& c, LintOutcomes& out);
void unresolved_relation(const LintContext& c, LintOutcomes& out);
void auth_users_exposed(const LintContext& c, LintOutcomes& out);
void security_definer_view(const LintContext& c, LintOutcomes& out);
void materialized_view_in_api(const LintContext& c, LintOutcomes& out);
void foreign_table_in_api(const LintContext& c, LintOutcomes& out);
void sensitive_columns_exposed(const LintContext& c, LintOutcomes& out);
void extension_in_public(const LintContext& c, LintOutcomes& out);
void no_primary_key(const LintContext& c, LintOutcomes& out);
void unindexed_foreign_key(const LintContext& c, LintOutcomes& out);
void duplicate_index(const LintContext& c, LintOutcomes& out);
void invalid_index(const LintContext& c, LintOutcomes& out);
void fkey_to_auth_unique(const LintContext& c, LintOutcomes& out);
void table_owned_by_api_role(const LintContext& c, LintOutcomes& out);
void policy_always_true_for_anon(const LintContext& c, LintOutcomes& out);
void sensitive_columns_policy_true(const LintContext& c, LintOutcomes& out);

}  // namespace cora
