// Machine output of every command (--format json, lint's github and sarif), from the built
// binary: one document on stdout, naming the command and the database without its password,
// and still one document, with the error, when the command fails.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cora/output/machine_text.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// stdout parsed as exactly one JSON document (parse throws, failing the test, otherwise).
nlohmann::json document_of(const CliResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  return nlohmann::json::parse(r.out);
}

// A project of three files: the second fails on its third line (a table that does not exist).
struct FailingProject {
  ScratchDir dir;
  TestDatabase db;
  FailingProject() {
    dir.write("migrations/001-items.sql", "CREATE TABLE items (id int PRIMARY KEY);\n");
    dir.write("migrations/002-broken.sql", "INSERT INTO items VALUES (1);\n\nINSERT INTO nowhere VALUES (1);\n");
    dir.write("migrations/003-more.sql", "CREATE TABLE more (id int PRIMARY KEY);\n");
  }
  // The password is one a trusting server ignores: it is there to be left out of the output.
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo() + " password=hunter2", "--migrations",
                               (dir.path() / "migrations").string()});
    return run_cli(args);
  }
};

}  // namespace

TEST_CASE("migrate --format json: each file's state, duration and error") {
  FailingProject project;

  SUBCASE("a failure: applied, failed with sqlstate, file and line, not_run; exit 6 as without json") {
    const auto r = project.run({"migrate", "--format", "json"});
    CHECK(r.exit_code == 6);
    const auto doc = document_of(r);
    CHECK(doc["command"] == "migrate");
    CHECK_FALSE(contains(doc["database"].get<std::string>(), "hunter2"));
    CHECK(doc["dry_run"] == false);
    const auto& files = doc["migrations"];
    REQUIRE(files.size() == 3);
    CHECK(files[0]["state"] == "applied");
    CHECK(files[0]["version"] == "001");  // a string, as the file name writes it
    CHECK(files[0]["name"] == "items");
    CHECK(files[0]["duration_ms"].is_number_integer());
    CHECK(files[1]["state"] == "failed");
    CHECK(files[1]["error"]["sqlstate"] == "42P01");
    CHECK(files[1]["error"]["line"] == 3);
    CHECK(files[1]["error"]["column"] == 13);
    CHECK(std::filesystem::path(files[1]["error"]["file"].get<std::string>()).filename() == "002-broken.sql");
    CHECK(files[2]["state"] == "not_run");
    CHECK(files[2]["duration_ms"].is_null());
    CHECK(doc["summary"]["applied"] == 1);
    CHECK(doc["summary"]["failed"] == 1);
    CHECK(doc["summary"]["not_run"] == 1);
    CHECK(doc["error"]["exit_code"] == 6);
    CHECK(contains(doc["error"]["message"].get<std::string>(), "relation \"nowhere\" does not exist"));
    // People still read the error on stderr.
    CHECK(contains(r.err, "cora-migrate: error: "));
  }

  SUBCASE("a malformed file: exit 4, its place as file, line and column, as in the message") {
    project.dir.write("migrations/002-broken.sql", "SELECT 1;\nSELEC 2;\n");
    const auto r = project.run({"migrate", "--format", "json"});
    CHECK(r.exit_code == 4);
    const auto doc = document_of(r);
    const auto& error = doc["error"];
    CHECK(error["exit_code"] == 4);
    CHECK(std::filesystem::path(error["file"].get<std::string>()).filename() == "002-broken.sql");
    CHECK(error["line"] == 2);
    CHECK(error["column"] == 1);
    CHECK(error["sqlstate"].is_null());
    CHECK(contains(error["message"].get<std::string>(), "002-broken.sql:2:1: SQL syntax error"));
  }

  SUBCASE("success, then nothing to apply: every file applied, then an empty list") {
    project.dir.write("migrations/002-broken.sql", "INSERT INTO items VALUES (1);\n");
    const auto r = project.run({"migrate", "--format", "json"});
    REQUIRE(r.exit_code == 0);
    const auto doc = document_of(r);
    CHECK(doc["summary"]["applied"] == 3);
    CHECK(doc["error"].is_null());
    for (const auto& file : doc["migrations"]) CHECK(file["state"] == "applied");

    const auto again = document_of(project.run({"migrate", "--format", "json"}));
    CHECK(again["migrations"].empty());
    CHECK(again["summary"]["total"] == 0);
  }

  SUBCASE("--dry-run: every file pending, nothing applied") {
    const auto doc = document_of(project.run({"migrate", "--dry-run", "--format", "json"}));
    CHECK(doc["dry_run"] == true);
    CHECK(doc["summary"]["pending"] == 3);
    CHECK(project.db.scalar("SELECT to_regclass('public.items') IS NULL") == "t");
  }

  SUBCASE("a failure before anything runs: still one document with the error, exit unchanged") {
    const auto r = run_cli({"--database-url", "postgresql://cora@127.0.0.1:1/nowhere?connect_timeout=2", "--migrations",
                            (project.dir.path() / "migrations").string(), "migrate", "--format", "json"});
    CHECK(r.exit_code == 5);
    const auto doc = document_of(r);
    CHECK(doc["command"] == "migrate");
    CHECK(doc["database"].is_null());
    CHECK(doc["error"]["exit_code"] == 5);
    CHECK(contains(doc["error"]["message"].get<std::string>(), "cannot connect"));
  }
}

