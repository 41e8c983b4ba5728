// The embedded default: with no database configured, cora-migrate runs its own PostgreSQL.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "cora/db/connection.hpp"
#include "cora/local/local_cluster.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"

using namespace cora::test;

TEST_CASE("cora-migrate with no database configured uses the local cluster") {
  ScratchDir dir;
  std::filesystem::copy(source_dir() / "migrations", dir.path() / "migrations");
  dir.write("cora-migrate.toml", "[local]\ndata_dir = \"local-pg\"\n");
  const CliOptions here{dir.path(), {}};

  const auto fresh = run_cli({"local", "status"}, here);
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out.find("state:      not created") != std::string::npos);

  const auto migrated = run_cli({"migrate"}, here);
  REQUIRE(migrated.exit_code == 0);
  CHECK(migrated.err.find("local cluster " + (dir.path() / "local-pg").string()) != std::string::npos);
  CHECK(migrated.out.find("applied 007-auth-events-sessions.sql") != std::string::npos);

  SUBCASE("the Supabase compatibility layer answers as Supabase does") {
    const auto running = run_cli({"local", "status"}, here);
    CHECK(running.out.find("state:      running") != std::string::npos);
    const auto begin = running.out.find("psql \"") + 6;
    const auto conninfo = running.out.substr(begin, running.out.find('"', begin) - begin);
    auto db = cora::Connection::open(conninfo, std::chrono::seconds(5));
    const auto roles = db->query(
        "SELECT string_agg(rolname || ':' || rolbypassrls, ',' ORDER BY rolname) FROM pg_roles "
        "WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator')");
    CHECK(roles.rows[0][0].value_or("") == "anon:false,authenticated:false,authenticator:false,service_role:true");
    // As on Supabase, the role psql and the migrations get is no superuser; supabase_admin is.
    const auto who_am_i = db->query(
        "SELECT current_user || ':' || rolsuper || ':' || rolcreaterole || ':' || rolcreatedb || ':' || rolbypassrls "
        "|| ':' || (SELECT rolsuper FROM pg_roles WHERE rolname = 'supabase_admin') FROM pg_roles WHERE rolname = "
        "current_user");
    CHECK(who_am_i.rows[0][0].value_or("") == "postgres:false:true:true:true:true");
    db->execute_script(
        "BEGIN; SET LOCAL ROLE authenticated; "
        "SELECT set_config('request.jwt.claims', "
        "'{\"sub\":\"8f2b8f0e-1111-4a4a-9b9b-000000000001\",\"role\":\"authenticated\",\"email\":\"a@example.com\"}', "
        "true)");
    const auto who = db->query("SELECT auth.uid()::text, auth.role(), auth.email()");
    CHECK(who.rows[0][0].value_or("") == "8f2b8f0e-1111-4a4a-9b9b-000000000001");
    CHECK(who.rows[0][1].value_or("") == "authenticated");
    CHECK(who.rows[0][2].value_or("") == "a@example.com");
    db->execute_script("ROLLBACK");
  }

  SUBCASE("stop, then any command starts it again") {
    CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
    CHECK(run_cli({"local", "status"}, here).out.find("state:      stopped") != std::string::npos);
    const auto status = run_cli({"status", "--exit-code"}, here);
    CHECK(status.exit_code == 0);
    CHECK(status.out.find("9 migrations: 9 applied") != std::string::npos);
  }

  SUBCASE("a cluster made when postgres was its superuser is refused until reset") {
    const cora::LocalCluster cluster(dir.path() / "local-pg", "/usr/lib/postgresql/15/bin");
    std::ofstream(cluster.root() / "cora-ready") << "created by cora-migrate; compatibility layer 0123456789abcdef\n";
    const auto refused = run_cli({"status"}, here);
    CHECK(refused.exit_code == 9);
    CHECK_MESSAGE(refused.err.find("whose postgres role is a superuser") != std::string::npos, refused.err);
    CHECK(refused.err.find("cora-migrate local reset") != std::string::npos);
    CHECK(run_cli({"local", "reset"}, here).exit_code == 0);
    CHECK(run_cli({"status"}, here).exit_code == 0);
  }

  SUBCASE("reset gives an empty database") {
    CHECK(run_cli({"local", "reset"}, here).exit_code == 0);
    const auto status = run_cli({"status"}, here);
    CHECK(status.out.find("9 migrations: 9 pending") != std::string::npos);
  }

  CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
}
