// One name for one thing, through the built binary: versions are strings in every JSON document
// and printed as the file name writes them, an absent module is null, `--format json` and `--to`
// are the names (the old `--json` and `--target` still work, with one line on stderr), and every
// help text writes a migration selector the same way.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cora/migrations/plan.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// An 18-digit version: above 2^53, so a reader whose numbers are doubles (JavaScript's JSON.parse)
// would read 202612071234560000 from a JSON number.
constexpr const char* kLongVersion = "202612071234560001";

// A project whose versions keep their leading zeros, and one 18-digit version.
struct NamesProject {
  ScratchDir dir;
  TestDatabase db;
  NamesProject() {
    dir.write("migrations/001-items.sql", "CREATE TABLE items (id int PRIMARY KEY);\n");
    dir.write("migrations/002-more.sql", "CREATE TABLE more (id int PRIMARY KEY);\n");
    dir.write(std::string("migrations/") + kLongVersion + "_late.sql", "CREATE TABLE late (id int PRIMARY KEY);\n");
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string()});
    return run_cli(args);
  }
};

nlohmann::json document_of(const CliResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  return nlohmann::json::parse(r.out);
}

// The versions of a document's migrations (or history rows), as they are in the JSON.
std::vector<nlohmann::json> versions_in(const nlohmann::json& rows) {
  std::vector<nlohmann::json> out;
  for (const auto& row : rows) out.push_back(row["version"]);
  return out;
}

const std::vector<nlohmann::json> kWritten{"001", "002", kLongVersion};

bool modules_all_null(const nlohmann::json& rows) {
  for (const auto& row : rows) {
    if (!row.contains("module") || !row["module"].is_null()) return false;
  }
  return !rows.empty();
}

}  // namespace

TEST_CASE("versions are strings as the file names write them, and no module is null, in every document") {
  NamesProject p;

  const auto dry = p.run({"migrate", "--dry-run", "--format", "json"});
  REQUIRE(dry.exit_code == 0);
  CHECK(versions_in(document_of(dry)["migrations"]) == kWritten);
  CHECK(modules_all_null(document_of(dry)["migrations"]));

  const auto migrate = p.run({"migrate", "--format", "json"});
  REQUIRE(migrate.exit_code == 0);
  CHECK(versions_in(document_of(migrate)["migrations"]) == kWritten);
  CHECK(modules_all_null(document_of(migrate)["migrations"]));

  const auto status = p.run({"status", "--format", "json"});
  REQUIRE(status.exit_code == 0);
  CHECK(versions_in(document_of(status)["migrations"]) == kWritten);
  CHECK(modules_all_null(document_of(status)["migrations"]));
  // The exact digits, not a number a double rounds: what a JavaScript reader gets too.
  CHECK(document_of(status)["migrations"][2]["version"].get<std::string>() == kLongVersion);

  const auto history = p.run({"history", "--format", "json"});
  REQUIRE(history.exit_code == 0);
  const auto history_doc = document_of(history);
  CHECK(history_doc["command"] == "history");
  CHECK(versions_in(history_doc["rows"]) == kWritten);
  CHECK(modules_all_null(history_doc["rows"]));

  // People read them as the file names write them too.
  const auto table = p.run({"history"});
  REQUIRE(table.exit_code == 0);
  CHECK_MESSAGE(contains(squeezed(table.out), " 001 items applied "), table.out);
  CHECK_MESSAGE(contains(squeezed(table.out), std::string(" ") + kLongVersion + " late applied "), table.out);
  const auto status_table = p.run({"status"});
  CHECK_MESSAGE(contains(squeezed(status_table.out), "\n001 items applied "), status_table.out);
}

TEST_CASE("a row no file has: its version is still a string, the number the history holds") {
  NamesProject p;
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  std::filesystem::remove(p.dir.path() / "migrations/002-more.sql");
  const auto status = p.run({"status", "--format", "json"});
  const auto doc = document_of(status);
  bool seen = false;
  for (const auto& m : doc["migrations"]) {
    if (m["state"] != "missing") continue;
    seen = true;
    CHECK(m["version"] == "2");
    CHECK(m["module"].is_null());
  }
  CHECK(seen);
}

