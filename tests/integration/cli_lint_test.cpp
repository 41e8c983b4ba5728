// `cora-migrate lint`, and the lint `migrate` runs before applying anything: the built binary, as a
// user runs it. `lint` needs no database; `migrate` is run against a real PostgreSQL.

#include <doctest/doctest.h>

#include <algorithm>
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cora/lint/volatility.hpp"
#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

const std::string kRefusedDatabase = "postgresql://cora@127.0.0.1:1/nowhere?connect_timeout=2";

std::vector<std::string> migrate(const TestDatabase& db, const ScratchDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string(),
                                "migrate"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("cora-migrate lint: a dangerous statement is a warning with file:line, exit 13") {
  ScratchDir dir;
  dir.write("migrations/001-items.sql", "CREATE TABLE items (id int, name text);\n");
  dir.write("migrations/002-index.sql", "-- speeds up search\nCREATE INDEX items_name ON items (name);\n");
  const auto result = lint_in(dir);
  CHECK(result.exit_code == 13);
  CHECK_MESSAGE(contains(result.out, "migrations/002-index.sql:2: warning[create_index_concurrently]: "), result.out);
  CHECK(contains(result.out, "\n  help: "));
  CHECK(contains(result.out, "lint: 2 files, 1 warning, 0 errors, 0 silenced"));

  SUBCASE("silenced with a reason: exit 0") {
    dir.write("migrations/002-index.sql",
              "SELECT 1;\n-- cora-migrate: ignore=create_index_concurrently reason=\"items has 40 rows\"\n"
              "CREATE INDEX items_name ON items (name);\n");
    const auto silenced = lint_in(dir);
    CHECK(silenced.exit_code == 0);
    CHECK(contains(silenced.out, "lint: 2 files, 0 warnings, 0 errors, 1 silenced"));
  }
  SUBCASE("a silence without a reason is an error: exit 4") {
    dir.write(
        "migrations/002-index.sql",
        "SELECT 1;\n-- cora-migrate: ignore=create_index_concurrently\nCREATE INDEX items_name ON items (name);\n");
    const auto unexplained = lint_in(dir);
    CHECK(unexplained.exit_code == 4);
    CHECK_MESSAGE(contains(unexplained.out,
                           "migrations/002-index.sql:2: error[invalid_silence]: ignore= without a reason"),
                  unexplained.out);
  }
  SUBCASE("--format json") {
    const auto json_result = lint_in(dir, {"--format", "json"});
    CHECK(json_result.exit_code == 13);
    const auto json = nlohmann::json::parse(json_result.out);
    REQUIRE(json["findings"].size() == 1);
    CHECK(json["findings"][0]["rule"] == "create_index_concurrently");
    CHECK(json["findings"][0]["file"] == "migrations/002-index.sql");
    CHECK(json["findings"][0]["line"] == 2);
    CHECK(json["summary"]["warnings"] == 1);
  }
}

TEST_CASE("cora-migrate lint: syntax errors with file, line and column, exit 4, every file reported") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n\nCREATE TABEL b (id int);\n");
  dir.write("migrations/002-b.sql", "SELECT 1;\nDROP TABLE a;\n");
  const auto result = lint_in(dir);
  CHECK(result.exit_code == 4);
  CHECK_MESSAGE(
      contains(result.out,
               "migrations/001-a.sql:3:8: error[invalid_file]: SQL syntax error: syntax error at or near \"TABEL\""),
      result.out);
  CHECK(contains(result.out, "migrations/002-b.sql:2: warning[drop_table]: "));
}