TEST_CASE("migrate --format github: lint warnings and the failure as workflow annotations, exit code kept") {
  FailingProject project;
  project.dir.write("migrations/002-broken.sql",
                    "CREATE INDEX items_id ON items (id);\n\nINSERT INTO nowhere VALUES (1);\n");
  REQUIRE(project.run({"migrate", "--to", "1"}).exit_code == 0);  // items exists before the index
  const auto r = project.run({"migrate", "--format", "github"});
  CHECK(r.exit_code == 6);
  const std::string property = cora::github_property((project.dir.path() / "migrations" / "002-broken.sql").string());
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  // Progress stays as people read it; the workflow commands are the lines that start with "::".
  std::vector<std::string> annotations;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("::", 0) == 0) annotations.push_back(line);
  }
  REQUIRE(annotations.size() == 2);
  CHECK(annotations[0].rfind("::warning file=" + property + ",line=1,title=cora-migrate create_index_concurrently::",
                             0) == 0);
  CHECK(annotations[1] ==
        "::error file=" + property +
            ",line=3,col=13,title=cora-migrate migrate::relation \"nowhere\" "
            "does not exist [SQLSTATE 42P01] (hint: the file was rolled back, nothing from it was applied; "
            "fix the file and run migrate again)");
  CHECK_FALSE(contains(r.out, "hunter2"));
  // People still read the error on stderr.
  CHECK(contains(r.err, "cora-migrate: error: "));

  SUBCASE("a run that succeeds prints no error annotation") {
    project.dir.write("migrations/002-broken.sql", "INSERT INTO items VALUES (1);\n");
    const auto ok = project.run({"migrate", "--format", "github"});
    CHECK(ok.exit_code == 0);
    CHECK_FALSE(contains(ok.out, "::error"));
  }
}

TEST_CASE("status --format json is status --json; verify and checklist name their command") {
  FailingProject project;
  project.dir.write("migrations/002-broken.sql", "INSERT INTO items VALUES (1);\n");
  REQUIRE(project.run({"migrate", "--to", "1"}).exit_code == 0);
  const auto by_format = document_of(project.run({"status", "--format", "json"}));
  const auto old_flag = project.run({"status", "--json"});  // the old spelling: the same document
  const auto by_flag = document_of(old_flag);
  CHECK(contains(old_flag.err, "--json is deprecated: use --format json"));
  CHECK(by_format["command"] == "status");
  CHECK(by_format["summary"]["applied"] == 1);
  CHECK(by_format["summary"]["pending"] == 2);
  CHECK(by_format["migrations"] == by_flag["migrations"]);
  CHECK_FALSE(contains(by_format["database"].get<std::string>(), "hunter2"));

  const auto verify = project.run({"verify", "--format", "json"});
  CHECK(document_of(verify)["command"] == "verify");
}

TEST_CASE("checklist --format json: every item with its state, and the tally") {
  TestDatabase db;
  REQUIRE(run_cli({"--database-url", db.conninfo(), "--migrations", (source_dir() / "migrations").string(), "migrate"})
              .exit_code == 0);
  const auto r = run_cli({"--database-url", db.conninfo(), "--checks", (source_dir() / "checks").string(), "checklist",
                          "--format", "json"});
  const auto doc = document_of(r);
  CHECK(doc["command"] == "checklist");
  CHECK(doc["passed"] == (r.exit_code == 0));
  REQUIRE_FALSE(doc["sections"].empty());
  std::size_t items = 0;
  for (const auto& section : doc["sections"]) {
    for (const auto& item : section["items"]) {
      ++items;
      CHECK_FALSE(item["id"].get<std::string>().empty());
      const auto state = item["state"].get<std::string>();
      CHECK((state == "ticked" || state == "failed" || state == "unticked"));
    }
  }
  CHECK(doc["summary"]["items"] == items);
}

