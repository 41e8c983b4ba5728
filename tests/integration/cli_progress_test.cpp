// Progress on stderr for work that takes more than a second (diff's expected schema, verify
// --rerun, several targets): drawn on a terminal, never into a pipe, never beside JSON.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// Sleeps long enough that the work around it passes the one second after which progress shows.
constexpr const char* kSlowFile = "SELECT pg_sleep(1.2);\n";

// A project whose local cluster is the tests' own, with a slow file between two quick ones.
struct SlowProject {
  ScratchDir dir;
  TestDatabase db;
  explicit SlowProject(const std::string& tag) {
    const auto& cluster = test_cluster();
    dir.write("cora-migrate.toml",
              "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
    // `tag` makes the files (and so diff's cached template) this test's own.
    // Outside public (verify's lints look there), and safe to run twice: verify --rerun passes.
    dir.write("migrations/001-first.sql",
              "CREATE SCHEMA IF NOT EXISTS kept;\nCREATE TABLE IF NOT EXISTS kept.first_" + tag + " (id int);\n");
    dir.write("migrations/002-slow.sql", kSlowFile);
    dir.write("migrations/003-last.sql", "CREATE TABLE IF NOT EXISTS kept.last_" + tag + " (id int);\n");
  }
  std::vector<std::string> args(std::vector<std::string> command) const {
    command.insert(command.end(), {"--database-url", db.conninfo()});
    return command;
  }
  CliOptions here() const { return {dir.path(), {}}; }
  // Another set of files: the next diff builds its template again.
  void change(const std::string& tag) const {
    dir.write("migrations/003-last.sql", "CREATE TABLE IF NOT EXISTS kept.last_" + tag + " (id int);\n");
  }
};

}  // namespace

TEST_CASE("progress: diff's expected schema, on a terminal only") {
  const SlowProject p("diffprogress");
  const std::string line = "building the expected schema, applying file: 3 of 3 (003-last.sql)";

  const auto shown = run_cli_on_terminal(p.args({"diff"}), p.here(), 120);
  CHECK_MESSAGE((shown.exit_code == 0 || shown.exit_code == 15), shown.out);
  CHECK_MESSAGE(contains(shown.out, "\r" + line), shown.out);
  // Erased before the report: the line is blanked out with spaces, then the cursor goes back.
  CHECK(contains(shown.out, "\r" + std::string(line.size(), ' ') + "\r"));

  p.change("piped");
  const auto piped = run_cli(p.args({"diff"}), p.here());
  CHECK_MESSAGE((piped.exit_code == 0 || piped.exit_code == 15), piped.err);
  CHECK_FALSE(contains(piped.err + piped.out, "building the expected schema"));
  CHECK_FALSE(contains(piped.err + piped.out, "\r"));

  p.change("json");
  const auto json = run_cli_on_terminal(p.args({"diff", "--format", "json"}), p.here(), 120);
  CHECK_MESSAGE((json.exit_code == 0 || json.exit_code == 15), json.out);
  CHECK_FALSE(contains(json.out, "building the expected schema"));

  p.change("quiet");
  const auto quiet = run_cli_on_terminal(p.args({"-q", "diff"}), p.here(), 120);
  CHECK_FALSE(contains(quiet.out, "building the expected schema"));
}

TEST_CASE("progress: verify --scratch --rerun, on a terminal only") {
  const SlowProject p("rerunprogress");
  p.dir.write("checks/.keep", "");
  const std::vector<std::string> verify{"verify", "--scratch", "--rerun"};
  const auto shown = run_cli_on_terminal(verify, p.here(), 120);
  CHECK_MESSAGE(shown.exit_code == 0, shown.out);
  CHECK_MESSAGE(contains(shown.out, "\rverify --rerun: running again file: 3 of 3 (003-last.sql)"), shown.out);

  const auto piped = run_cli(verify, p.here());
  CHECK_MESSAGE(piped.exit_code == 0, piped.err);
  CHECK_FALSE(contains(piped.err + piped.out, "running again file"));
}

TEST_CASE("progress: several targets, counted as they finish, on a terminal only") {
  ScratchDir dir;
  std::vector<std::unique_ptr<TestDatabase>> databases;
  std::string config;
  for (const char* name : {"alpha", "beta"}) {
    databases.push_back(std::make_unique<TestDatabase>());
    config += fmt::format("[environments.{}]\ndatabase_url = \"{}\"\n", name, databases.back()->conninfo());
  }
  dir.write("cora-migrate.toml", config);
  dir.write("migrations/001-slow.sql", kSlowFile);
  const CliOptions here{dir.path(), {}};

  const auto shown = run_cli_on_terminal({"--all-envs", "--jobs", "1", "migrate"}, here, 120);
  CHECK_MESSAGE(shown.exit_code == 0, shown.out);
  CHECK_MESSAGE(contains(shown.out, "\rmigrate: targets finished: 1 of 2 (last: alpha)"), shown.out);
  CHECK(contains(shown.out, "2 targets: 2 ok, 0 failed"));

  dir.write("migrations/002-slow.sql", kSlowFile);
  const auto piped = run_cli({"--all-envs", "--jobs", "1", "migrate"}, here);
  CHECK_MESSAGE(piped.exit_code == 0, piped.err);
  CHECK_FALSE(contains(piped.err + piped.out, "targets finished"));
  dir.write("migrations/003-slow.sql", kSlowFile);
  const auto json = run_cli_on_terminal({"--all-envs", "--jobs", "1", "migrate", "--format", "json"}, here, 120);
  CHECK_MESSAGE(json.exit_code == 0, json.out);
  CHECK_FALSE(contains(json.out, "targets finished"));
}