TEST_CASE("cora-migrate lint: the project's migrations are clean, and no database is needed") {
  ScratchDir dir;  // an empty folder: nothing configured, so any database command would start the embedded one
  const auto result =
      run_cli({"--database-url", kRefusedDatabase, "--migrations", (source_dir() / "migrations").string(), "lint"},
              CliOptions{dir.path(), {}});
  CHECK_MESSAGE(result.exit_code == 0, (result.out + result.err));
  CHECK(contains(result.out, " files, 0 warnings, 0 errors"));
  CHECK(result.err.empty());
  CHECK_FALSE(std::filesystem::exists(dir.path() / ".cora"));

  SUBCASE("nor the variables a config file's database_url names") {
    dir.write("cora-migrate.toml", "database_url = \"${CORA_TEST_LINT_UNSET_URL}\"\n");
    const auto unset = run_cli({"--migrations", (source_dir() / "migrations").string(), "lint"},
                               CliOptions{dir.path(), {{"CORA_TEST_LINT_UNSET_URL", std::nullopt}}});
    CHECK_MESSAGE(unset.exit_code == 0, (unset.out + unset.err));
    CHECK_FALSE(std::filesystem::exists(dir.path() / ".cora"));
  }
}

TEST_CASE("cora-migrate lint: missing_lock_timeout only when the configured default is 0") {
  ScratchDir dir;
  dir.write("migrations/001-rls.sql", "-- harden\nALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;\n");
  CHECK(lint_in(dir).exit_code == 0);
  dir.write("cora-migrate.toml", "[timeouts]\nlock_timeout = \"0\"\n");
  const auto result = lint_in(dir);
  CHECK(result.exit_code == 13);
  CHECK_MESSAGE(contains(result.out,
                         "migrations/001-rls.sql:2: warning[missing_lock_timeout]: locks table public.orgs"),
                result.out);
}

TEST_CASE("cora-migrate migrate: lint warnings are printed and the run goes on; --strict-lint refuses") {
  ScratchDir dir;
  dir.write("migrations/001-items.sql", "CREATE TABLE public.items (id int, name text);\n");
  dir.write("migrations/002-index.sql", "CREATE INDEX items_name ON public.items (name);\n");
  const std::string warning = "migrations/002-index.sql:1: warning[create_index_concurrently]: ";

  SUBCASE("applied in one run, the table is new when the index is built: no warning") {
    TestDatabase db;
    const auto result = run_cli(migrate(db, dir, {"--strict-lint"}));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK_FALSE(contains(result.err, "warning["));
    CHECK(db.scalar("SELECT max(version) FROM cora_migrate.schema_history") == "2");
  }
  SUBCASE("001 applied earlier: 002 builds an index on an existing table") {
    TestDatabase db;
    REQUIRE(run_cli(migrate(db, dir, {"--to", "1"})).exit_code == 0);

    const auto strict = run_cli(migrate(db, dir, {"--strict-lint"}));
    CHECK(strict.exit_code == 13);
    CHECK_MESSAGE(contains(strict.err, warning), strict.err);
    CHECK(contains(
        strict.err,
        "cora-migrate: error: 1 lint warning in the migrations to apply (--strict-lint); nothing was applied"));
    CHECK(db.scalar("SELECT max(version) FROM cora_migrate.schema_history") == "1");
    CHECK(db.scalar("SELECT to_regclass('public.items_name') IS NULL") == "t");

    const auto dry = run_cli(migrate(db, dir, {"--dry-run"}));
    CHECK(dry.exit_code == 0);
    CHECK(contains(dry.err, warning));

    const auto lenient = run_cli(migrate(db, dir));
    CHECK_MESSAGE(lenient.exit_code == 0, lenient.err);
    CHECK(contains(lenient.err, warning));
    CHECK(contains(lenient.out, "applied 002-index.sql"));
    CHECK(db.scalar("SELECT to_regclass('public.items_name') IS NOT NULL") == "t");
  }
  SUBCASE("a silenced warning is not printed and does not stop --strict-lint") {
    TestDatabase db;
    REQUIRE(run_cli(migrate(db, dir, {"--to", "1"})).exit_code == 0);
    dir.write("migrations/002-index.sql",
              "-- cora-migrate: ignore=create_index_concurrently reason=\"items is loaded later\"\n"
              "CREATE INDEX items_name ON public.items (name);\n");
    const auto result = run_cli(migrate(db, dir, {"--strict-lint"}));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK_FALSE(contains(result.err, "warning["));
  }
  SUBCASE("a misused silence in a file to apply stops migrate before anything runs (exit 4)") {
    TestDatabase db;
    dir.write("migrations/002-index.sql",
              "SELECT 1;\n-- cora-migrate: ignore=create_index_concurrently\nCREATE INDEX items_name ON public.items "
              "(name);\n");
    const auto result = run_cli(migrate(db, dir));
    CHECK(result.exit_code == 4);
    CHECK_MESSAGE(contains(result.err, "migrations/002-index.sql:2: ignore= without a reason"), result.err);
    CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
  }
}

