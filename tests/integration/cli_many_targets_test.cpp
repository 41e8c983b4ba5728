// Many targets: --env a,b,c and --all-envs run against several databases, bounded in parallel,
// with one summary table and a failing exit when any target fails.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"
#include "cora/util/text_lines.hpp"

using namespace cora::test;

TEST_CASE("cora-migrate --all-envs: 20 databases, one summary") {
  std::vector<std::unique_ptr<TestDatabase>> databases;
  ScratchDir dir;
  std::string config;
  for (int i = 1; i <= 20; ++i) {
    databases.push_back(std::make_unique<TestDatabase>());
    config += fmt::format("[environments.tenant{:02}]\ndatabase_url = \"{}\"\n", i, databases.back()->conninfo());
  }
  dir.write("cora-migrate.toml", config);
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("migrations/002-b.sql", "CREATE TABLE b (id int);\n");
  const CliOptions here{dir.path(), {}};

  const auto all = run_cli({"--all-envs", "--jobs", "4", "migrate"}, here);
  CHECK(all.exit_code == 0);
  CHECK(all.out.find("20 targets: 20 ok, 0 failed") != std::string::npos);
  CHECK(all.out.find("[tenant07] applied 002-b.sql") != std::string::npos);
  for (const auto& db : databases) CHECK(db->scalar("SELECT count(*) FROM cora_migrate.schema_history") == "2");

  // One tenant's database already has a table the next migration creates.
  dir.write("migrations/003-c.sql", "CREATE TABLE c (id int);\n");
  databases[6]->connect()->execute_script("CREATE TABLE c (id int)");
  const auto some = run_cli({"--env", "tenant06,tenant07,tenant08", "migrate"}, here);
  CHECK(some.exit_code == 6);
  CHECK(some.out.find("3 targets: 2 ok, 1 failed") != std::string::npos);
  CHECK_MESSAGE(some.out.find("tenant07  failed     6  cora-migrate: error:") != std::string::npos, some.out);
  CHECK(some.err.find("[tenant07] cora-migrate: error:") != std::string::npos);
  CHECK(databases[5]->scalar("SELECT count(*) FROM cora_migrate.schema_history") == "3");
  CHECK(databases[8]->scalar("SELECT count(*) FROM cora_migrate.schema_history") == "2");

  const auto status = run_cli({"--all-envs", "status", "--exit-code"}, here);
  CHECK(status.exit_code == 10);
  CHECK(status.out.find("20 targets: 2 ok, 18 failed") != std::string::npos);

  CHECK(run_cli({"--all-envs", "local", "status"}, here).exit_code == 2);
}

