// Standard libpq behaviour keeps working: PG* variables, service files, URL precedence.

#include <doctest/doctest.h>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

TEST_CASE("cora-migrate: which database, and libpq's own settings") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  const auto socket = cora::test::test_cluster().socket_dir().string();
  const CliOptions base{dir.path(), {}};

  SUBCASE("an empty URL takes everything from the PG* variables") {
    CliOptions o = base;
    o.env = {{"PGHOST", socket}, {"PGUSER", "postgres"}, {"PGDATABASE", db.name()}};
    const auto r = run_cli({"--database-url", "postgresql://", "migrate"}, o);
    CHECK(r.exit_code == 0);
    CHECK(db.scalar("SELECT to_regclass('public.a') IS NOT NULL") == "t");
  }

  SUBCASE("a service file") {
    dir.write("pg_service.conf", "[cora_test]\nhost=" + socket + "\nuser=postgres\ndbname=" + db.name() + "\n");
    CliOptions o = base;
    o.env = {{"PGSERVICEFILE", (dir.path() / "pg_service.conf").string()}};
    const auto r = run_cli({"--database-url", "service=cora_test", "migrate"}, o);
    CHECK(r.exit_code == 0);
    CHECK(db.scalar("SELECT to_regclass('public.a') IS NOT NULL") == "t");
  }

  SUBCASE("CORA_DATABASE_URL beats DATABASE_URL, and the flag beats both") {
    CliOptions o = base;
    o.env = {{"CORA_DATABASE_URL", db.conninfo()}, {"DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}};
    CHECK(run_cli({"status", "--format", "json"}, o).exit_code == 0);
    o.env = {{"CORA_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}};
    CHECK(run_cli({"--database-url", db.conninfo(), "status"}, o).exit_code == 0);
    CHECK(run_cli({"status"}, o).exit_code == 5);
  }

  SUBCASE("--env picks [environments.NAME], with ${VAR} expanded") {
    dir.write("cora-migrate.toml", "[environments.stage]\ndatabase_url = \"${STAGE_URL}\"\n");
    CliOptions o = base;
    o.env = {{"STAGE_URL", db.conninfo()}, {"DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}};
    const auto r = run_cli({"--env", "stage", "migrate"}, o);
    CHECK(r.exit_code == 0);
    CHECK(db.scalar("SELECT to_regclass('public.a') IS NOT NULL") == "t");
  }
}

// Production runs see this hint when their server is down: it must not send them to a throwaway
// local database instead (their migrations would land there and the deploy would go on).
TEST_CASE("cora-migrate: a refused connection's hint never advises the local cluster") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  const auto r = run_cli({"--database-url", "postgresql://app:secret@127.0.0.1:1/prod", "status"}, {dir.path(), {}});
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("is PostgreSQL running there?") != std::string::npos);
  CHECK(r.err.find("local cluster") == std::string::npos);
  CHECK(r.err.find("omit the URL") == std::string::npos);
  CHECK(r.err.find("secret") == std::string::npos);
}

// A role that may connect but not read the history: the error says which query was refused and
// which privilege on what to grant, not only "permission denied".
TEST_CASE("cora-migrate: a refused query names the query and the missing privilege") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  REQUIRE(run_cli({"--database-url", db.conninfo(), "migrate"}, {dir.path(), {}}).exit_code == 0);
  db.connect()->execute_script(
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cora_history_outsider') THEN "
      "CREATE ROLE cora_history_outsider LOGIN; END IF; END $$");
  const auto r = run_cli({"--database-url", db.conninfo() + " user=cora_history_outsider", "status"}, {dir.path(), {}});
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("the database refused the query `SELECT") != std::string::npos);
  CHECK(r.err.find("the role lacks USAGE on schema cora_migrate: GRANT USAGE ON SCHEMA cora_migrate") !=
        std::string::npos);
}