TEST_CASE("baseline, adopt and repair --format json") {
  FailingProject project;
  project.dir.write("migrations/002-broken.sql", "INSERT INTO items VALUES (1);\n");

  SUBCASE("baseline: the files recorded, each with its action") {
    const auto doc = document_of(project.run({"baseline", "2", "--format", "json"}));
    CHECK(doc["command"] == "baseline");
    REQUIRE(doc["migrations"].size() == 2);
    CHECK(doc["migrations"][1]["version"] == "002");
    CHECK(doc["migrations"][1]["action"] == "baseline");
    CHECK(doc["summary"]["recorded"] == 2);
  }

  SUBCASE("adopt: what the schema shows is adopted, the first file it does not show is not; exit 11") {
    // Row level security on: the built-in lints would otherwise refuse to adopt a public table.
    project.dir.write("migrations/001-items.sql",
                      "CREATE TABLE items (id int PRIMARY KEY);\nALTER TABLE items ENABLE ROW LEVEL SECURITY;\n");
    project.db.connect()->execute_script(
        "CREATE TABLE items (id int PRIMARY KEY); ALTER TABLE items ENABLE ROW LEVEL SECURITY");
    // The files' schema is built on the test cluster.
    project.dir.write("cora-migrate.toml", test_cluster_local_settings());
    const std::string config = (project.dir.path() / "cora-migrate.toml").string();
    const auto r = project.run({"--config", config, "adopt", "--format", "json"});
    CHECK(r.exit_code == 11);
    const auto doc = document_of(r);
    CHECK(doc["command"] == "adopt");
    REQUIRE(doc["adopted"].size() == 1);
    CHECK(doc["adopted"][0]["version"] == "001");
    CHECK(doc["adopted"][0]["objects"] == 1);
    CHECK(doc["adopted"][0]["statements_checked"] == 2);
    CHECK(doc["adopted"][0]["forced"] == false);
    REQUIRE(doc["not_adopted"].size() == 1);
    CHECK(doc["not_adopted"][0]["version"] == "002");  // an INSERT: rows adopt does not compare
    REQUIRE(doc["not_adopted"][0]["unchecked"].size() == 1);
    CHECK(contains(doc["not_adopted"][0]["unchecked"][0].get<std::string>(),
                   "002-broken.sql:1: INSERT INTO changes rows, which adopt does not compare"));
    CHECK(doc["summary"]["not_adopted"] == 1);

    const auto forced = document_of(project.run({"--config", config, "adopt", "--force", "--format", "json"}));
    REQUIRE(forced["adopted"].size() == 2);  // 002 and 003, whose table is missing
    CHECK(forced["adopted"][1]["forced"] == true);
    CHECK_FALSE(forced["adopted"][1]["missing"].empty());
    CHECK(forced["not_adopted"].empty());
  }

  SUBCASE("repair: a dirty migration pending again; refused, the error as JSON with exit 2") {
    project.dir.write(
        "migrations/003-more.sql",
        "-- cora-migrate: transaction=false\nCREATE TABLE more (id int);\nINSERT INTO nowhere VALUES (1);\n");
    REQUIRE(project.run({"migrate"}).exit_code == 6);
    const auto repaired = document_of(project.run({"repair", "3", "--format", "json"}));
    CHECK(repaired["command"] == "repair");
    CHECK(repaired["migration"] == "3");
    CHECK(repaired["recorded_as"] == "pending");

    const auto refused = project.run({"repair", "1", "--format", "json"});
    CHECK(refused.exit_code == 2);
    const auto doc = document_of(refused);
    CHECK(doc["command"] == "repair");
    CHECK(doc["error"]["exit_code"] == 2);
  }
}

TEST_CASE("local status --format json: the cluster's state and where it is") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "SELECT 1;\n");
  const auto r = run_cli({"local", "status", "--format", "json"}, {dir.path(), {}});
  REQUIRE(r.exit_code == 0);
  const auto doc = document_of(r);
  CHECK(doc["command"] == "local status");
  CHECK(doc["state"] == "not created");
  CHECK(contains(doc["folder"].get<std::string>(), ".cora"));
}

