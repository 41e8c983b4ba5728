// verify's words add up, through the built binary: FAIL only for what fails the run (an error),
// WARN for warnings alone, and counts of checks that sum to the total, with the findings counted
// apart (one check may hold several).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// A table that passes the lints, and a function without a pinned search_path: the lint
// function_search_path_mutable warns about it (a warning, not an error).
struct WordsProject {
  ScratchDir dir;
  TestDatabase db;
  WordsProject() {
    dir.write("migrations/001-items.sql",
              "CREATE TABLE items (id int PRIMARY KEY, name text);\n"
              "ALTER TABLE items ENABLE ROW LEVEL SECURITY;\n"
              "CREATE POLICY items_read ON items FOR SELECT USING (true);\n"
              "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
    REQUIRE(run(std::vector<std::string>{"migrate"}).exit_code == 0);
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string(),
                               "--checks", (dir.path() / "checks").string()});
    return run_cli(args);
  }
};

struct Counts {
  std::size_t total = 0, passed = 0, warned = 0, failed = 0, errors = 0, warnings = 0;
};

// What the JSON's checks say, counted here: a check with an error failed, with warnings only warned.
Counts counted(const nlohmann::json& doc) {
  Counts c;
  for (const auto& check : doc["checks"]) {
    ++c.total;
    bool error = false;
    for (const auto& f : check["findings"]) {
      if (f["severity"] == "error") {
        error = true;
        ++c.errors;
      } else {
        ++c.warnings;
      }
    }
    if (check["findings"].empty()) ++c.passed;
    else if (error) ++c.failed;
    else ++c.warned;
  }
  return c;
}

std::string summary_of(const Counts& c) {
  return fmt::format("{} checks and lints: {} passed, {} warned, {} failed; findings: {} error{}, {} warning{};",
                     c.total, c.passed, c.warned, c.failed, c.errors, c.errors == 1 ? "" : "s", c.warnings,
                     c.warnings == 1 ? "" : "s");
}

}  // namespace

TEST_CASE("verify: warnings alone are WARN and pass the run; an error is FAIL; the counts add up") {
  WordsProject p;

  SUBCASE("warnings only: WARN, exit 0, no FAIL anywhere") {
    p.dir.write("checks/items.toml", "[[table]]\nname = \"public.items\"\n");
    const auto human = p.run({"verify"});
    CHECK_MESSAGE(human.exit_code == 0, human.err);
    CHECK_FALSE(contains(human.out, "FAIL"));
    CHECK_MESSAGE(contains(human.out, "WARN built-in lints ("), human.out);
    CHECK_MESSAGE(contains(human.out, "ok   " + (p.dir.path() / "checks" / "items.toml").string()), human.out);
    const auto json = p.run({"verify", "--format", "json"});
    const auto doc = nlohmann::json::parse(json.out);
    const auto c = counted(doc);
    CHECK(c.warned >= 1);
    CHECK(c.failed == 0);
    CHECK(doc["summary"]["warned"] == c.warned);
    CHECK(doc["summary"]["failed"] == 0);
    CHECK(doc["summary"]["passed"] == c.passed);
    CHECK_MESSAGE(contains(human.out, summary_of(c)), human.out);
    // JUnit says the same: no <failure> for a warning, which stays readable in <system-out>.
    const auto junit = p.run({"verify", "--format", "junit"});
    CHECK(junit.exit_code == 0);
    CHECK_FALSE(contains(junit.out, "<failure"));
    CHECK_MESSAGE(contains(junit.out, "failures=\"0\""), junit.out);
    CHECK_MESSAGE(contains(junit.out, "<system-out>"), junit.out);
  }

  SUBCASE("an error with a warning in one check: FAIL for that file only; the counts still add up") {
    // Two findings in one check (a missing column, and a missing table's second check): the
    // outcome counts once, the findings twice.
    p.dir.write("checks/items.toml",
                "[[table]]\nname = \"public.items\"\n"
                "columns = [{ name = \"id\", type = \"integer\" }, { name = \"gone\", type = \"text\" },"
                " { name = \"also_gone\", type = \"text\" }]\n");
    const auto human = p.run({"verify"});
    CHECK(human.exit_code == 11);  // checks failed
    const auto doc = nlohmann::json::parse(p.run({"verify", "--format", "json"}).out);
    const auto c = counted(doc);
    CHECK(c.failed == 1);
    CHECK(c.errors >= 2);  // more findings than failed checks: the case the old summary got wrong
    CHECK(c.passed + c.warned + c.failed == c.total);
    CHECK_MESSAGE(contains(human.out, summary_of(c)), human.out);
    CHECK_MESSAGE(contains(human.out, "FAIL "), human.out);
    CHECK_MESSAGE(contains(human.out, "(1 checked, 0 warned, 1 failed)"), human.out);
    CHECK_MESSAGE(contains(human.out, "WARN built-in lints ("), human.out);
    CHECK(doc["summary"]["failed"] == 1);
    CHECK(doc["summary"]["errors"] == c.errors);
    const auto junit = p.run({"verify", "--format", "junit"});
    CHECK_MESSAGE(contains(junit.out, "failures=\"1\""), junit.out);
    CHECK(contains(junit.out, "<failure type=\"error\""));
  }
}

