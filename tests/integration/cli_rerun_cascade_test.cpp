// A re-run that drops something CASCADE takes what depends on it with it: the guard asks the
// database what that is now (pg_depend) and refuses without --allow-destructive, naming it; the
// rows survive. Offline, `lint` reports every such DROP in a file that runs again. The built
// binary against a real PostgreSQL.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

struct CascadeProject {
  TestDatabase db;
  ScratchDir dir;
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string()});
    return run_cli(args);
  }
  std::string history() const {
    return db.scalar(
        "SELECT string_agg(version || ':' || action || ':' || is_current, ',' ORDER BY id) "
        "FROM cora_migrate.schema_history");
  }
};

// The usual enum pattern of a re-runnable schema file: fine the first time, and on every re-run
// CASCADE drops orders.status, which CREATE TABLE IF NOT EXISTS does not bring back.
const std::string kEnumFile =
    "-- cora-migrate: rerunnable=true\n"
    "DROP TYPE IF EXISTS public.order_status CASCADE;\n"
    "CREATE TYPE public.order_status AS ENUM ('open', 'paid');\n"
    "CREATE TABLE IF NOT EXISTS public.orders (id int PRIMARY KEY, status public.order_status);\n";

}  // namespace

TEST_CASE("migrate --reapply: DROP TYPE ... CASCADE of an enum a column uses is refused; the rows survive") {
  CascadeProject p;
  p.dir.write("m/001-orders.sql", kEnumFile);
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  p.db.connect()->execute_script("INSERT INTO public.orders VALUES (1, 'open'), (2, 'paid')");
  const auto before = p.history();
  const std::string rows = "SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM public.orders";

  auto refused = [&](std::vector<std::string> args) {
    const auto r = p.run(args);
    CHECK(r.exit_code == 8);
    CHECK_MESSAGE(contains(r.err, (p.dir.path() / "m/001-orders.sql").string() +
                                      ":2: DROP TYPE public.order_status CASCADE, which would drop column "
                                      "public.orders.status: running this file again (--reapply) would destroy data"),
                  r.err);
    CHECK(contains(r.err, "--allow-destructive"));
    CHECK(p.db.scalar(rows) == "1:open,2:paid");
    CHECK(p.history() == before);
  };
  SUBCASE("refused, also in a dry run; allowed with --allow-destructive, and then the column is gone") {
    refused({"migrate", "--reapply", "1", "--force"});
    refused({"migrate", "--reapply", "1", "--force", "--dry-run"});
    const auto allowed = p.run({"migrate", "--reapply", "1", "--force", "--allow-destructive"});
    CHECK_MESSAGE(allowed.exit_code == 0, allowed.err);
    CHECK(p.db.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name "
                      "= 'status'") == "0");
  }
  SUBCASE("a changed file, with --reapply-changed") {
    p.dir.write("m/001-orders.sql", kEnumFile + "-- reviewed\n");
    refused({"migrate", "--reapply-changed"});
  }
  SUBCASE("nothing uses the type any more: the re-run goes ahead") {
    p.db.connect()->execute_script("ALTER TABLE public.orders DROP COLUMN status");
    const auto r = p.run({"migrate", "--reapply", "1", "--force"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(p.db.scalar("SELECT count(*) FROM public.orders") == "2");
  }
}

TEST_CASE("migrate --reapply: DROP SCHEMA ... CASCADE of a schema with tables is refused, naming them") {
  CascadeProject p;
  const std::string file =
      "-- cora-migrate: rerunnable=true\n"
      "-- starts the reporting schema over\n"
      "DROP SCHEMA IF EXISTS reporting CASCADE;\n"
      "CREATE SCHEMA reporting;\n"
      "CREATE TABLE reporting.daily (day date PRIMARY KEY, total int);\n";
  p.dir.write("m/001-reporting.sql", file);
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  p.db.connect()->execute_script("INSERT INTO reporting.daily VALUES ('2026-01-01', 3)");
  const auto before = p.history();
  const auto r = p.run({"migrate", "--reapply", "1", "--force"});
  CHECK(r.exit_code == 8);
  CHECK_MESSAGE(contains(r.err,
                         "001-reporting.sql:3: DROP SCHEMA reporting CASCADE, which would drop table "
                         "reporting.daily: running this file again (--reapply) would destroy data"),
                r.err);
  CHECK(p.db.scalar("SELECT total FROM reporting.daily") == "3");
  CHECK(p.history() == before);
}

TEST_CASE("migrate --reapply: DROP FUNCTION ... CASCADE takes the generated column it computes") {
  CascadeProject p;
  p.dir.write("m/001-prices.sql",
              "CREATE TABLE public.prices (id int PRIMARY KEY, net int);\n"
              "INSERT INTO public.prices VALUES (1, 100);\n");
  p.dir.write("m/002-gross.sql",
              "-- cora-migrate: rerunnable=true\n"
              "DROP FUNCTION IF EXISTS public.gross(int) CASCADE;\n"
              "CREATE FUNCTION public.gross(n int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT n * 2 $$;\n"
              "ALTER TABLE public.prices ADD COLUMN IF NOT EXISTS gross int GENERATED ALWAYS AS (public.gross(net)) "
              "STORED;\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  const auto r = p.run({"migrate", "--reapply", "2", "--force"});
  CHECK(r.exit_code == 8);
  CHECK_MESSAGE(contains(r.err,
                         "002-gross.sql:2: DROP FUNCTION public.gross CASCADE, which would drop column "
                         "public.prices.gross"),
                r.err);
  CHECK(p.db.scalar("SELECT gross FROM public.prices") == "200");
}

TEST_CASE("cora-migrate lint: DROP ... CASCADE in a file that runs again is rerun_destroys_data, offline") {
  ScratchDir dir;
  dir.write("m/001-orders.sql", kEnumFile);
  dir.write("m/002-reporting.sql",
            "-- cora-migrate: rerunnable=true\nDROP SCHEMA IF EXISTS reporting CASCADE;\nCREATE SCHEMA reporting;\n");
  dir.write("m/003-once.sql", "DROP TYPE IF EXISTS public.legacy CASCADE;\n");  // runs once: fine
  dir.write("m/004-restrict.sql",
            "-- cora-migrate: rerunnable=true\nDROP TYPE IF EXISTS public.tmp_kind;\n"  // RESTRICT: refused if used
            "CREATE TYPE public.tmp_kind AS ENUM ('a');\n");
  const auto r = run_cli({"--migrations", (dir.path() / "m").string(), "lint", "--format", "json"});
  CHECK(r.exit_code == 4);
  std::vector<std::string> found;
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& f : doc["findings"]) {
    if (f["rule"] != "rerun_destroys_data") continue;
    const std::string file = f["file"];
    found.push_back(file.substr(file.rfind('/') + 1) + ":" + std::to_string(f["line"].get<int>()) + " " +
                    f["severity"].get<std::string>());
    CHECK(contains(f["message"].get<std::string>(), "CASCADE also drops what depends on it"));
  }
  CHECK(found == std::vector<std::string>{"001-orders.sql:2 error", "002-reporting.sql:2 error"});
}
