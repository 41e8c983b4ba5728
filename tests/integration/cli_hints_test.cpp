// Hints follow the SQLSTATE of the error they come with: a missing column or table is never
// answered with advice about privileges or grants.

#include <doctest/doctest.h>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

CliResult run_in(const ScratchDir& dir, const TestDatabase& db, std::vector<std::string> args) {
  args.insert(args.begin(), {"--database-url", db.conninfo()});
  CliOptions options;
  options.cwd = dir.path();
  return run_cli(args, options);
}

}  // namespace

TEST_CASE("hints: recording a migration fails with a missing column, not a privilege") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  REQUIRE(run_in(dir, db, {"migrate"}).exit_code == 0);
  // Someone changed the history table by hand: record_migration now names a column that is gone.
  db.connect()->execute_script("ALTER TABLE cora_migrate.schema_history DROP COLUMN client");
  dir.write("migrations/002-b.sql", "CREATE TABLE b (id int);\n");
  const auto r = run_in(dir, db, {"migrate"});
  INFO("stderr: ", r.err);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("recording it in") != std::string::npos);
  CHECK(r.err.find("[SQLSTATE 42703]") != std::string::npos);
  CHECK(r.err.find("a column it names does not exist") != std::string::npos);
  CHECK(r.err.find("privilege") == std::string::npos);
  CHECK(db.scalar("SELECT to_regclass('public.b') IS NULL") == "t");
}

TEST_CASE("hints: a probe that fails on a missing table or column is not sent to the grants") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\nGRANT SELECT ON a TO anon;\n");
  dir.write("checks/probes.toml",
            "[[probe]]\nname = \"anon reads a\"\nrole = \"anon\"\nsql = \"SELECT nope FROM public.a\"\n\n"
            "[[probe]]\nname = \"anon reads b\"\nrole = \"anon\"\nsql = \"SELECT * FROM public.b\"\n"
            "expect = \"rows\"\nrows = []\n");
  REQUIRE(run_in(dir, db, {"migrate"}).exit_code == 0);
  const auto r = run_in(dir, db, {"verify"});
  INFO("stdout: ", r.out, "\nstderr: ", r.err);
  CHECK(r.exit_code == 11);
  CHECK(r.out.find("a column it names does not exist") != std::string::npos);
  CHECK(r.out.find("a table or view it names does not exist") != std::string::npos);
  CHECK(r.out.find("policies and grants") == std::string::npos);
}
