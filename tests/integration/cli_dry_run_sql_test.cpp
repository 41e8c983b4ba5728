// `migrate --dry-run --format sql` through the built binary: a reviewer's copy, the files' own
// SQL with the transaction boundaries and history writes, the tool's session reset one comment
// line per file; --verbose writes every statement migrate sends.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}
}  // namespace

TEST_CASE("migrate --dry-run --format sql: the files' lines plus a few per file; --verbose shows every reset") {
  ScratchDir dir;
  const auto migrations = source_dir() / "migrations";
  std::filesystem::copy(migrations, dir.path() / "migrations");
  // A transaction=false file too: its reset is DISCARD ALL, its history row written in two steps.
  dir.write("migrations/009-concurrent-index.sql",
            "-- cora-migrate: transaction=false\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS user_sessions_started ON public.user_sessions (started_at);\n");
  std::size_t file_lines = 0, files = 0, without_transaction = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "migrations")) {
    const auto text = read_text(entry.path());
    file_lines += line_count(text);
    ++files;
    if (contains(text, "-- cora-migrate: transaction=false\n")) ++without_transaction;
  }
  REQUIRE(files >= 10);
  REQUIRE(without_transaction == 1);
  TestDatabase db;
  const auto url = std::vector<std::string>{"--database-url", db.conninfo()};
  auto with_url = [&](std::vector<std::string> args) {
    args.insert(args.end(), url.begin(), url.end());
    return run_in(dir, args);
  };

  const auto plain = with_url({"migrate", "--dry-run", "--format", "sql"});
  REQUIRE(plain.exit_code == 0);
  INFO(plain.out);
  // The history set-up comes first, once, in its own transaction: the script must run in psql
  // on a database that has no history table yet.
  const auto first_file = plain.out.rfind('\n', plain.out.find("(version "));
  REQUIRE(first_file != std::string::npos);
  CHECK(contains(plain.out.substr(0, first_file),
                 "-- the history table and its helper functions, in one transaction\nBEGIN;\n"));
  const auto body = plain.out.substr(first_file);
  // The files' SQL, each between BEGIN and COMMIT with its history row: at most 8 lines of the
  // tool's own per file (blank line, header, BEGIN, the history checks, the reset comment, the
  // history row, COMMIT).
  CHECK(line_count(body) <= file_lines + 8 * files);
  CHECK(occurrences(body, "\nBEGIN;\n") == files);
  CHECK(occurrences(body, "\nCOMMIT;\n") == files);
  CHECK(occurrences(plain.out, "-- + the session reset (") == files);
  CHECK(occurrences(body, "schema_history_record\"(") == files);  // the history writes stay
  CHECK(!contains(plain.out, "RESET ALL;"));
  CHECK(!contains(plain.out, "DISCARD TEMP;"));
  CHECK(contains(plain.out, "CREATE TABLE IF NOT EXISTS public.user_sessions"));

  const auto verbose = with_url({"migrate", "--dry-run", "--format", "sql", "--verbose"});
  REQUIRE(verbose.exit_code == 0);
  // 000-default-privileges.sql, first in the run, cannot change the session (only ALTER DEFAULT
  // PRIVILEGES and GRANTs): it goes without the reset. Every later transactional file has it, as
  // the first that can (001 creates indexes) might have changed anything.
  const std::size_t with_reset = files - without_transaction - 1;
  CHECK(occurrences(verbose.out, "\nRESET ALL;\n") == with_reset);
  CHECK(occurrences(verbose.out, "\nDISCARD TEMP;\n") == with_reset);
  CHECK(occurrences(verbose.out, "\nDISCARD SEQUENCES;\n") == files - without_transaction);
  CHECK(occurrences(verbose.out, "\nDISCARD ALL;\n") == without_transaction);
  CHECK(!contains(verbose.out, "-- + the session reset ("));
  // Every reset spelled out: at least 8 more lines each than its one comment.
  CHECK(line_count(verbose.out) >= line_count(plain.out) + 8 * with_reset);
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL") == "t");  // nothing ran
}
