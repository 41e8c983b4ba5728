// The rules that follow role membership and ownership (role_reach_rules.cpp), on catalog
// snapshots written as JSON: no server.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cora/catalog/catalog_snapshot_json.hpp"
#include "cora/lints/lints.hpp"

namespace {

// "rule subject severity" of every finding of the three rules and policy_always_true.
std::vector<std::string> reach_findings(const std::string& snapshot_json) {
  const auto snapshot = cora::catalog_snapshot_from_json(nlohmann::json::parse(snapshot_json));
  std::vector<std::string> out;
  for (const auto& o : cora::run_lints(snapshot, cora::analyse_functions(snapshot), {}, {"public"})) {
    const bool ours = o.kind == "lint:table_owned_by_api_role" || o.kind == "lint:policy_always_true_for_anon" ||
                      o.kind == "lint:sensitive_columns_policy_true" || o.kind == "lint:policy_always_true";
    if (!ours) continue;
    for (const auto& f : o.findings) {
      out.push_back(o.kind.substr(5) + " " + o.subject + " " +
                    (f.severity == cora::Severity::error ? "error" : "warning"));
    }
  }
  return out;
}

// One RLS table, its owner, its columns, one policy and the roles.
std::string one_table_snapshot(const std::string& owner, const std::string& columns, const std::string& policy,
                               const std::string& roles) {
  return R"({"tables": [{"schema": "public", "name": "t", "rls": true, "primary_key": true, "owner": ")" + owner +
         R"(", "anon_select": true, "authenticated_select": true, "columns": [)" + columns + R"(]}],
    "policies": [)" +
         policy + R"(], "roles": {"roles": [)" + roles + R"(]}})";
}

const std::string kRoles =
    R"({"name": "anon"}, {"name": "authenticated"}, {"name": "postgres", "superuser": true},
       {"name": "writers"}, {"name": "web", "member_of": ["writers"]})";

}  // namespace

TEST_CASE("role reach: a policy on a group reaches anon through every level of membership") {
  const std::string insert_true =
      R"({"schema": "public", "table": "t", "name": "p", "command": "INSERT", "roles": ["writers"], "with_check": "true"})";
  SUBCASE("anon a member of web, web of writers: an error") {
    const std::string once = R"({"name": "anon", "member_of": ["web"]}, {"name": "authenticated"},
       {"name": "writers"}, {"name": "web", "member_of": ["writers"]})";
    CHECK(reach_findings(one_table_snapshot("postgres", "", insert_true, once)) ==
          std::vector<std::string>{"policy_always_true_for_anon public.t p error"});
  }
  SUBCASE("anon a member of nothing: no finding (writers is no API role)") {
    CHECK(reach_findings(one_table_snapshot("postgres", "", insert_true, kRoles)).empty());
  }
  SUBCASE("a membership cycle ends") {
    const std::string cycle = R"({"name": "anon", "member_of": ["web"]}, {"name": "authenticated"},
       {"name": "writers", "member_of": ["web"]}, {"name": "web", "member_of": ["writers"]})";
    CHECK(reach_findings(one_table_snapshot("postgres", "", insert_true, cycle)) ==
          std::vector<std::string>{"policy_always_true_for_anon public.t p error"});
  }
  SUBCASE("authenticated a member of writers: policy_always_true's warning, as before") {
    const std::string roles = R"({"name": "anon"}, {"name": "authenticated", "member_of": ["writers"]},
       {"name": "writers"})";
    CHECK(reach_findings(one_table_snapshot("postgres", "", insert_true, roles)) ==
          std::vector<std::string>{"policy_always_true public.t p warning"});
  }
}

TEST_CASE("role reach: read policies USING (true): a warning for anon, an error on secret-looking columns") {
  const std::string read_anon =
      R"({"schema": "public", "table": "t", "name": "r", "command": "SELECT", "roles": ["anon"], "using": "true"})";
  const std::string read_authenticated =
      R"({"schema": "public", "table": "t", "name": "r", "command": "SELECT", "roles": ["authenticated"], "using": "true"})";
  const std::string plain = R"({"name": "title"})";
  const std::string secret = R"({"name": "title"}, {"name": "Refresh-Token"})";
  CHECK(reach_findings(one_table_snapshot("postgres", plain, read_anon, kRoles)) ==
        std::vector<std::string>{"policy_always_true_for_anon public.t r warning"});
  CHECK(reach_findings(one_table_snapshot("postgres", secret, read_anon, kRoles)) ==
        std::vector<std::string>{"policy_always_true_for_anon public.t r warning",
                                 "sensitive_columns_policy_true public.t r error"});
  CHECK(reach_findings(one_table_snapshot("postgres", plain, read_authenticated, kRoles)).empty());
  CHECK(reach_findings(one_table_snapshot("postgres", secret, read_authenticated, kRoles)) ==
        std::vector<std::string>{"sensitive_columns_policy_true public.t r error"});
  // A policy for PUBLIC on a table only authenticated may select: authenticated reads the secrets.
  const std::string public_read =
      R"({"schema": "public", "table": "t", "name": "r", "command": "SELECT", "roles": ["public"], "using": "true"})";
  auto only_authenticated = one_table_snapshot("postgres", secret, public_read, kRoles);
  only_authenticated.replace(only_authenticated.find(R"("anon_select": true)"), 19, R"("anon_select": false)");
  CHECK(reach_findings(only_authenticated) ==
        std::vector<std::string>{"policy_always_true_for_anon public.t r warning",
                                 "sensitive_columns_policy_true public.t r error"});
  const std::string token_count = R"({"name": "token_count"})";  // whole names only
  CHECK(reach_findings(one_table_snapshot("postgres", token_count, read_authenticated, kRoles)).empty());
}

TEST_CASE("role reach: a table owned by an API role, or by a group anon belongs to") {
  CHECK(reach_findings(one_table_snapshot("authenticator", "", "", kRoles)) ==
        std::vector<std::string>{"table_owned_by_api_role public.t error"});
  CHECK(reach_findings(one_table_snapshot("postgres", "", "", kRoles)).empty());
  CHECK(reach_findings(one_table_snapshot("writers", "", "", kRoles)).empty());
  const std::string anon_in_writers = R"({"name": "anon", "member_of": ["writers"]}, {"name": "writers"})";
  CHECK(reach_findings(one_table_snapshot("writers", "", "", anon_in_writers)) ==
        std::vector<std::string>{"table_owned_by_api_role public.t error"});
}
