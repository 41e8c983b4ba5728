// Inputs large or deep enough to break a recursive parser, a regex or a quadratic step: the
// built binary, as a user runs it. None may crash the tool; each gets its documented exit code.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::string repeat(const std::string& part, std::size_t times) {
  std::string out;
  out.reserve(part.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += part;
  return out;
}

CliResult migrate_in(const TestDatabase& db, const ScratchDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--database-url", db.conninfo(), "--migrations", (dir.path() / "migrations").string(),
                                "migrate"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

}  // namespace

TEST_CASE("big input: 100,000 UNION ALL branches are refused with file:line, exit 4, no crash") {
  ScratchDir dir;
  dir.write("migrations/001-union.sql",
            "SELECT 1;\n" + std::string("SELECT 1") + repeat(" UNION ALL SELECT 1", 100'000) + ";\n");
  const std::string error = "statement too complex: the statement nests too deeply";

  const auto lint = lint_in(dir);
  CHECK(lint.exit_code == 4);
  CHECK_MESSAGE(contains(unwrapped(lint.out), "migrations/001-union.sql:2:1: error[invalid_file]: " + error), lint.out);

  TestDatabase db;
  const auto migrate = migrate_in(db, dir);
  CHECK(migrate.exit_code == 4);
  CHECK_MESSAGE(contains(migrate.err, "migrations/001-union.sql:2:1: " + error), migrate.err);
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");
}

TEST_CASE("big input: a 50,000-term sum is linted and sent, no crash") {
  ScratchDir dir;
  dir.write("migrations/001-sum.sql", "SELECT 1" + repeat("+1", 50'000) + ";\n");

  const auto lint = lint_in(dir);
  CHECK_MESSAGE(lint.exit_code == 0, lint.out, lint.err);
  CHECK(contains(lint.out, "lint: 1 file, 0 warnings, 0 errors, 0 silenced"));

  // PostgreSQL itself may refuse it (stack depth limit exceeded): then it is the file's failure,
  // exit 6, reported with file:line like any other.
  TestDatabase db;
  const auto migrate = migrate_in(db, dir);
  CHECK_MESSAGE((migrate.exit_code == 0 || migrate.exit_code == 6), migrate.exit_code, migrate.err);
  if (migrate.exit_code == 6) CHECK_MESSAGE(contains(migrate.err, "migrations/001-sum.sql:1:"), migrate.err);
}

TEST_CASE("big input: DROP COLUMN after a long run of blanks is found on its line, no crash") {
  ScratchDir dir;
  dir.write("migrations/001-items.sql", "CREATE TABLE items (id int, name text);\n");
  dir.write("migrations/002-drop.sql",
            "ALTER TABLE items\n  DROP" + repeat(" ", 200'000) + "COLUMN \"name\",\n  ADD COLUMN label text;\n");
  const auto lint = lint_in(dir);
  CHECK(lint.exit_code == 13);
  CHECK_MESSAGE(contains(unwrapped(lint.out), "migrations/002-drop.sql:2: warning[drop_column]: DROP COLUMN name"),
                lint.out);
}

TEST_CASE("big input: 20,000 one-line INSERTs are linted and applied") {
  ScratchDir dir;
  std::string sql = "CREATE TABLE rows (id int, payload text);\n";
  for (int i = 0; i < 20'000; ++i) sql += "INSERT INTO rows VALUES (" + std::to_string(i) + ", 'row');\n";
  dir.write("migrations/001-rows.sql", sql);
  const auto lint = lint_in(dir);
  CHECK_MESSAGE(lint.exit_code == 0, lint.out, lint.err);

  TestDatabase db;
  const auto migrate = migrate_in(db, dir);
  CHECK_MESSAGE(migrate.exit_code == 0, migrate.err);
  CHECK(db.scalar("SELECT count(*) FROM rows") == "20000");
}

TEST_CASE("big input: a migration raising 5,000 notices succeeds and says how many were left out") {
  ScratchDir dir;
  dir.write("migrations/001-notices.sql",
            "DO $$ BEGIN FOR i IN 1..5000 LOOP RAISE NOTICE 'step %', i; END LOOP; END $$;\n"
            "CREATE TABLE after_notices (id int);\n");
  TestDatabase db;
  const auto migrate = migrate_in(db, dir, {"--verbose"});
  CHECK_MESSAGE(migrate.exit_code == 0, migrate.err);
  const std::string& output = migrate.err;
  CHECK_MESSAGE(contains(output, "NOTICE: step 1\n"), output);
  CHECK(contains(output, "NOTICE: step 99\n"));
  CHECK(contains(output, "NOTICE: step 5000\n"));
  CHECK_FALSE(contains(output, "NOTICE: step 2500\n"));
  CHECK(contains(output, " more notices not shown; the first and last 100 are)"));
  CHECK(db.scalar("SELECT to_regclass('public.after_notices') IS NOT NULL") == "t");
}

TEST_CASE("big input: a migration's own SELECT of many rows succeeds (its rows are not kept)") {
  ScratchDir dir;
  dir.write("migrations/001-select.sql",
            "CREATE TABLE before_select (id int);\nSELECT g, 'row ' || g FROM generate_series(1, 300000) g;\n"
            "CREATE TABLE after_select (id int);\n");
  TestDatabase db;
  const auto migrate = migrate_in(db, dir);
  CHECK_MESSAGE(migrate.exit_code == 0, migrate.err);
  CHECK(db.scalar("SELECT to_regclass('public.after_select') IS NOT NULL") == "t");
}

namespace {

// A file of `megabytes` MB of one-row INSERTs, as a data migration or a dump would have.
std::string inserts_of_megabytes(std::size_t megabytes) {
  std::string sql = "CREATE TABLE big_rows (id integer, payload text);\n";
  const std::string filler(100, 'x');
  for (std::size_t i = 0; sql.size() < megabytes * 1024 * 1024; ++i)
    sql += "INSERT INTO big_rows VALUES (" + std::to_string(i) + ", '" + filler + "');\n";
  return sql;
}

// The limits are address space (ulimit -v), not resident memory: the binary and its libraries
// take some 100 MB of it before reading anything.
constexpr std::size_t kBigFileMegabytes = 20;
constexpr std::size_t kRoomyLimitMegabytes = 400;
constexpr std::size_t kStarvedLimitMegabytes = 100;

}  // namespace

TEST_CASE("big input: under a memory limit, a large file is prepared in bounded memory, or refused in one line") {
  if (sanitized_build()) {
    MESSAGE("skipped: AddressSanitizer reserves more address space than any memory limit allows");
    return;
  }
  ScratchDir dir;
  dir.write("migrations/001-big.sql", inserts_of_megabytes(kBigFileMegabytes));
  const std::vector<std::string> lint{"--migrations", (dir.path() / "migrations").string(), "lint"};

  // Room for a few times the file: prepared and linted statement by statement, it fits (all
  // trees and JSON of the whole file at once took 31 times its size).
  const auto fits = run_cli_with_memory_limit(lint, kRoomyLimitMegabytes);
  CHECK_MESSAGE(fits.exit_code == 0, fits.err);

  // Less than the process needs: exit 17 and one line that says so, not a signal.
  const auto starved = run_cli_with_memory_limit(lint, kStarvedLimitMegabytes);
  CHECK_MESSAGE(starved.exit_code == 17, starved.exit_code, starved.err);
  CHECK(starved.err.rfind("cora-migrate: error: out of memory: ", 0) == 0);
  CHECK(std::count(starved.err.begin(), starved.err.end(), '\n') == 1);
}

namespace {

// Measured with a Release build: `lint` of this file fits in some 176 MB of address space; before
// the file was scanned once and checked without holding a SqlStatement per statement it needed
// 271 MB (the binary, its libraries and the parser's headroom take about 108 MB of it).
constexpr std::size_t kFiftyMegabytes = 50;
constexpr std::size_t kBoundedLimitMegabytes = 230;

}  // namespace

TEST_CASE("big input: lint of a 50 MB file fits in its baseline and under 3 times the file's size") {
  if (sanitized_build()) {
    MESSAGE("skipped: AddressSanitizer reserves more address space than any memory limit allows");
    return;
  }
  ScratchDir dir;
  dir.write("migrations/001-big.sql", inserts_of_megabytes(kFiftyMegabytes));
  const auto bounded =
      run_cli_with_memory_limit({"--migrations", (dir.path() / "migrations").string(), "lint"}, kBoundedLimitMegabytes);
  CHECK_MESSAGE(bounded.exit_code == 0, bounded.exit_code, bounded.err);
}
