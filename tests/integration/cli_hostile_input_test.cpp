// Hostile names and input that failed to parse, through the built binary (docs/reliability.md,
// Security): a module folder or a table named with a newline and a psql meta-command or a
// workflow command, control characters in JUnit, a mistyped flag before a URL, a .env line that
// is a URL. What cora-migrate prints for psql, GitHub Actions and JUnit readers stays text, and
// no password is echoed.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::string quoted_for_shell(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The lines of `text` that begin with `prefix`.
std::vector<std::string> lines_beginning(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // Leading blanks too: an indented line must not carry a workflow command either.
    const auto start = line.find_first_not_of(" \t");
    if (start != std::string::npos && line.compare(start, prefix.size(), prefix) == 0) out.push_back(line);
  }
  return out;
}

// Runs `sql` with psql in `dir` (where a `\! touch NAME` would create NAME), as people pipe
// generated SQL into it; psql's exit code.
int run_psql_in(const ScratchDir& dir, const TestDatabase& db, const std::string& sql) {
  const auto script = dir.write("script.sql", sql);
  const std::string command =
      "cd " + quoted_for_shell(dir.path().string()) + " && /usr/lib/postgresql/15/bin/psql -X -q -o /dev/null " +
      quoted_for_shell(db.conninfo()) + " -f " + quoted_for_shell(script.string()) + " > psql.log 2>&1";
  return std::system(command.c_str());
}

// A table the live database has and no file creates, for diff and the lints to report. The
// trailing '#' makes the shell ignore what the old comment put after the name.
const std::string kShellTable = "x\n\\! touch pwned-by-table #";
const std::string kWorkflowTable = "y\n::error::pwned";
const std::string kControlTable = "z\x01\x1b[31m\x7f";

std::string quoted_identifier(const std::string& name) { return "\"" + name + "\""; }

// A one-file project whose database also holds the three hostile tables; diff builds the
// expected schema on the test cluster.
struct HostileDatabase {
  TestDatabase db;
  ScratchDir dir;
  HostileDatabase() {
    const auto& cluster = test_cluster();
    dir.write("cora-migrate.toml",
              "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
    dir.write("migrations/001-a.sql", "CREATE TABLE public.a (id int PRIMARY KEY);\n");
    dir.write("checks/a.toml", "[[table]]\nname = \"public.a\"\n");
    REQUIRE(run({"migrate"}).exit_code == 0);
    for (const auto& name : {kShellTable, kWorkflowTable, kControlTable}) {
      db.connect()->execute_script("CREATE TABLE public." + quoted_identifier(name) + " (id int)");
    }
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.end(), {"--database-url", db.conninfo()});
    return run_in(dir, args);
  }
};

}  // namespace

TEST_CASE("migrate --dry-run: a module folder named with a newline and \\! runs no shell command through psql") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "modules = [\"packages/*\"]\n");
  dir.write("packages/m\n\\! touch pwned-by-module #/db/migrations/001-a.sql",
            "CREATE TABLE a (id int PRIMARY KEY);\n");
  TestDatabase db;
  const std::vector<std::string> url{"--database-url", db.conninfo()};

  const auto human = run_in(dir, {"migrate", "--dry-run", url[0], url[1]});
  REQUIRE_MESSAGE(human.exit_code == 0, human.err);
  CHECK(contains(human.out, "-- m\\n\\! touch pwned-by-module #:001-a.sql (version 001"));
  CHECK(lines_beginning(human.out, "\\").empty());

  const auto sql = run_in(dir, {"migrate", "--dry-run", "--format", "sql", url[0], url[1]});
  REQUIRE_MESSAGE(sql.exit_code == 0, sql.err);
  CHECK(contains(sql.out, "-- m\\n\\! touch pwned-by-module #:001-a.sql (version 001"));
  CHECK(lines_beginning(sql.out, "\\!").empty());
  CHECK(run_psql_in(dir, db, sql.out) == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "pwned-by-module"));
  // The script did its work: the module's name is recorded as it is.
  CHECK(db.scalar("SELECT count(*) FROM a") == "0");
  CHECK(db.scalar("SELECT module = E'm\\n\\\\! touch pwned-by-module #' FROM cora_migrate.schema_history") == "t");
}