TEST_CASE("old spellings: --json and --target still work, hidden, with one line on stderr") {
  NamesProject p;

  SUBCASE("migrate --to stops after the migration; --target still does, and says it is the old name") {
    const auto to = p.run({"migrate", "--to", "1"});
    REQUIRE(to.exit_code == 0);
    CHECK_FALSE(contains(to.err, "deprecated"));
    CHECK(document_of(p.run({"status", "--format", "json"}))["migrations"][1]["state"] == "pending");
    const auto old = p.run({"migrate", "--target", "002"});
    REQUIRE(old.exit_code == 0);
    CHECK(occurrences(old.err, "cora-migrate: warning: --target is deprecated: use --to") == 1);
    const auto doc = document_of(p.run({"status", "--format", "json"}));
    CHECK(doc["migrations"][1]["state"] == "applied");
    CHECK(doc["migrations"][2]["state"] == "pending");
  }

  SUBCASE("status --json and history --json: the same document, the note on stderr only") {
    REQUIRE(p.run({"migrate"}).exit_code == 0);
    for (const char* command : {"status", "history"}) {
      INFO(command);
      const auto current = p.run({command, "--format", "json"});
      const auto old = p.run({command, "--json"});
      REQUIRE(old.exit_code == 0);
      CHECK_FALSE(contains(current.err, "deprecated"));
      CHECK(occurrences(old.err, "cora-migrate: warning: --json is deprecated: use --format json") == 1);
      CHECK_FALSE(contains(old.out, "deprecated"));
      CHECK(document_of(old)["command"] == command);
      CHECK(versions_in(document_of(old)[command == std::string("status") ? "migrations" : "rows"]) == kWritten);
    }
  }

  SUBCASE("an adopt --to is refused with --from-supabase under either name") {
    const auto old = p.run({"adopt", "--from-supabase", "--target", "1"});
    CHECK(old.exit_code == 2);
    CHECK(contains(old.err, "--to does not go with it"));
  }
}

TEST_CASE("help: the old spellings are hidden, and a selector is written one way everywhere") {
  const auto help = run_cli({"--help-all"});
  REQUIRE(help.exit_code == 0);
  CHECK_FALSE(contains(help.out, "--json"));
  CHECK_FALSE(contains(help.out, "--target"));
  CHECK(contains(help.out, "--to TEXT"));
  std::istringstream lines(help.out);
  std::size_t selectors = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!contains(line, "FILE-NAME") && !contains(line, "MODULE:")) continue;
    ++selectors;
    CHECK_MESSAGE(contains(line, std::string("(") + cora::kSelectorForms), line);
  }
  // migrate --to and --reapply, verify --rerun-only, adopt --to, baseline, repair and
  // repair --accept-checksum, rollback --to.
  CHECK(selectors == 8);
  const auto history = run_cli({"history", "--help"});
  CHECK(contains(history.out, "--format"));
}

TEST_CASE("a config file's old lint name still works, with a warning naming its line") {
  NamesProject p;
  p.dir.write("cora-migrate.toml", "[lints]\n\nsecurity_definer_search_path = \"off\"\n");
  const auto r =
      run_cli({"--config", (p.dir.path() / "cora-migrate.toml").string(), "--database-url", p.db.conninfo(), "status"});
  CHECK(r.exit_code == 0);
  CHECK_MESSAGE(contains(r.err,
                         "cora-migrate.toml:3: [lints] security_definer_search_path is the old name of "
                         "function_search_path_mutable"),
                r.err);
}

TEST_CASE("the shipped cora-migrate.toml uses no old name") {
  const auto r = run_cli({"--config", (source_dir() / "cora-migrate.toml").string(), "lints"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_FALSE(contains(r.err, "old name"));
  CHECK_FALSE(contains(read_text(source_dir() / "cora-migrate.toml"), "security_definer_search_path"));
}