TEST_CASE("cora-migrate migrate: a rename that breaks a function applied earlier") {
  ScratchDir dir;
  dir.write("migrations/001-log.sql",
            "CREATE TABLE public.auth_event_log (id bigint GENERATED ALWAYS AS IDENTITY, event text);\n"
            "CREATE FUNCTION public.log_auth_event(p_event text) RETURNS void LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "    INSERT INTO public.auth_event_log (event) VALUES (p_event);\n"
            "END;\n"
            "$$;\n");
  dir.write("migrations/002-rename.sql", "ALTER TABLE public.auth_event_log RENAME TO user_auth_log;\n");
  TestDatabase db;
  REQUIRE(run_cli(migrate(db, dir, {"--to", "1"})).exit_code == 0);
  const auto result = run_cli(migrate(db, dir, {"--strict-lint"}));
  CHECK(result.exit_code == 13);
  CHECK_MESSAGE(contains(unwrapped(result.err),
                         "migrations/002-rename.sql:1: warning[rename_referenced_table]: renames "
                         "public.auth_event_log to user_auth_log, but function public.log_auth_event"),
                result.err);
  CHECK(contains(result.err, "001-log.sql:4)"));
  CHECK(db.scalar("SELECT to_regclass('public.auth_event_log') IS NOT NULL") == "t");
}

TEST_CASE("lint: the volatile built-ins it knows are volatile in PostgreSQL, and now() is not") {
  TestDatabase db;
  for (const auto name : cora::lint::volatile_catalog_functions()) {
    CAPTURE(name);
    const std::string volatility = db.scalar(
        fmt::format("SELECT coalesce(string_agg(DISTINCT provolatile::text, ''), 'absent') FROM pg_catalog.pg_proc "
                    "WHERE proname = '{}' AND pronamespace = 'pg_catalog'::regnamespace",
                    name));
    // Some exist only in later releases (random_normal: 16, uuidv7: 18).
    CHECK((volatility == "v" || volatility == "absent"));
  }
  for (const auto name : {"clock_timestamp", "random", "gen_random_uuid", "nextval", "timeofday"}) {
    CAPTURE(name);
    CHECK(db.scalar(fmt::format("SELECT provolatile FROM pg_catalog.pg_proc WHERE proname = '{}' LIMIT 1", name)) ==
          "v");
  }
  CHECK(db.scalar("SELECT provolatile FROM pg_catalog.pg_proc WHERE proname = 'now'") == "s");
}

TEST_CASE("cora-migrate lint: a function body naming a table no migration creates is an error at file:line, exit 4") {
  ScratchDir dir;
  dir.write("migrations/001-log.sql", "CREATE TABLE public.user_auth_log (id bigint, event text);\n");
  dir.write("migrations/002-log-fn.sql",
            "CREATE OR REPLACE FUNCTION public.log_auth_event(p_event text) RETURNS void\n"
            "LANGUAGE plpgsql SET search_path = '' AS $$\n"
            "BEGIN\n"
            "  INSERT INTO public.auth_event_log (event) VALUES (p_event);\n"
            "END $$;\n");
  const auto result = lint_in(dir);
  CHECK(result.exit_code == 4);
  CHECK_MESSAGE(contains(unwrapped(result.out),
                         "migrations/002-log-fn.sql:4: error[unresolved_body_reference]: function "
                         "public.log_auth_event names public.auth_event_log, which no migration creates"),
                result.out);

  SUBCASE("[lints] makes it a warning (exit 13) or switches it off (exit 0)") {
    dir.write("cora-migrate.toml", "[lints]\nunresolved_body_reference = \"warning\"\n");
    const auto warned = lint_in(dir);
    CHECK(warned.exit_code == 13);
    CHECK(contains(warned.out, "warning[unresolved_body_reference]"));
    dir.write("cora-migrate.toml", "[lints]\nunresolved_body_reference = \"off\"\n");
    CHECK(lint_in(dir).exit_code == 0);
  }
  SUBCASE("migrate prints it and applies (the rules judge from the files alone); --strict-lint refuses") {
    TestDatabase db;
    const auto applied = run_cli(migrate(db, dir));
    CHECK(applied.exit_code == 0);
    CHECK(contains(applied.err, "error[unresolved_body_reference]"));
    TestDatabase strict_db;
    const auto strict = run_cli(migrate(strict_db, dir, {"--strict-lint"}));
    CHECK(strict.exit_code == 13);
    CHECK(contains(strict.err, "1 lint error in the migrations to apply (--strict-lint)"));
  }
}