TEST_CASE("migrate --format github: a module folder named \"m\\n::error::pwned\" starts no workflow command") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "modules = [\"packages/*\"]\n");
  const std::string migrations = "packages/m\n::error::pwned/db/migrations/";
  dir.write(migrations + "001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  TestDatabase db;
  const auto first = run_in(dir, {"migrate", "--format", "github", "--database-url", db.conninfo()});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK_MESSAGE(contains(first.out, "applied m\\n::error::pwned:001-a.sql"), first.out);
  CHECK(lines_beginning(first.out + "\n" + first.err, "::error::pwned").empty());
  // Dropping a table an applied file made: a lint warning, annotated and printed on its file.
  dir.write(migrations + "002-drop.sql", "DROP TABLE a;\n");
  const auto r = run_in(dir, {"migrate", "--format", "github", "--database-url", db.conninfo()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  // The runner reads workflow commands from stdout and stderr alike.
  const std::string both = r.out + "\n" + r.err;
  CHECK_MESSAGE(contains(r.out, "::warning file=packages/m%0A%3A%3Aerror%3A%3Apwned/db/migrations/002-drop.sql"), both);
  CHECK_MESSAGE(lines_beginning(both, "::error::pwned").empty(), both);
}

TEST_CASE("diff --sql: a table named with a newline and \\! runs no shell command through psql") {
  HostileDatabase h;
  const auto sql = h.run({"diff", "--sql"});
  REQUIRE_MESSAGE(sql.exit_code == 15, sql.err);
  CHECK(contains(sql.out, "-- extra table public.x\\n\\! touch pwned-by-table #"));
  CHECK(run_psql_in(h.dir, h.db, sql.out) == 0);
  CHECK_FALSE(std::filesystem::exists(h.dir.path() / "pwned-by-table"));
  CHECK(h.db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "1");  // the SQL ran
}

TEST_CASE("verify and diff --format github: a table named \"y\\n::error::pwned\" starts no workflow command") {
  HostileDatabase h;
  for (const auto& args : {std::vector<std::string>{"verify", "--format", "github"},
                           std::vector<std::string>{"diff", "--format", "github"}}) {
    CAPTURE(args[0]);
    const auto r = h.run(args);
    CHECK_MESSAGE((r.exit_code == 11 || r.exit_code == 15), r.err);
    // The runner reads workflow commands from stdout and stderr alike.
    CHECK(lines_beginning(r.out + "\n" + r.err, "::error::pwned").empty());
  }
  const auto github = h.run({"verify", "--format", "github"});
  CHECK(contains(github.out, "public.y%0A%3A%3Aerror%3A%3Apwned"));
}

// A CI job runs plain `verify` and `diff` too, and the runner reads every line of their output.
TEST_CASE("verify and diff, human output: a table named \"y\\n::error::pwned\" starts no line of its own") {
  HostileDatabase h;
  for (const auto& command :
       std::vector<std::vector<std::string>>{{"verify"}, {"diff"}, {"diff", "--format", "markdown"}}) {
    CAPTURE(command.back());
    const auto r = h.run(command);
    CHECK_MESSAGE((r.exit_code == 11 || r.exit_code == 15), r.err);
    const auto both = r.out + "\n" + r.err;
    CHECK_MESSAGE(lines_beginning(both, "::error::pwned").empty(), both);
    CHECK(contains(both, "y\\n::error::pwned"));  // shown, escaped
    CHECK(!contains(both, "\x1b[31m"));           // nor does a name colour the terminal
  }
}

TEST_CASE("verify --format junit: names with control characters still make XML a parser reads") {
  HostileDatabase h;
  const auto r = h.run({"verify", "--format", "junit"});
  REQUIRE_MESSAGE(r.exit_code == 11, r.err);
  // U+0001 and ESC become U+FFFD; DEL is a character XML 1.0 allows.
  CHECK(contains(r.out, "name=\"public.z\xEF\xBF\xBD\xEF\xBF\xBD[31m\x7f\""));
  const auto xml = h.dir.write("verify.xml", r.out);
  const std::string parse = "python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' " +
                            quoted_for_shell(xml.string()) + " > " +
                            quoted_for_shell((h.dir.path() / "parse.log").string()) + " 2>&1";
  CHECK_MESSAGE(std::system(parse.c_str()) == 0, read_text(h.dir.path() / "parse.log"));
}

TEST_CASE("a mistyped flag before a URL names the flag and prints no password") {
  ScratchDir dir;
  for (const auto& args :
       {std::vector<std::string>{"--databse-url", "postgres://u:secret@h/db", "status"},
        std::vector<std::string>{"status", "--databse-url", "postgres://u:secret@h/db"},
        std::vector<std::string>{"--databse-url=postgres://u:secret@h/db", "status"},
        std::vector<std::string>{"status", "--format", "json", "--databse-url", "postgres://u:secret@h/db"}}) {
    CAPTURE(args[0]);
    const auto r = run_in(dir, args);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.err, "unknown option --databse-url (did you mean --database-url?)"), r.err);
    CHECK_FALSE(contains(r.out + r.err, "secret"));
  }
  // A URL where a command belongs is quoted without its password.
  const auto command = run_in(dir, {"postgres://u:secret@h/db", "status"});
  CHECK(command.exit_code == 2);
  CHECK_MESSAGE(contains(command.err, "unknown command \"postgres://u:***@h/db\""), command.err);
  CHECK_FALSE(contains(command.out + command.err, "secret"));
}

TEST_CASE("a .env line with a syntax error prints no password, as text or as JSON") {
  ScratchDir dir;
  dir.write(".env", "# the URL without its name\npostgres://app:hunter2@db.example.com/app?sslmode=require\n");
  const auto text = run_in(dir, {"status", "--env-file", ".env"});
  CHECK(text.exit_code == 3);
  CHECK_MESSAGE(contains(text.err, ".env:2: a URL where a variable name belongs (write NAME=URL)"), text.err);
  CHECK_FALSE(contains(text.out + text.err, "hunter2"));

  const auto json = run_in(dir, {"status", "--format", "json", "--env-file", ".env"});
  CHECK(json.exit_code == 3);
  const auto doc = nlohmann::json::parse(json.out);
  CHECK(doc.at("error").at("line") == 2);
  CHECK_FALSE(contains(json.out + json.err, "hunter2"));
}

// A server message quotes names too (a WARNING or NOTICE a migration raises): migrate prints it on
// one line.
TEST_CASE("migrate: a server message with a line break starts no workflow command") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "DO $$ BEGIN RAISE WARNING E'x\\n::error::pwned'; END $$;\n");
  const auto r = run_in(dir, {"migrate", "--database-url", db.conninfo()});
  CHECK(r.exit_code == 0);
  const auto both = r.out + "\n" + r.err;
  CHECK_MESSAGE(lines_beginning(both, "::error::pwned").empty(), both);
  CHECK(contains(r.err, "x\\n::error::pwned"));
}
