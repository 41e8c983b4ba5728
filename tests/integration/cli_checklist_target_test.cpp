// `cora-migrate checklist` on a plain PostgreSQL (no roles anon and authenticated): the items that
// need Supabase's roles or schemas are skipped, not failed, and the run says once why; with
// `[target] kind = "supabase"` they run (and fail, as the roles do not exist).

#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/secure_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// One plain item, one probe as service_role, one scenario step as authenticated, one automatic
// item that reads auth.users.
const char* kMixedChecklist = R"toml(title = "Mixed"

[[scenario]]
name = "as-a-user"
  [[scenario.step]]
  name = "request"
  role = "authenticated"
  sql = "SELECT 1"

[[section]]
name = "Mixed"
  [[section.item]]
  id = "items-table"
  kind = "automatic"
  text = "The items table exists"
    [[section.item.table]]
    name = "items"
  [[section.item]]
  id = "service-role-reads"
  kind = "automatic"
  text = "The service role reads items"
    [[section.item.probe]]
    name = "service_role reads items"
    role = "service_role"
    sql = "SELECT count(*) FROM public.items"
    expect = "succeed"
  [[section.item]]
  id = "auth-users"
  kind = "automatic"
  text = "auth.users is readable"
    [[section.item.probe]]
    name = "auth.users is readable"
    role = "app"
    sql = "SELECT count(*) FROM auth.users"
    expect = "succeed"
  [[section.item]]
  id = "user-request"
  kind = "scenario"
  text = "A user's request runs"
  scenario = "as-a-user"
    [[section.item.expect]]
    sql = "SELECT 1"
    rows = [["1"]]
)toml";

const char* kSkippedNote =
    "note: Supabase's rules (what the anon and authenticated roles may reach) were skipped: the database has no roles "
    "anon and authenticated";

}  // namespace

TEST_CASE("cora-migrate checklist on a plain PostgreSQL skips Supabase's items; [target] kind forces them") {
  SecureCluster cluster;
  const std::string password = "plain-checklist-pass";
  cluster.execute("CREATE ROLE app LOGIN PASSWORD '" + password + "'");
  cluster.execute("CREATE DATABASE appdb OWNER app");
  const std::string url = cluster.url("app", "appdb");
  ScratchDir dir;
  dir.write("migrations/001-items.sql", "create table public.items (id bigint primary key);\n");
  dir.write("checks/checklists/mixed.toml", kMixedChecklist);
  const CliOptions env{dir.path(), {{"PGPASSWORD", password}, {"PGPASSFILE", std::nullopt}}};
  REQUIRE(run_cli({"--database-url", url, "migrate"}, env).exit_code == 0);

  const auto plain = run_cli({"--database-url", url, "checklist", "mixed"}, env);
  INFO(plain.out);
  INFO(plain.err);
  CHECK(plain.exit_code == 0);
  CHECK(occurrences(plain.err, kSkippedNote) == 1);
  CHECK(contains(plain.out, "  [x] The items table exists\n"));
  CHECK(contains(plain.out,
                 "  [ ] The service role reads items\n      skipped: it needs Supabase's role "
                 "service_role, and the target is not a Supabase project\n"));
  CHECK(contains(plain.out, "  [ ] auth.users is readable\n      skipped: it needs Supabase's schema auth"));
  CHECK(contains(plain.out, "  [ ] A user's request runs\n      skipped: it needs Supabase's role authenticated"));
  CHECK(contains(plain.out, "1 of 4 items ticked: 0 failed, 0 manual, 0 without evidence, 3 skipped"));

  // --strict: a skipped item is unticked, and unticked items fail the run.
  const auto strict = run_cli({"--database-url", url, "checklist", "mixed", "--strict"}, env);
  CHECK(strict.exit_code == 12);
  CHECK(contains(strict.out, "(--strict: unticked items fail the run)"));

  const auto json = run_cli({"--database-url", url, "checklist", "mixed", "--format", "json"}, env);
  CHECK(json.exit_code == 0);
  const auto report = nlohmann::json::parse(json.out);
  CHECK(report.dump().find("\"skipped\":3") != std::string::npos);
  CHECK(contains(report.dump(), "\"state\":\"unticked\""));

  const auto markdown = run_cli({"--database-url", url, "checklist", "mixed", "--format", "markdown"}, env);
  CHECK(markdown.exit_code == 0);
  CHECK(contains(markdown.out, "- [ ] The service role reads items"));

  dir.write("cora-migrate.toml", "[target]\nkind = \"supabase\"\n");
  const auto forced = run_cli({"--database-url", url, "checklist", "mixed"}, env);
  INFO(forced.out);
  CHECK(forced.exit_code == 12);
  CHECK(!contains(forced.err, "were skipped"));
  CHECK(!contains(forced.out, "skipped"));
  CHECK(contains(forced.out, "3 failed"));
}

TEST_CASE("cora-migrate checklist on a plain PostgreSQL: the shipped Phase 14 checklist skips its service_role items") {
  SecureCluster cluster;
  const std::string password = "plain-phase14-pass";
  cluster.execute("CREATE ROLE app LOGIN PASSWORD '" + password + "'");
  cluster.execute("CREATE DATABASE appdb OWNER app");
  const std::string url = cluster.url("app", "appdb");
  ScratchDir dir;
  const CliOptions env{dir.path(), {{"PGPASSWORD", password}, {"PGPASSFILE", std::nullopt}}};
  const auto r = run_cli({"--database-url", url, "--checks", (source_dir() / "checks").string(), "checklist",
                          "phase-14-session-tracking", "--format", "json"},
                         env);
  INFO(r.err);
  INFO(r.out);
  CHECK(occurrences(r.err, kSkippedNote) == 1);
  CHECK(contains(r.out, "skipped: it needs Supabase's role service_role"));
  CHECK(!contains(r.out, "role \\\"service_role\\\" does not exist"));
}