TEST_CASE("cora-migrate --env a,b,c with a machine format: one document for all targets") {
  TestDatabase good, bad;
  ScratchDir dir;
  dir.write("cora-migrate.toml", fmt::format("[environments.good]\ndatabase_url = \"{}\"\n"
                                             "[environments.bad]\ndatabase_url = \"{}\"\n"
                                             "[environments.down]\ndatabase_url = \"postgresql://127.0.0.1:1/none\"\n",
                                             good.conninfo(), bad.conninfo()));
  dir.write("migrations/001-t.sql", "CREATE TABLE public.t (id int PRIMARY KEY);\n");
  dir.write("checks/t.toml", "[[table]]\nname = \"public.t\"\nrls = true\n");
  const CliOptions here{dir.path(), {}};
  REQUIRE(run_cli({"--env", "good,bad", "migrate"}, here).exit_code == 0);
  good.connect()->execute_script(
      "ALTER TABLE public.t ENABLE ROW LEVEL SECURITY; "
      "CREATE POLICY t_read ON public.t FOR SELECT TO authenticated USING (true)");

  SUBCASE("json: an array, one element per target, each with its command's own JSON") {
    const auto r = run_cli({"--env", "good,bad,down", "status", "--format", "json"}, here);
    CHECK(r.exit_code == 5);
    const auto doc = nlohmann::json::parse(r.out);  // throws, failing the test, unless stdout is one document
    REQUIRE(doc.is_array());
    REQUIRE(doc.size() == 3);
    CHECK(doc[0]["target"] == "good");
    CHECK(doc[0]["exit_code"] == 0);
    CHECK(doc[0]["result"]["summary"]["applied"] == 1);
    CHECK(doc[0]["result"]["migrations"][0]["name"] == "t");
    CHECK(doc[1]["target"] == "bad");
    CHECK(doc[1]["result"]["history_table_exists"] == true);
    CHECK(doc[2]["target"] == "down");
    CHECK(doc[2]["exit_code"] == 5);
    // The failed run still printed one document: its error, with the exit code it returned.
    CHECK(doc[2]["result"]["command"] == "status");
    CHECK(doc[2]["result"]["error"]["exit_code"] == 5);
    CHECK(doc[2]["stderr"].get<std::string>().rfind("cora-migrate: error: cannot connect", 0) == 0);
    // The table for people goes to stderr, beside the targets' tagged stderr.
    CHECK(r.err.find("3 targets: 2 ok, 1 failed") != std::string::npos);
    CHECK(r.err.find("[down] cora-migrate: error: cannot connect") != std::string::npos);

    const auto verify = run_cli({"--env", "good,bad", "verify", "--format", "json"}, here);
    CHECK(verify.exit_code == 11);
    const auto checks = nlohmann::json::parse(verify.out);
    REQUIRE(checks.size() == 2);
    CHECK(checks[0]["result"]["summary"]["errors"] == 0);
    CHECK(checks[1]["exit_code"] == 11);
    CHECK(checks[1]["result"]["summary"]["errors"] == 2);
  }

  SUBCASE("github: raw annotations, the target first in each title") {
    const auto r = run_cli({"--env", "good,bad,down", "verify", "--format", "github"}, here);
    CHECK(r.exit_code == 11);
    std::vector<std::string> annotations;
    for (const auto& line : cora::lines_of(r.out)) {
      if (line.rfind("::", 0) == 0) annotations.push_back(line);
      const bool tagged = line.rfind("::", 0) == 0 || line.rfind("[good] ", 0) == 0 || line.rfind("[bad] ", 0) == 0;
      CHECK_MESSAGE(tagged, line);  // any other line is a target's summary, for people
    }
    REQUIRE(annotations.size() == 3);
    CHECK(annotations[0] ==
          "::error file=migrations/001-t.sql,line=1,title=[bad] table public.t::expected row level security enabled; "
          "found disabled; fix: ALTER TABLE public.t ENABLE ROW LEVEL SECURITY; if the migration files define it "
          "right, the database drifted from them: `cora-migrate diff` names the file and the command that restores "
          "it; last created or altered by migrations/001-t.sql:1; next: migrations/001-t.sql:1 is applied and does not "
          "run twice: change it in a new migration: cora-migrate new fix-t; check: checks/t.toml:1");
    CHECK(annotations[1] ==
          "::error file=migrations/001-t.sql,line=1,title=[bad] lint%3Arls_disabled_in_public public.t::expected row "
          "level security enabled on a table the Data API exposes; found disabled: anyone with the anon key can read "
          "and write it; fix: ALTER TABLE public.t ENABLE ROW LEVEL SECURITY; and add policies; last created or "
          "altered by migrations/001-t.sql:1; next: migrations/001-t.sql:1 is applied and does not run twice: change "
          "it in a new migration: cora-migrate new fix-t");
    CHECK_MESSAGE(annotations[2].rfind("::error title=[down] cora-migrate verify::exit 5: cora-migrate: error: cannot "
                                       "connect to postgresql://127.0.0.1:1/none: ",
                                       0) == 0,
                  annotations[2]);
    CHECK(r.out.find(" passed, 0 warned, 0 failed; findings: 0 errors, 0 warnings; 1 query to ") !=
          std::string::npos);  // [good]
  }

  SUBCASE("junit: one document, a suite per target") {
    const auto r = run_cli({"--env", "good,bad,down", "verify", "--format", "junit"}, here);
    CHECK(r.exit_code == 11);
    CHECK(r.out.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cora-migrate verify\">\n", 0) ==
          0);
    CHECK(occurrences(r.out, "<?xml") == 1);
    CHECK(occurrences(r.out, "<testsuites") == 1);
    CHECK(r.out.find("  <testsuite name=\"good\" tests=\"") != std::string::npos);
    CHECK(r.out.find("\" failures=\"0\">\n    <properties><property name=\"database\" value=\"") != std::string::npos);
    // table, rls_disabled_in_public, sensitive_columns_exposed (anon may select it: Supabase's default
    // privileges), no_primary_key, duplicate_index, invalid_index, table_owned_by_api_role, and
    // extension_in_public for each of the extensions Supabase creates in schema extensions
    // (uuid-ossp, pgcrypto), which pass
    CHECK_MESSAGE(r.out.find("  <testsuite name=\"bad\" tests=\"9\" failures=\"2\">\n") != std::string::npos, r.out);
    CHECK(r.out.find("  <testsuite name=\"down\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                     "    <testcase classname=\"cora-migrate\" name=\"verify\">\n"
                     "      <error message=\"exit 5: cora-migrate: error: cannot connect") != std::string::npos);
    const std::string end = "</testsuites>\n";
    CHECK(r.out.compare(r.out.size() - std::min(r.out.size(), end.size()), std::string::npos, end) == 0);
    CHECK(r.out.find("[good]") == std::string::npos);
  }
}

