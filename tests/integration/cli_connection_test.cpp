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
    CHECK(run_cli({"status", "--json"}, o).exit_code == 0);
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
