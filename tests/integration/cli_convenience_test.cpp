// history, --quiet, --version, --env-file / env_file, lint --pending and migrate --dry-run
// --format sql (piped into psql), run through the built binary against a real PostgreSQL.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

TEST_CASE("history: every row, replaced ones too, with action, who, when and how long") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  dir.write("migrations/002-f.sql", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
  TestDatabase db;
  const std::vector<std::string> url{"--database-url", db.conninfo()};
  auto with_url = [&](std::vector<std::string> args) {
    args.insert(args.end(), url.begin(), url.end());
    return run_in(dir, args);
  };
  const auto before = with_url({"history"});
  CHECK(before.exit_code == 0);
  CHECK(contains(before.out, "no history table cora_migrate.schema_history yet"));

  CHECK(with_url({"baseline", "1"}).exit_code == 0);
  db.connect()->execute_script("CREATE TABLE a (id int PRIMARY KEY)");
  CHECK(with_url({"migrate"}).exit_code == 0);
  dir.write("migrations/002-f.sql", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n");
  CHECK(with_url({"migrate", "--reapply", "2"}).exit_code == 0);

  const auto human = with_url({"history"});
  CHECK(human.exit_code == 0);
  CHECK(contains(human.out, "baselined"));
  CHECK(contains(human.out, "reapplied"));
  CHECK(contains(human.out, "replaced by a later row"));
  CHECK(contains(human.out, "3 rows\n"));

  const auto json = with_url({"history", "--format", "json"});
  REQUIRE(json.exit_code == 0);
  const auto doc = nlohmann::json::parse(json.out);
  const auto& rows = doc.at("rows");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].at("action") == "baseline");
  CHECK(rows[1].at("action") == "apply");
  CHECK(rows[1].at("current") == false);
  CHECK(rows[2].at("action") == "reapply");
  CHECK(rows[2].at("current") == true);
  CHECK(rows[2].at("version") == "002");
  CHECK(rows[2].at("duration_ms").is_number());
  CHECK(rows[2].at("applied_by") == "supabase_admin");  // the role the tests connect as
  CHECK(rows[2].at("client").get<std::string>().find('@') != std::string::npos);
  CHECK(rows[2].at("applied_at").get<std::string>().back() == 'Z');
}

TEST_CASE("--quiet: a migrate that works prints nothing; errors still show") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  TestDatabase db;
  const auto r = run_in(dir, {"--quiet", "migrate", "--database-url", db.conninfo()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.empty());
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "1");
  const auto again = run_in(dir, {"migrate", "-q", "--database-url", db.conninfo()});
  CHECK(again.out.empty());
  dir.write("migrations/002-b.sql", "CREATE TABLE a (id int);\n");
  const auto failed = run_in(dir, {"migrate", "-q", "--database-url", db.conninfo()});
  CHECK(failed.exit_code == 6);
  CHECK(contains(failed.err, "cora-migrate: error: "));
}

TEST_CASE("--version names the commit, libpq and libpg_query") {
  const auto r = run_cli({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("cora-migrate 0.1.0 (git ", 0) == 0);
  CHECK(!contains(r.out, "(git unknown)"));
  CHECK(contains(r.out, "\nlibpq 15."));
  CHECK(contains(r.out, "\nlibpg_query "));
  CHECK(contains(r.out, "(PostgreSQL 15."));
}

TEST_CASE("--env-file and env_file: variables read as dbmate reads .env; the environment wins") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  TestDatabase db;
  dir.write("ci.env", "# the job's settings\nexport DATABASE_URL=\"" + db.conninfo() + "\"\nUNUSED='x y' # note\n");
  const auto r = run_in(dir, {"--env-file", "ci.env", "migrate"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "applied 001-a.sql"));

  dir.write("cora-migrate.toml", "env_file = \"db.env\"\ndatabase_url = \"${APP_DB}\"\n");
  dir.write("db.env", "APP_DB=" + db.conninfo() + "\n");
  const auto from_config = run_in(dir, {"status", "--exit-code"});
  CHECK(from_config.exit_code == 0);
  CHECK(contains(from_config.out, "1 applied"));

  // A variable set in the environment beats the file's.
  const auto env_wins = run_in(dir, {"status"}, {{"APP_DB", "host=/nonexistent-socket-dir dbname=x"}});
  CHECK(env_wins.exit_code == 5);

  dir.write("db.env", "APP_DB=x\nthis line is wrong\n");
  const auto bad = run_in(dir, {"status"});
  CHECK(bad.exit_code == 3);
  CHECK(contains(bad.err, "db.env:2: not KEY=VALUE"));
  const auto missing = run_in(dir, {"--env-file", "nope.env", "status"});
  CHECK(missing.exit_code == 3);
  CHECK(contains(missing.err, "nope.env: env file cannot be read"));
}