TEST_CASE("cora-migrate --all-envs: more targets than jobs, one summary and one JSON document") {
  std::vector<std::unique_ptr<TestDatabase>> databases;
  ScratchDir dir;
  std::string config;
  for (int i = 1; i <= 12; ++i) {
    databases.push_back(std::make_unique<TestDatabase>());
    config += fmt::format("[environments.t{:02}]\ndatabase_url = \"{}\"\n", i, databases.back()->conninfo());
  }
  dir.write("cora-migrate.toml", config);
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  const CliOptions here{dir.path(), {}};

  const auto migrate = run_cli({"--all-envs", "--jobs", "3", "migrate"}, here);
  CHECK(migrate.exit_code == 0);
  CHECK(occurrences(migrate.out, " targets: ") == 1);
  CHECK(occurrences(migrate.out, "\nENV  RESULT") == 1);
  CHECK(migrate.out.find("12 targets: 12 ok, 0 failed") != std::string::npos);
  CHECK(occurrences(migrate.out, "] applied 001-a.sql") == 12);

  // The most --jobs allows, far more than targets; and the default derived from the machine.
  for (const auto& jobs : {std::vector<std::string>{"--jobs", "64"}, std::vector<std::string>{}}) {
    std::vector<std::string> args = {"--all-envs"};
    args.insert(args.end(), jobs.begin(), jobs.end());
    args.insert(args.end(), {"status", "--format", "json"});
    const auto r = run_cli(args, here);
    CHECK(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(r.out);  // throws unless stdout is exactly one document
    REQUIRE(doc.size() == 12);
    for (std::size_t i = 0; i < 12; ++i) {
      CHECK(doc[i]["target"] == fmt::format("t{:02}", i + 1));  // in the order configured, whichever ended first
      CHECK(doc[i]["result"]["summary"]["applied"] == 1);
    }
    CHECK(occurrences(r.err, " targets: ") == 1);
    CHECK(r.err.find("12 targets: 12 ok, 0 failed") != std::string::npos);
  }
  CHECK(run_cli({"--all-envs", "--jobs", "65", "status"}, here).exit_code == 2);
  CHECK(run_cli({"--all-envs", "--jobs", "0", "status"}, here).exit_code == 2);
  CHECK(run_cli({"--help"}, here).out.find("(default min(64, max(4, 4 x hardware threads)): ") != std::string::npos);
}

// migrate's own annotations (a lint warning, the failure) say which target they are about, as
// verify's do; a target that fails with its own annotation gets no second, generic one.
TEST_CASE("cora-migrate --env a,b migrate --format github: each annotation names its target") {
  TestDatabase good, bad;
  ScratchDir dir;
  dir.write("cora-migrate.toml", fmt::format("[environments.good]\ndatabase_url = \"{}\"\n"
                                             "[environments.bad]\ndatabase_url = \"{}\"\n",
                                             good.conninfo(), bad.conninfo()));
  dir.write("migrations/001-items.sql", "CREATE TABLE items (id int);\n");
  const CliOptions here{dir.path(), {}};
  REQUIRE(run_cli({"--env", "good,bad", "migrate"}, here).exit_code == 0);
  dir.write("migrations/002-index.sql", "CREATE INDEX items_id ON items (id);\nCREATE TABLE extra (id int);\n");
  bad.connect()->execute_script("CREATE TABLE extra (id int)");

  const auto r = run_cli({"--env", "good,bad", "migrate", "--format", "github"}, here);
  CHECK(r.exit_code == 6);
  std::vector<std::string> annotations;
  for (const auto& line : cora::lines_of(r.out)) {
    if (line.rfind("::", 0) == 0) annotations.push_back(line);
  }
  INFO("stdout: " << r.out);
  REQUIRE(annotations.size() == 3);
  CHECK(annotations[0].rfind("::warning file=migrations/002-index.sql,line=1,title=[good] cora-migrate "
                             "create_index_concurrently::",
                             0) == 0);
  CHECK(annotations[1].rfind("::warning file=migrations/002-index.sql,line=1,title=[bad] cora-migrate "
                             "create_index_concurrently::",
                             0) == 0);
  CHECK(annotations[2].rfind("::error file=migrations/002-index.sql,line=2,col=1,title=[bad] cora-migrate "
                             "migrate::relation \"extra\" already exists [SQLSTATE 42P07]",
                             0) == 0);
}

namespace {

// The pid of the child run for `target` (its command line holds "--as-target TARGET"), or -1.
int child_run_pid(const std::string& target) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
    const std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(std::string("--as-target") + '\0' + target + '\0') != std::string::npos) return std::stoi(name);
  }
  return -1;
}

}  // namespace

