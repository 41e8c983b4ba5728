// A file that cannot change the session is sent without the session reset; every guarantee the
// reset gives must still hold: whatever a file leaves in the session (a setting, a temporary
// table, a prepared statement, the role) never reaches the next file, and DDL that runs someone's
// code (an event trigger) keeps the reset.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"
#include "cora/db/connection.hpp"

using namespace cora::test;

namespace {

// Fails its migration when the session it runs in is not the tool's own, as it was at the start.
constexpr const char* kCheckSessionIsClean = R"(DO $$
BEGIN
  IF coalesce(current_setting('cora_test.mark', true), '') <> '' THEN
    RAISE EXCEPTION 'session not clean: cora_test.mark = %', current_setting('cora_test.mark', true);
  END IF;
  IF current_setting('search_path') <> '"$user", public' THEN
    RAISE EXCEPTION 'session not clean: search_path = %', current_setting('search_path');
  END IF;
  IF current_user <> session_user THEN
    RAISE EXCEPTION 'session not clean: running as %', current_user;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_prepared_statements) THEN
    RAISE EXCEPTION 'session not clean: a prepared statement is left';
  END IF;
  IF pg_my_temp_schema() <> 0 AND EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = pg_my_temp_schema()) THEN
    RAISE EXCEPTION 'session not clean: a temporary table is left';
  END IF;
END
$$;
)";

struct ResetProject {
  ScratchDir dir;
  TestDatabase db;
  std::vector<std::string> args(std::vector<std::string> more) const {
    std::vector<std::string> all{"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string()};
    all.insert(all.end(), more.begin(), more.end());
    return all;
  }
};

}  // namespace

TEST_CASE("session reset: a pure DDL file goes without it, a file that SETs keeps it, the next file starts clean") {
  ResetProject p;
  p.dir.write("migrations/001-pure.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  p.dir.write("migrations/002-sets.sql",
              "SET search_path = pg_catalog;\n"
              "SELECT pg_catalog.set_config('cora_test.mark', 'left by 002', false);\n"
              "CREATE TEMP TABLE scratch (id int);\n"
              "PREPARE left_behind AS SELECT 1;\n"
              "SET ROLE pg_read_all_data;\n");
  p.dir.write("migrations/003-pure.sql", "CREATE TABLE b (id int PRIMARY KEY);\n");
  p.dir.write("migrations/004-check.sql", kCheckSessionIsClean);

  // What would be sent, every statement: the reset follows the file that SETs, not the pure one.
  const auto plan = run_cli(p.args({"migrate", "--dry-run", "--format", "sql", "--verbose"}));
  REQUIRE_MESSAGE(plan.exit_code == 0, plan.err);
  const auto pure_at = plan.out.find("CREATE TABLE a");
  const auto sets_at = plan.out.find("SET search_path = pg_catalog");
  REQUIRE(pure_at != std::string::npos);
  REQUIRE(sets_at != std::string::npos);
  CHECK(plan.out.find("RESET ALL", pure_at) > sets_at);  // none between the pure file and the next
  CHECK(plan.out.find("RESET ALL", sets_at) != std::string::npos);

  const auto r = run_cli(p.args({"migrate"}));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE state = 'applied' AND is_current") == "4");
}

TEST_CASE("session reset: kept after pure DDL when an event trigger runs code on it") {
  ResetProject p;
  // An event trigger that leaves a setting in the session of whoever runs DDL.
  p.db.connect()->execute_script(R"(
    CREATE FUNCTION public.mark_session() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM set_config('cora_test.mark', 'left by an event trigger', false); END $$;
    CREATE EVENT TRIGGER mark_session ON ddl_command_end EXECUTE FUNCTION public.mark_session();)");
  p.dir.write("migrations/001-pure.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  p.dir.write("migrations/002-check.sql", kCheckSessionIsClean);
  const auto r = run_cli(p.args({"migrate"}));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_FALSE(contains(r.err, "session not clean"));
}
