// Which rules apply to a target (Supabase or plain PostgreSQL), and how a CREATE EXTENSION of an
// allow-listed extension is sent to the embedded cluster. Pure.

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cora/migrate/privileged_extensions.hpp"
#include "cora/sql/script.hpp"
#include "cora/verify/verify_schema.hpp"

namespace {

cora::SchemaFacts facts_with_open_table(bool api_roles) {
  cora::CatalogSnapshot catalog;
  cora::TableFact t;
  t.schema = "public";
  t.name = "items";
  t.has_primary_key = true;
  catalog.tables["public.items"] = t;
  if (api_roles) {
    catalog.roles["anon"] = cora::RoleFact{"anon", false, false, false, false, {}};
    catalog.roles["authenticated"] = cora::RoleFact{"authenticated", false, false, false, false, {}};
  }
  return cora::facts_from_catalog(catalog);
}

bool has_rls_finding(const std::vector<cora::CheckOutcome>& outcomes) {
  return std::any_of(outcomes.begin(), outcomes.end(), [](const cora::CheckOutcome& o) {
    return o.kind == "lint:rls_disabled_in_public" && !o.findings.empty();
  });
}

}  // namespace

TEST_CASE("Supabase's rules run where the API roles exist, or where [target] kind says") {
  const cora::LintLevels levels;
  const std::vector<std::string> exposed{"public"};
  const cora::CheckSet checks;
  const auto supabase = facts_with_open_table(true);
  const auto plain = facts_with_open_table(false);

  const cora::LintSelection detect{levels, exposed};
  CHECK(has_rls_finding(cora::verify_schema(checks, &detect, supabase)));
  CHECK_FALSE(has_rls_finding(cora::verify_schema(checks, &detect, plain)));
  CHECK(cora::supabase_rules_skipped_note(detect, supabase.catalog).empty());
  CHECK(cora::supabase_rules_skipped_note(detect, plain.catalog).find("no roles anon and authenticated") !=
        std::string::npos);

  const cora::LintSelection forced{levels, exposed, nullptr, cora::TargetKind::supabase};
  CHECK(has_rls_finding(cora::verify_schema(checks, &forced, plain)));
  const cora::LintSelection off{levels, exposed, nullptr, cora::TargetKind::postgres};
  CHECK_FALSE(has_rls_finding(cora::verify_schema(checks, &off, supabase)));
  CHECK(cora::supabase_rules_skipped_note(off, supabase.catalog).find("[target] kind = \"postgres\"") !=
        std::string::npos);
}

TEST_CASE("CREATE EXTENSION of an allow-listed extension becomes the compatibility layer's call, nothing else does") {
  const auto script = cora::parse_sql_script(
      "create extension if not exists dblink with schema extensions cascade;\n"
      "CREATE EXTENSION file_fdw;\n"
      "create extension postgres_fdw version '1.1';\n"
      "create table t (id int);\n");
  REQUIRE(script.statements.size() == 4);
  const auto& dblink = script.statements[0].extension;
  REQUIRE(dblink);
  CHECK(dblink->name == "dblink");
  CHECK(dblink->schema == std::optional<std::string>("extensions"));
  CHECK(dblink->if_not_exists);
  CHECK(dblink->cascade);
  CHECK_FALSE(dblink->version);
  CHECK(script.statements[2].extension->version == std::optional<std::string>("1.1"));
  CHECK_FALSE(script.statements[3].extension);

  const std::set<std::string> allowed{"dblink", "postgres_fdw"};
  const auto call = cora::statement_step(script.statements[0], "create extension ...", allowed);
  CHECK(call.sql == "SELECT cora_compat.create_extension($1, $2, $3, $4, $5)");
  REQUIRE(call.params.size() == 5);
  CHECK(call.params[0] == std::optional<std::string>("dblink"));
  CHECK(call.params[1] == std::optional<std::string>("extensions"));
  CHECK(call.params[2] == std::optional<std::string>("true"));
  CHECK(call.params[3] == std::optional<std::string>("true"));
  CHECK_FALSE(call.params[4]);
  const auto as_written = cora::statement_step(script.statements[1], "CREATE EXTENSION file_fdw", allowed);
  CHECK(as_written.sql == "CREATE EXTENSION file_fdw");
  CHECK(as_written.params.empty());
  // Against any other database (no allow-list) every statement goes as written.
  CHECK(cora::statement_step(script.statements[0], "as written", {}).sql == "as written");
}