// A run killed after its lint annotated an error (a rule graded error) still gets the annotation
// that says it did not finish: the lint's is not why it stopped.
TEST_CASE("cora-migrate --env a,b migrate --format github: a killed run is annotated as killed") {
  TestDatabase db, other;
  ScratchDir dir;
  dir.write("cora-migrate.toml", fmt::format("[environments.slow]\ndatabase_url = \"{}\"\n"
                                             "[environments.other]\ndatabase_url = \"{}\"\n"
                                             "[lints]\ncreate_index_concurrently = \"error\"\n",
                                             db.conninfo(), other.conninfo()));
  dir.write("migrations/001-items.sql", "CREATE TABLE items (id int);\n");
  const CliOptions here{dir.path(), {}};
  REQUIRE(run_cli({"--env", "slow,other", "migrate"}, here).exit_code == 0);
  // Only the slow target sleeps; the other applies the same file at once.
  dir.write("migrations/002-index.sql",
            fmt::format("CREATE INDEX items_id ON items (id);\n"
                        "SELECT pg_sleep(CASE WHEN current_database() = '{}' THEN 60 ELSE 0 END);\n",
                        db.name()));

  auto running = start_cli({"--env", "slow,other", "migrate", "--format", "github"}, here);
  bool sleeping = false;
  for (int i = 0; i < 400 && !sleeping; ++i) {
    sleeping = db.scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(CASE%' "
                   "AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'") == "1";
    if (!sleeping) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!sleeping) {
    const auto early = wait_cli(running);
    FAIL("the run did not reach pg_sleep: " << early.out << early.err);
  }
  const int child = child_run_pid("slow");
  REQUIRE(child > 0);
  REQUIRE(::kill(child, SIGKILL) == 0);
  const auto r = wait_cli(running);
  CHECK(r.exit_code != 0);
  std::vector<std::string> errors;
  for (const auto& line : cora::lines_of(r.out)) {
    if (line.rfind("::error", 0) == 0) errors.push_back(line);
  }
  INFO("stdout: " << r.out);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].find("title=[slow] cora-migrate create_index_concurrently::") != std::string::npos);
  CHECK(errors[1].rfind("::error title=[slow] cora-migrate migrate::killed by signal 9", 0) == 0);
  CHECK(errors[2].find("title=[other] cora-migrate create_index_concurrently::") != std::string::npos);
  CHECK(other.scalar("SELECT to_regclass('public.items_id') IS NOT NULL") == "t");
  CHECK(db.scalar("SELECT to_regclass('public.items_id') IS NULL") == "t");  // rolled back with the kill
}
