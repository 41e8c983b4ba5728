#include "cora/config/lint_rules.hpp"

#include <algorithm>
#include <iterator>

namespace cora {

const char* to_string(LintLevel level) {
  switch (level) {
    case LintLevel::off: return "off";
    case LintLevel::warning: return "warning";
    case LintLevel::error: return "error";
  }
  return "off";
}

std::optional<LintLevel> parse_lint_level(const std::string& text) {
  if (text == "off") return LintLevel::off;
  if (text == "warning") return LintLevel::warning;
  if (text == "error") return LintLevel::error;
  return std::nullopt;
}

namespace {

// The live rules about the Data API's roles (anon, authenticated) and Supabase's schemas: on a
// database without them they say nothing true.
std::vector<LintRule> marked_supabase(std::vector<LintRule> rules) {
  static const char* const supabase_rules[] = {"policy_recursion",
                                               "rls_disabled_in_public",
                                               "rls_enabled_no_policy",
                                               "auth_rls_initplan",
                                               "user_metadata_referenced",
                                               "security_definer_executable_by_anon",
                                               "security_definer_executable_by_authenticated",
                                               "auth_users_exposed",
                                               "security_definer_view",
                                               "materialized_view_in_api",
                                               "foreign_table_in_api",
                                               "sensitive_columns_exposed",
                                               "extension_in_public",
                                               "fkey_to_auth_unique",
                                               "not_allowed_on_supabase",
                                               "table_owned_by_api_role",
                                               "policy_always_true_for_anon",
                                               "sensitive_columns_policy_true"};
  for (auto& rule : rules) {
    rule.supabase =
        std::find(std::begin(supabase_rules), std::end(supabase_rules), rule.name) != std::end(supabase_rules);
  }
  return rules;
}

}  // namespace

const std::vector<LintRule>& lint_rules() {
  using L = LintLevel;
  using S = LintScope;
  static const std::vector<LintRule> rules = marked_supabase({
      // Row level security.
      {"policy_recursion", S::live, L::error, "table",
       "reading an RLS table as anon or authenticated fails with 42P17 (infinite recursion in policy); the cycle is "
       "printed"},
      {"rls_disabled_in_public", S::live, L::error, "table",
       "a table in an exposed schema with row level security off"},
      {"policy_on_rls_disabled_table", S::live, L::error, "policy",
       "a policy on a table whose row level security is off"},
      {"rls_enabled_no_policy", S::live, L::warning, "table",
       "row level security on, but no policy: nobody but the owner reads it"},
      {"policy_always_true", S::live, L::warning, "policy",
       "a permissive write policy for authenticated (not anon) whose USING or WITH CHECK is always true"},
      {"policy_always_true_for_anon", S::live, L::error, "policy",
       "a permissive policy that anon reaches (itself, PUBLIC, or a role anon is a member of) whose USING or WITH "
       "CHECK is always true: an error on a write policy, a warning on a read policy"},
      {"sensitive_columns_policy_true", S::live, L::error, "policy",
       "a read policy USING (true) that anon or authenticated reaches, on a table with a column named like a secret"},
      {"table_owned_by_api_role", S::live, L::error, "table",
       "a table in an exposed schema owned by anon, authenticated, authenticator, service_role or a role anon or "
       "authenticated is a member of: the owner bypasses row level security"},
      {"multiple_permissive_policies", S::live, L::warning, "table",
       "two or more permissive policies for one role and action: each runs for every row"},
      {"auth_rls_initplan", S::live, L::warning, "policy",
       "auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting() in a policy, not wrapped in (SELECT "
       "...)"},
      {"user_metadata_referenced", S::live, L::error, "policy",
       "a policy or view that reads user_metadata / raw_user_meta_data, which every user can edit"},
      // Functions.
      {"security_definer_executable_by_anon", S::live, L::error, "function",
       "a SECURITY DEFINER function in an exposed schema that anon may execute"},
      {"security_definer_executable_by_authenticated", S::live, L::warning, "function",
       "a SECURITY DEFINER function in an exposed schema that authenticated may execute"},
      {"function_search_path_mutable", S::live, L::warning, "function", "a function without a pinned search_path"},
      {"unresolved_relation", S::live, L::error, "function",
       "a PL/pgSQL or SQL function body naming a relation that does not exist"},
      // Views and the Data API.
      {"auth_users_exposed", S::live, L::error, "table",
       "a view in an exposed schema that reads auth.users and that anon or authenticated may select"},
      {"security_definer_view", S::live, L::error, "table",
       "a view in an exposed schema without security_invoker: it reads with its owner's rights, past RLS"},
      {"materialized_view_in_api", S::live, L::warning, "table",
       "a materialized view in an exposed schema that anon or authenticated may select (no RLS)"},
      {"foreign_table_in_api", S::live, L::warning, "table",
       "a foreign table in an exposed schema that anon or authenticated may select (no RLS)"},
      {"sensitive_columns_exposed", S::live, L::error, "table",
       "a table without RLS that anon or authenticated may select, with a column named like a secret (password, token, "
       "ssn, ...)"},
      {"extension_in_public", S::live, L::warning, "", "an extension installed in schema public"},
      // Tables and indexes.
      {"no_primary_key", S::live, L::warning, "table", "a table in an exposed schema without a primary key"},
      {"unindexed_foreign_key", S::live, L::warning, "table", "a foreign key whose columns lead no index"},
      {"duplicate_index", S::live, L::warning, "index", "an index with the same keys, method and predicate as another"},
      {"invalid_index", S::live, L::error, "index", "an index left INVALID by a failed concurrent build"},
      {"fkey_to_auth_unique", S::live, L::error, "table",
       "a foreign key to an auth table through a unique constraint other than its primary key"},
      // Offline (`cora-migrate lint`, and migrate before it applies anything): the files alone.
      {"create_index_concurrently", S::offline, L::warning, "",
       "CREATE INDEX without CONCURRENTLY on a table that already exists"},
      {"not_null_without_default", S::offline, L::warning, "",
       "ADD COLUMN ... NOT NULL without a DEFAULT on a table that already exists"},
      {"volatile_default", S::offline, L::warning, "",
       "ADD COLUMN whose default is computed per row (volatile function, serial, identity, stored generated) on a "
       "table that already exists: a full table rewrite"},
      {"drop_column", S::offline, L::warning, "", "ALTER TABLE ... DROP COLUMN on a table that already exists"},
      {"drop_table", S::offline, L::warning, "", "DROP TABLE of a table that already exists"},
      {"rename_referenced_table", S::offline, L::warning, "",
       "RENAME of a table that a function body in the migrations still names"},
      {"missing_lock_timeout", S::offline, L::warning, "",
       "a strong lock on a table that already exists with no lock_timeout at all"},
      {"copy_to_stdout", S::offline, L::warning, "",
       "COPY ... TO STDOUT: its rows go to cora-migrate, which drops them"},
      {"unresolved_body_reference", S::offline, L::error, "",
       "a function body names a relation or function that no migration creates and the base schema does not have"},
      {"rerun_policy_not_dropped", S::offline, L::error, "",
       "a re-runnable file creates a policy with no DROP POLICY IF EXISTS before it: the second run fails"},
      {"rerun_create_not_guarded", S::offline, L::error, "",
       "a re-runnable file creates a table, index, type or trigger without IF NOT EXISTS, OR REPLACE or a drop "
       "before it: the second run fails"},
      {"rerun_destroys_data", S::offline, L::error, "",
       "a re-runnable file runs DROP TABLE, TRUNCATE, DELETE without WHERE, DROP OWNED, or DROP TYPE / SCHEMA / "
       "FUNCTION / ... CASCADE: every re-run loses data"},
      {"not_allowed_on_supabase", S::offline, L::warning, "",
       "a statement postgres cannot run on Supabase: ALTER SYSTEM, an untrusted language, SUPERUSER, or a change to a "
       "table of auth, storage or realtime that the platform owns (ALTER TABLE, CREATE INDEX, policies, COMMENT ON)"},
      // Offline, on the files of a project with modules: `lint`, and the lint stages of migrate and verify.
      {"undeclared_module_dependency", S::offline, L::warning, "",
       "a module's file uses a table, view, type or function that a module outside its depends_on (and the registry's) "
       "creates"},
      {"forward_reference", S::offline, L::error, "",
       "a module's schema file needs, to be created, a table, view, type or function that only a later file of the "
       "same module creates: on a database built from zero it fails"},
      // The application code's calls ([app]): `lint` against the migration files, `verify` against
      // the catalog; each finding at the Python file's line.
      {"app_unknown_function", S::offline, L::error, "",
       "the backend calls a function (rpc) that no migration creates / the database does not have"},
      {"app_unknown_parameter", S::offline, L::error, "",
       "the backend passes a parameter name that no overload of the function has"},
      {"app_missing_parameter", S::offline, L::error, "",
       "the backend leaves out a parameter without a default: no overload takes the names it passes"},
      {"app_unknown_table", S::offline, L::error, "",
       "the backend reads or writes a table or view that does not exist"},
      {"app_unknown_column", S::offline, L::error, "",
       "a filter or data key of the backend's call is not a column of the table or view"},
      {"app_role_not_granted", S::offline, L::error, "",
       "the backend's role ([app] role, service_role by default) may not EXECUTE, SELECT, INSERT, UPDATE or DELETE "
       "what the call uses"},
      {"app_call_not_checked", S::offline, L::off, "",
       "a backend call whose name or keys are not literal: not checked (counted in the summary; turn on to list each)"},
      {"app_file_unreadable", S::offline, L::error, "", "a backend Python file that Python's parser cannot read"},
  });
  return rules;
}

const LintRule* find_lint_rule(const std::string& name) {
  const auto& rules = lint_rules();
  const auto it = std::find_if(rules.begin(), rules.end(), [&](const LintRule& r) { return r.name == name; });
  return it == rules.end() ? nullptr : &*it;
}

const std::map<std::string, std::string>& lint_aliases() {
  // security_definer_search_path covered definer functions only; the rule now covers every one.
  static const std::map<std::string, std::string> aliases{
      {"security_definer_search_path", "function_search_path_mutable"}};
  return aliases;
}

LintLevel level_of(const LintRule& rule, const LintLevels& configured) {
  const auto it = configured.find(rule.name);
  return it == configured.end() ? rule.default_level : it->second;
}

}  // namespace cora
