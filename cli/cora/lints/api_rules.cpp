// What the Data API serves beyond row level security's reach: views running with their
// owner's rights, auth.users, materialized views, foreign tables, secret-looking columns.

#include <fmt/format.h>

#include <algorithm>

#include "cora/lints/lint_context.hpp"

namespace cora {

namespace {

std::string api_readers(const TableFact& t) {
  if (t.anon_select && t.authenticated_select) return "anon and authenticated";
  return t.anon_select ? "anon" : "authenticated";
}

bool api_readable(const TableFact& t) { return t.anon_select || t.authenticated_select; }

void not_under_rls(const LintContext& c, const std::string& rule, char kind, const char* what, LintOutcomes& out) {
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (t.kind != kind || !c.exposed(t.schema) || t.from_extension) continue;
    auto o = lint_outcome(rule, qualified);
    if (api_readable(t)) {
      o.findings.push_back(
          {Severity::warning, fmt::format("a {} the Data API does not serve to anon or authenticated", what),
           fmt::format("{} may select it, and row level security does not apply to a {}", api_readers(t), what),
           fmt::format("REVOKE SELECT ON {} FROM anon, authenticated; or move it to an unexposed schema", qualified)});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace

void auth_users_exposed(const LintContext& c, LintOutcomes& out) {
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if ((t.kind != 'v' && t.kind != 'm') || !c.exposed(t.schema) || t.from_extension) continue;
    auto o = lint_outcome("auth_users_exposed", qualified);
    const bool reads_users = std::find(t.reads.begin(), t.reads.end(), "auth.users") != t.reads.end();
    // A security_invoker view reads auth.users with the caller's rights, which anon lacks.
    if (reads_users && api_readable(t) && (t.kind == 'm' || !t.security_invoker)) {
      o.findings.push_back(
          {Severity::error, "auth.users stays out of the Data API",
           fmt::format("the view reads auth.users and {} may select it: emails and sign-in data of every user",
                       api_readers(t)),
           fmt::format("REVOKE SELECT ON {} FROM anon, authenticated; or read a profile table instead", qualified)});
    }
    out.push_back(std::move(o));
  }
}

void security_definer_view(const LintContext& c, LintOutcomes& out) {
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (t.kind != 'v' || !c.exposed(t.schema) || t.from_extension) continue;
    auto o = lint_outcome("security_definer_view", qualified);
    if (!t.security_invoker) {
      o.findings.push_back(
          {Severity::error, "a view that reads with the caller's rights (security_invoker)",
           "it reads with its owner's rights, so the row level security of the tables it reads is bypassed",
           fmt::format("ALTER VIEW {} SET (security_invoker = true);", qualified)});
    }
    out.push_back(std::move(o));
  }
}

void materialized_view_in_api(const LintContext& c, LintOutcomes& out) {
  not_under_rls(c, "materialized_view_in_api", 'm', "materialized view", out);
}

void foreign_table_in_api(const LintContext& c, LintOutcomes& out) {
  not_under_rls(c, "foreign_table_in_api", 'f', "foreign table", out);
}

void sensitive_columns_exposed(const LintContext& c, LintOutcomes& out) {
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (!c.exposed_table(t) || t.rls || !api_readable(t)) continue;
    auto o = lint_outcome("sensitive_columns_exposed", qualified);
    std::string columns;
    for (const auto& col : t.columns) {
      if (secret_looking_column(col.name)) columns += (columns.empty() ? "" : ", ") + col.name;
    }
    if (!columns.empty()) {
      o.findings.push_back(
          {Severity::error, "secret-looking columns only behind row level security",
           fmt::format("{} may read every row, including {}", api_readers(t), columns),
           fmt::format("ALTER TABLE {} ENABLE ROW LEVEL SECURITY; or REVOKE SELECT from anon and authenticated",
                       qualified)});
    }
    out.push_back(std::move(o));
  }
}

void extension_in_public(const LintContext& c, LintOutcomes& out) {
  for (const auto& e : c.snapshot.extensions) {
    if (e.name == "plpgsql") continue;  // in pg_catalog; listed for completeness
    auto o = lint_outcome("extension_in_public", "extension " + e.name);
    if (e.schema == "public") {
      o.findings.push_back({Severity::warning, "extensions in their own schema (extensions)",
                            "installed in public: its functions and tables are served by the Data API and shadow yours",
                            fmt::format("ALTER EXTENSION {} SET SCHEMA extensions;", e.name)});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace cora
