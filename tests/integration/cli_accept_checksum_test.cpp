// `repair --accept-checksum`: a changed file's new checksum recorded after showing what changed,
// refused when more than comments and whitespace changed (unless --force), through the built
// binary against a real PostgreSQL, with the applied text found in git.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cora/util/subprocess.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

constexpr const char* kGit = "/usr/bin/git";
constexpr const char* kApplied = "CREATE TABLE notes (id int PRIMARY KEY, body text);\n";

// A project in git whose one file is applied to a test database.
struct AcceptProject {
  ScratchDir dir;
  TestDatabase db;
  explicit AcceptProject(bool in_git = true) {
    dir.write("migrations/001-notes.sql", kApplied);
    if (in_git) {
      git({"init", "-q"});
      git({"add", "."});
      git({"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "notes"});
    }
    REQUIRE(run({"migrate"}).exit_code == 0);
  }
  void git(std::vector<std::string> args) const {
    args.insert(args.begin(), {kGit, "-C", dir.path().string()});
    const auto r = cora::Subprocess::run(args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  CliResult run(std::vector<std::string> args) const {
    args.insert(args.end(), {"--database-url", db.conninfo()});
    return run_cli(args, {dir.path(), {}});
  }
  std::string rows() const { return db.scalar("SELECT count(*) FROM cora_migrate.schema_history"); }
};

}  // namespace

TEST_CASE("repair --accept-checksum: comments and whitespace only, shown, then recorded") {
  if (!std::filesystem::exists(kGit)) {
    MESSAGE("no git: skipped");
    return;
  }
  const AcceptProject p;
  p.dir.write("migrations/001-notes.sql",
              "-- The notes people keep.\nCREATE TABLE notes (\n  id int PRIMARY KEY,\n"
              "  body text  -- free text\n);\n");
  const auto status = p.run({"status"});
  CHECK_MESSAGE(contains(status.out, "(only comments or whitespace? `cora-migrate repair --accept-checksum 001`)"),
                status.out);
  const auto blocked = p.run({"migrate"});
  CHECK(blocked.exit_code == 8);
  CHECK_MESSAGE(contains(blocked.err, "`cora-migrate repair --accept-checksum 001` shows the change"), blocked.err);

  const auto accepted = p.run({"repair", "--accept-checksum", "1"});
  CHECK_MESSAGE(accepted.exit_code == 0, accepted.err);
  CHECK(contains(accepted.out, "-CREATE TABLE notes (id int PRIMARY KEY, body text);"));
  CHECK(contains(accepted.out, "+-- The notes people keep."));
  CHECK(contains(accepted.out, "the applied text: migrations/001-notes.sql as of git commit "));
  CHECK(contains(accepted.out, "only comments and whitespace differ; the statements are the same"));
  CHECK(contains(accepted.out, "accepted the new checksum of 001-notes.sql"));
  CHECK(p.rows() == "2");

  CHECK(p.run({"status", "--exit-code"}).exit_code == 0);
  const auto again = p.run({"migrate"});
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  const auto history = p.run({"history", "--json"});
  REQUIRE(history.exit_code == 0);
  const auto rows = nlohmann::json::parse(history.out).at("rows");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("current") == false);
  CHECK(rows[1].at("action") == "accept");
  CHECK(rows[1].at("current") == true);
  CHECK(contains(p.run({"history"}).out, "accepted"));
  // Not changed any more: nothing to accept.
  const auto twice = p.run({"repair", "--accept-checksum", "1"});
  CHECK(twice.exit_code == 2);
  CHECK(contains(twice.err, "001-notes.sql is applied, not changed"));
}

TEST_CASE("repair --accept-checksum: changed statements or directives are refused, unless --force") {
  if (!std::filesystem::exists(kGit)) {
    MESSAGE("no git: skipped");
    return;
  }
  const AcceptProject p;
  SUBCASE("a statement") {
    p.dir.write("migrations/001-notes.sql", "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n");
    const auto refused = p.run({"repair", "--accept-checksum", "001-notes"});
    CHECK(refused.exit_code == 8);
    CHECK(contains(refused.out, "+CREATE TABLE notes (id bigint PRIMARY KEY, body text);"));
    CHECK_MESSAGE(contains(refused.err,
                           "the statements differ, not only comments and whitespace; nothing was recorded"),
                  refused.err);
    CHECK(contains(refused.err, "pass --force"));
    CHECK(p.rows() == "1");
    CHECK(p.run({"status", "--exit-code"}).exit_code == 10);

    const auto forced = p.run({"repair", "--accept-checksum", "1", "--force", "--format", "json"});
    CHECK_MESSAGE(forced.exit_code == 0, forced.err);
    const auto doc = nlohmann::json::parse(forced.out);
    CHECK(doc.at("change") == "statements");
    CHECK(doc.at("forced") == true);
    CHECK(doc.at("applied_commit").is_string());
    CHECK(p.rows() == "2");
    CHECK(p.run({"status", "--exit-code"}).exit_code == 0);
  }
  SUBCASE("a directive") {
    p.dir.write("migrations/001-notes.sql", std::string("-- cora-migrate: lock_timeout=5s\n") + kApplied);
    const auto refused = p.run({"repair", "--accept-checksum", "1"});
    CHECK(refused.exit_code == 8);
    CHECK(contains(refused.err, "a -- cora-migrate: directive line differs"));
    CHECK(p.rows() == "1");
  }
  SUBCASE("a string's text counts, even a comment inside a function body") {
    p.dir.write("migrations/001-notes.sql",
                std::string(kApplied) + "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n");
    p.git({"add", "."});
    p.git({"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "f"});
    REQUIRE(p.run({"repair", "--accept-checksum", "1", "--force"}).exit_code == 0);
    p.dir.write("migrations/001-notes.sql",
                std::string(kApplied) + "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 -- one $$;\n");
    const auto refused = p.run({"repair", "--accept-checksum", "1"});
    CHECK(refused.exit_code == 8);
    CHECK(contains(refused.err, "the statements differ"));
  }
}

TEST_CASE("repair --accept-checksum: without the applied text (no git), it says so and needs --force") {
  const AcceptProject p(false);
  p.dir.write("migrations/001-notes.sql", std::string("-- a comment\n") + kApplied);
  const auto refused = p.run({"repair", "--accept-checksum", "1"});
  CHECK(refused.exit_code == 8);
  CHECK(contains(refused.out, "the history table keeps checksums, not text, so what changed cannot be shown"));
  CHECK(contains(refused.err, "the applied text was not found, so it cannot be compared; nothing was recorded"));
  CHECK(p.rows() == "1");
  const auto forced = p.run({"repair", "--accept-checksum", "1", "--force"});
  CHECK_MESSAGE(forced.exit_code == 0, forced.err);
  CHECK(contains(forced.out, "(--force)"));
  CHECK(p.rows() == "2");

  CHECK(p.run({"repair"}).exit_code == 2);
  CHECK(p.run({"repair", "1", "--accept-checksum", "1"}).exit_code == 2);
  CHECK(p.run({"repair", "1", "--force"}).exit_code == 2);
}
