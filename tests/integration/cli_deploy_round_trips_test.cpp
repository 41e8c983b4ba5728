// Round trips of a deploy, counted by the tool itself (`queries` of `migrate --format json`: every
// query and pipeline after connecting), so the count is exact, never timed. The everyday deploy
// (one or two new files onto an up-to-date database) costs at most 3 round trips with the
// connection: the history read and one pipeline.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

struct DeployRun {
  int exit_code = 0;
  std::size_t queries = 0;
  std::size_t applied = 0;
};

DeployRun deploy(const std::vector<std::string>& args, const CliOptions& options = {}) {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"migrate", "--format", "json"});
  const auto r = run_cli(all, options);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  const auto doc = nlohmann::json::parse(r.out);
  return {r.exit_code, doc["queries"].get<std::size_t>(), doc["summary"]["applied"].get<std::size_t>()};
}

}  // namespace

TEST_CASE("deploy round trips: fresh database, then one and two new files, then nothing pending") {
  ScratchDir dir;
  TestDatabase db;
  for (int i = 1; i <= 3; ++i) {
    dir.write("migrations/00" + std::to_string(i) + "-t.sql",
              "CREATE TABLE t" + std::to_string(i) + " (id int PRIMARY KEY);\n");
  }
  const std::vector<std::string> target{"--database-url", db.conninfo(), "--migrations",
                                        (dir.path() / "migrations").string()};

  // The history read (with the Supabase CLI's history counted in its round trip), the history
  // set-up, one pipeline of every file.
  const auto fresh = deploy(target);
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.applied == 3);
  CHECK(fresh.queries <= 3);

  dir.write("migrations/004-t.sql", "CREATE TABLE t4 (id int PRIMARY KEY);\n");
  const auto one = deploy(target);
  CHECK(one.applied == 1);
  CHECK(one.queries <= 2);

  dir.write("migrations/005-t.sql", "CREATE TABLE t5 (id int PRIMARY KEY);\n");
  dir.write("migrations/006-f.sql",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = pg_catalog AS $$ SELECT 1 $$;\n");
  const auto two = deploy(target);
  CHECK(two.applied == 2);
  CHECK(two.queries <= 2);

  const auto none = deploy(target);
  CHECK(none.applied == 0);
  CHECK(none.queries <= 1);
}

TEST_CASE("deploy round trips: one new file onto an up-to-date project with modules") {
  ScratchDir dir;
  TestDatabase db;
  std::filesystem::copy(source_dir() / "tests/fixtures/cora-project", dir.path() / "project",
                        std::filesystem::copy_options::recursive);
  CliOptions here;
  here.cwd = dir.path() / "project";
  const std::vector<std::string> target{"--database-url", db.conninfo()};
  const auto first = deploy(target, here);
  REQUIRE(first.exit_code == 0);
  REQUIRE(first.applied > 0);

  {
    std::ofstream delta(dir.path() / "project/packages/module-access/db/migrations/20270101_access-topics.sql");
    delta << "CREATE TABLE public.access_topics (id bigint PRIMARY KEY);\n";
  }
  const auto one = deploy(target, here);
  CHECK(one.exit_code == 0);
  CHECK(one.applied == 1);
  CHECK(one.queries <= 2);
}