TEST_CASE("cora-migrate lint: re-run hazards in a module's schema/ files, with the module's path and line") {
  ScratchDir dir;
  std::filesystem::copy(source_dir() / "tests" / "fixtures" / "cora-project", dir.path(),
                        std::filesystem::copy_options::recursive);
  const auto clean = lint_in(dir);
  CHECK_MESSAGE(clean.out.find("rerun_") == std::string::npos, clean.out);
  dir.write("packages/module-ws/db/schema/002-ws-policies.sql",
            "-- ws policies\n"
            "CREATE TABLE IF NOT EXISTS public.ws_notes (id int PRIMARY KEY);\n"
            "CREATE POLICY ws_notes_read ON public.ws_notes FOR SELECT USING (true);\n"
            "TRUNCATE public.ws_notes;\n");
  const auto result = lint_in(dir, {"--format", "json"});
  CHECK(result.exit_code == 4);
  const auto doc = nlohmann::json::parse(result.out);
  std::vector<std::string> rerun;
  for (const auto& f : doc["findings"]) {
    if (f["rule"].get<std::string>().rfind("rerun_", 0) == 0) {
      rerun.push_back(
          fmt::format("{}:{} {}", f["file"].get<std::string>(), f["line"].get<int>(), f["rule"].get<std::string>()));
    }
  }
  CHECK(rerun == std::vector<std::string>{"packages/module-ws/db/schema/002-ws-policies.sql:3 rerun_policy_not_dropped",
                                          "packages/module-ws/db/schema/002-ws-policies.sql:4 rerun_destroys_data"});
}

TEST_CASE("cora-migrate lints: the offline rules are listed with their defaults") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "");
  const auto r = run_cli({"--config", (dir.path() / "cora-migrate.toml").string(), "lints"});
  CHECK(r.exit_code == 0);
  const auto table = squeezed(r.out);
  CHECK_MESSAGE(contains(table, "\nunresolved_body_reference error error lint "), r.out);
  CHECK(contains(table, "\nrerun_policy_not_dropped error error lint "));
  CHECK(contains(table, "\nrerun_create_not_guarded error error lint "));
  CHECK(contains(table, "\nrerun_destroys_data error error lint "));
  CHECK(contains(table, "\ncreate_index_concurrently warning warning lint "));
  CHECK(contains(table, "\nno_primary_key warning warning verify "));
  // Aligned from its content: every row's LEVEL starts where the header's does, one blank after
  // the longest name.
  const auto level_at = r.out.find("LEVEL");
  REQUIRE(level_at != std::string::npos);
  std::size_t longest = 0;
  for (std::size_t start = 0; start < r.out.size();) {
    const auto end = r.out.find('\n', start);
    const auto line = r.out.substr(start, end - start);
    if (!line.empty()) {
      CAPTURE(line);
      CHECK(line[level_at - 1] == ' ');
      CHECK(line[level_at] != ' ');
      longest = std::max(longest, line.find(' '));
    }
    start = end == std::string::npos ? r.out.size() : end + 1;
  }
  CHECK(level_at == longest + 1);
}