TEST_CASE(".env beside the config: its DATABASE_URL comes last, and is announced with its server, not its password") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  TestDatabase db;
  const std::string unreachable = "host=/nonexistent-socket-dir dbname=x";
  // dotenv's format: comments, `export `, quotes, a comment after a value.
  dir.write(".env", "# this checkout's database\nexport DATABASE_URL=\"" + db.conninfo() +
                        " password=hunter2\" # trust: the password is not asked for\nOTHER=\"a b\"\n");
  const std::string note = "note: using DATABASE_URL in .env: ";

  SUBCASE("nothing else names a database: the .env does, said once on stderr") {
    const auto r = run_in(dir, {"migrate"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "applied 001-a.sql"));
    CHECK_MESSAGE(contains(r.err, note + "user='supabase_admin' password=*** dbname="), r.err);
    CHECK(contains(r.err, "host='"));
    CHECK(r.err.find(note) == r.err.rfind(note));
    CHECK_FALSE(contains(r.out + r.err, "hunter2"));
    CHECK_FALSE(contains(r.err, "no database configured"));
    // --quiet keeps it: which server a repository's file chose is not chatter.
    const auto quiet = run_in(dir, {"-q", "status", "--format", "json"});
    CHECK(quiet.exit_code == 0);
    CHECK(contains(quiet.err, note));
    CHECK(nlohmann::json::parse(quiet.out).is_object());
    CHECK_FALSE(contains(quiet.out + quiet.err, "hunter2"));
  }
  SUBCASE("--database-url, the environment and the config file win over it, silently") {
    dir.write(".env", "DATABASE_URL=" + unreachable + "\n");
    const auto flag = run_in(dir, {"status", "--database-url", db.conninfo()});
    CHECK_MESSAGE(flag.exit_code == 0, flag.err);
    CHECK_FALSE(contains(flag.err, note));
    const auto env = run_in(dir, {"status"}, {{"DATABASE_URL", db.conninfo()}});
    CHECK_MESSAGE(env.exit_code == 0, env.err);
    CHECK_FALSE(contains(env.err, note));
    dir.write("cora-migrate.toml", "database_url = \"" + db.conninfo() + "\"\n");
    const auto config = run_in(dir, {"status"});
    CHECK_MESSAGE(config.exit_code == 0, config.err);
    CHECK_FALSE(contains(config.err, note));
  }
  SUBCASE("its other variables fill the config file's ${NAME}") {
    dir.write(".env", "APP_DB=\"" + db.conninfo() + "\"\n");
    dir.write("cora-migrate.toml", "database_url = \"${APP_DB}\"\n");
    const auto r = run_in(dir, {"status", "--exit-code"});
    CHECK_MESSAGE(r.exit_code == 10, r.err);  // 10: a file is pending
    CHECK(contains(r.out, "1 pending"));
    // The .env chose the server through the config: said as when its own DATABASE_URL does.
    CHECK_MESSAGE(contains(r.err, "note: using cora-migrate.toml:1 with ${APP_DB} from .env: "), r.err);
    // Set in the environment, the variable is the user's own: nothing to announce.
    const auto own = run_in(dir, {"status"}, {{"APP_DB", db.conninfo()}});
    CHECK_MESSAGE(own.exit_code == 0, own.err);
    CHECK_FALSE(contains(own.err, "from .env"));
  }
  SUBCASE("its ${NAME} never expand from this process's environment: no secret of the shell leaves") {
    // The note shows the URL as used (all but its password): the secret would be in it.
    dir.write(".env", "DATABASE_URL=\"" + db.conninfo() + " application_name=x${CORA_TEST_SECRET}x\"\n");
    const auto r = run_in(dir, {"status"}, {{"CORA_TEST_SECRET", "s3cr3t-value"}});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(contains(r.err, "application_name='xx'"), r.err);
    CHECK_FALSE(contains(r.out + r.err, "s3cr3t-value"));
  }
  SUBCASE("a .env that is a symbolic link is not read") {
    // Read, this one would stop every command (exit 3, .env:1): lint runs, so it was not.
    dir.write("elsewhere/.env", "just words\n");
    std::filesystem::remove(dir.path() / ".env");
    std::filesystem::create_symlink(dir.path() / "elsewhere" / ".env", dir.path() / ".env");
    const auto r = run_in(dir, {"lint"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK_FALSE(contains(r.err, "not KEY=VALUE"));
  }
  SUBCASE("--env-file or env_file: the .env beside is not read at all") {
    dir.write(".env", "just words\n");
    dir.write("mine.env", "DATABASE_URL=\"" + db.conninfo() + "\"\n");
    const auto r = run_in(dir, {"--env-file", "mine.env", "status"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK_FALSE(contains(r.err, note));
    const auto without = run_in(dir, {"status"});
    CHECK(without.exit_code == 3);
    CHECK(contains(without.err, ".env:1: not KEY=VALUE"));
  }
  SUBCASE("beside the --config file, not the current folder") {
    dir.write("deploy/cora-migrate.toml", "migrations_dir = \"../migrations\"\n");
    dir.write("deploy/.env", "DATABASE_URL=\"" + db.conninfo() + "\"\n");
    dir.write(".env", "DATABASE_URL=" + unreachable + "\n");
    const auto r = run_in(dir, {"--config", "deploy/cora-migrate.toml", "status"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(contains(r.err, "note: using DATABASE_URL in deploy/.env: "), r.err);
  }
  SUBCASE("in CI it is not read: a repository's .env does not choose the server there") {
    const auto r = run_in(dir, {"status"}, {{"CI", "true"}});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "CI is set and no database is configured"));
    CHECK_FALSE(contains(r.err, note));
  }
}

TEST_CASE("lint --pending: only the files the next migrate would apply") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY, x int);\n");
  dir.write("migrations/002-index.sql", "CREATE INDEX a_x ON a (x);\n");  // create_index_concurrently
  TestDatabase db;
  CHECK(run_in(dir, {"migrate", "--database-url", db.conninfo()}).exit_code == 0);
  dir.write("migrations/003-b.sql", "CREATE TABLE b (id int PRIMARY KEY);\n");
  CHECK(run_in(dir, {"lint"}).exit_code == 13);
  const auto pending = run_in(dir, {"lint", "--pending", "--database-url", db.conninfo()});
  CHECK(pending.exit_code == 0);
  CHECK(contains(pending.err, "Linting the 1 file the next migrate would apply"));
  dir.write("migrations/004-drop.sql", "DROP TABLE a;\n");
  const auto warns = run_in(dir, {"lint", "--pending", "--database-url", db.conninfo(), "--format", "json"});
  CHECK(warns.exit_code == 13);
  const auto doc = nlohmann::json::parse(warns.out);
  REQUIRE(doc.at("findings").size() == 1);
  CHECK(doc.at("findings")[0].at("rule") == "drop_table");
}

TEST_CASE("migrate --dry-run --format sql: a script psql runs, leaving the history migrate would") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql",
            "CREATE TABLE a (id int PRIMARY KEY, note text DEFAULT 'it''s $1 -- not a comment');\n"
            "INSERT INTO a VALUES (1) -- the first row\n;\n");
  dir.write("migrations/002-index.sql",
            "-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY a_note ON a (note);\n");
  TestDatabase db;
  // Without --verbose too: the default script runs on a database that has no history table yet.
  const auto r = run_in(dir, {"migrate", "--dry-run", "--format", "sql", "--database-url", db.conninfo()});
  REQUIRE(r.exit_code == 0);
  CHECK(!contains(r.out, "$1,"));
  CHECK(!contains(r.out, "-- parameters"));
  CHECK(contains(r.out, "\\set ON_ERROR_STOP on\n"));
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");  // nothing ran

  const auto script = dir.write("plan.sql", r.out);
  const std::string psql = "/usr/lib/postgresql/15/bin/psql -X -q -o /dev/null " + shell_quoted(db.conninfo()) +
                           " -f " + shell_quoted(script.string()) + " > " +
                           shell_quoted((dir.path() / "psql.log").string()) + " 2>&1";
  CHECK(std::system(psql.c_str()) == 0);
  CHECK(db.scalar("SELECT note FROM a WHERE id = 1") == "it's $1 -- not a comment");
  CHECK(db.scalar("SELECT string_agg(version || ':' || action || ':' || state, ',' ORDER BY id) FROM "
                  "cora_migrate.schema_history") == "1:apply:applied,2:apply:applied");
  const auto status = run_in(dir, {"status", "--exit-code", "--database-url", db.conninfo()});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "2 migrations: 2 applied"));
  CHECK(contains(run_in(dir, {"migrate", "--database-url", db.conninfo()}).out, "Nothing to apply"));

  CHECK(run_in(dir, {"migrate", "--format", "sql", "--database-url", db.conninfo()}).exit_code == 2);
}