TEST_CASE("verify's \"made by\" and diff's \"defined at\" name the same file:line for the same object") {
  WordsProject p;
  // Defined on line 2 (after a comment), altered on line 4: the function's settings drift.
  const auto file = p.dir.write("migrations/002-f.sql",
                                "-- a function with a pinned search_path\n"
                                "CREATE FUNCTION pinned() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\n"
                                "ALTER FUNCTION pinned() SET search_path = '';\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  p.db.connect()->execute_script("ALTER FUNCTION public.pinned() RESET search_path");
  const std::string defined = file.string() + ":2";
  p.dir.write("checks/items.toml", "[[table]]\nname = \"public.items\"\n");

  const auto diff = p.run({"diff"});
  CHECK_MESSAGE(contains(diff.out, "changed function public.pinned()"), diff.out);
  CHECK_MESSAGE(contains(diff.out, "defined at " + defined + "\n"), diff.out);

  const auto verify = p.run({"verify"});
  CHECK_MESSAGE(contains(verify.out, "made by  " + defined + " (the statement that defines it; last altered by " +
                                         file.string() + ":4)"),
                verify.err);
  const auto doc = nlohmann::json::parse(p.run({"verify", "--format", "json"}).out);
  REQUIRE(doc.contains("checks"));
  bool seen = false;
  for (const auto& check : doc["checks"]) {
    if (check["subject"] != "public.pinned()") continue;
    seen = true;
    CHECK(check["source"]["defined_file"] == file.string());
    CHECK(check["source"]["defined_line"] == 2);
    CHECK(check["source"]["line"] == 4);
  }
  CHECK(seen);
}

TEST_CASE("verify's one-line findings: no doubled punctuation, and no drift advice for what no file creates") {
  WordsProject p;
  p.db.connect()->execute_script("ALTER TABLE public.items DISABLE ROW LEVEL SECURITY");
  p.dir.write("checks/items.toml",
              "[[table]]\nname = \"public.items\"\nrls = true\n\n[[table]]\nname = \"public.nowhere\"\n");
  const auto github = p.run({"verify", "--format", "github"});
  CHECK(github.exit_code == 11);
  // The fix ends with its SQL's ';': the next clause follows it, not another ';'.
  CHECK_MESSAGE(contains(github.out, "ENABLE ROW LEVEL SECURITY; if the migration files define it right"), github.out);
  for (const char* doubled : {";;", ".;", ";.", ". .", ":."}) {
    INFO(doubled);
    CHECK_FALSE(contains(github.out, doubled));
  }
  // No file creates public.nowhere: "if the migration files define it right" would contradict that.
  const auto human = p.run({"verify"});
  const auto at = human.out.find("table public.nowhere");
  REQUIRE_MESSAGE(at != std::string::npos, human.out);
  // The check's lines: its own, then those indented under it.
  std::string block = human.out.substr(at, human.out.find('\n', at) - at);
  for (auto line = human.out.find('\n', at); line != std::string::npos && human.out.compare(line + 1, 4, "    ") == 0;
       line = human.out.find('\n', line + 1)) {
    block += human.out.substr(line, human.out.find('\n', line + 1) - line);
  }
  CHECK_MESSAGE(contains(block, "no migration file creates public.nowhere"), block);
  CHECK_FALSE(contains(block, "if the migration files define it right"));
}