TEST_CASE("lint --format json, github and sarif") {
  ScratchDir dir;
  dir.write("migrations/001-items.sql", "CREATE TABLE items (id int, name text);\n");
  dir.write("migrations/002-index.sql", "-- speeds up search\nCREATE INDEX items_name ON items (name);\n");
  dir.write("migrations/003-typo.sql", "CREATE TABLE a (id int);\n\nCREATE TABEL b (id int);\n");
  const CliOptions here{dir.path(), {}};

  SUBCASE("json names the command and no database") {
    const auto doc = document_of(run_cli({"lint", "--format", "json"}, here));
    CHECK(doc["command"] == "lint");
    CHECK(doc["database"].is_null());
    CHECK(doc["summary"]["errors"] == 1);
  }

  SUBCASE("github: one workflow annotation per finding, escaped") {
    const auto r = run_cli({"lint", "--format", "github"}, here);
    CHECK(r.exit_code == 4);
    CHECK(r.out ==
          "::warning file=migrations/002-index.sql,line=2,title=cora-migrate create_index_concurrently::"
          "CREATE INDEX items_name on public.items, a table that already exists, without CONCURRENTLY: every INSERT, "
          "UPDATE and DELETE on the table waits until the index is built (hint: write CREATE INDEX CONCURRENTLY in a "
          "migration of its own that starts with \"-- cora-migrate: transaction=false\")\n"
          "::error file=migrations/003-typo.sql,line=3,col=8,title=cora-migrate invalid_file::SQL syntax error: "
          "syntax error at or near \"TABEL\" (hint: fix the SQL; nothing was applied)\n");
  }

  SUBCASE("sarif 2.1.0: the tool, its rules, a result per finding with its location") {
    const auto r = run_cli({"lint", "--format", "sarif"}, here);
    CHECK(r.exit_code == 4);
    const auto doc = document_of(r);
    CHECK(doc["version"] == "2.1.0");
    CHECK(doc["$schema"].get<std::string>().find("sarif") != std::string::npos);
    REQUIRE(doc["runs"].size() == 1);
    const auto& run = doc["runs"][0];
    CHECK(run["tool"]["driver"]["name"] == "cora-migrate");
    CHECK(run["tool"]["driver"]["version"].is_string());
    bool knows_rule = false;
    for (const auto& rule : run["tool"]["driver"]["rules"]) {
      CHECK(rule["id"].is_string());
      CHECK(rule["shortDescription"]["text"].is_string());
      knows_rule = knows_rule || rule["id"] == "create_index_concurrently";
    }
    CHECK(knows_rule);
    REQUIRE(run["results"].size() == 2);
    const auto& warning = run["results"][0];
    CHECK(warning["ruleId"] == "create_index_concurrently");
    CHECK(warning["level"] == "warning");
    CHECK(warning["message"]["text"].is_string());
    const auto& location = warning["locations"][0]["physicalLocation"];
    CHECK(location["artifactLocation"]["uri"] == "migrations/002-index.sql");
    CHECK(location["region"]["startLine"] == 2);
    CHECK(location["region"]["startColumn"] == 1);  // lint knows no column for a warning
    const auto& error = run["results"][1];
    CHECK(error["level"] == "error");
    CHECK(error["locations"][0]["physicalLocation"]["region"]["startLine"] == 3);
    CHECK(error["locations"][0]["physicalLocation"]["region"]["startColumn"] == 8);
  }
}

TEST_CASE("--env a,b migrate --format json: one array, each target's own document") {
  TestDatabase first, second;
  ScratchDir dir;
  dir.write("cora-migrate.toml", fmt::format("[environments.first]\ndatabase_url = \"{}\"\n"
                                             "[environments.second]\ndatabase_url = \"{}\"\n",
                                             first.conninfo(), second.conninfo()));
  dir.write("migrations/001-t.sql", "CREATE TABLE public.t (id int PRIMARY KEY);\n");
  const CliOptions here{dir.path(), {}};
  second.connect()->execute_script("CREATE TABLE public.t (id int)");  // the file fails there

  const auto r = run_cli({"--env", "first,second", "migrate", "--format", "json"}, here);
  CHECK(r.exit_code == 6);
  const auto doc = document_of(r);
  REQUIRE(doc.is_array());
  REQUIRE(doc.size() == 2);
  CHECK(doc[0]["target"] == "first");
  CHECK(doc[0]["exit_code"] == 0);
  CHECK(doc[0]["result"]["command"] == "migrate");
  CHECK(doc[0]["result"]["migrations"][0]["state"] == "applied");
  CHECK(doc[1]["target"] == "second");
  CHECK(doc[1]["exit_code"] == 6);
  CHECK(doc[1]["result"]["migrations"][0]["state"] == "failed");
  CHECK(doc[1]["result"]["migrations"][0]["error"]["sqlstate"] == "42P07");

  const auto baseline = document_of(run_cli({"--env", "first,second", "baseline", "1", "--format", "json"}, here));
  REQUIRE(baseline.size() == 2);
  CHECK(baseline[0]["result"]["summary"]["recorded"] == 0);
  CHECK(baseline[1]["result"]["summary"]["recorded"] == 1);
}
