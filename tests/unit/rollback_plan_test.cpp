#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cora/migrations/migration_file.hpp"
#include "cora/migrations/rollback_plan.hpp"
#include "support/scratch_dir.hpp"
#include "unit_helpers.hpp"

using cora::compute_status;
using cora::data_destroying_statements;
using cora::ExitCode;
using cora::HistoryRecord;
using cora::MigrationFile;
using cora::select_rollback;
using cora::test::error_from;

namespace {

MigrationFile rollback_file(std::int64_t version) {
  MigrationFile f;
  f.version = version;
  f.version_digits = std::to_string(version);
  f.name = "file-" + std::to_string(version);
  f.file_name = "00" + std::to_string(version) + "-" + f.name + ".sql";
  f.checksum = "sum";
  return f;
}

HistoryRecord applied_row(std::int64_t version, const std::string& checksum = "sum",
                          const std::string& action = "apply") {
  HistoryRecord r;
  r.version = version;
  r.name = "file-" + std::to_string(version);
  r.checksum = checksum;
  r.state = "applied";
  r.action = action;
  return r;
}

std::vector<std::int64_t> versions(const std::vector<const cora::StatusEntry*>& entries) {
  std::vector<std::int64_t> out;
  for (const auto* e : entries) out.push_back(e->version);
  return out;
}

}  // namespace

TEST_CASE("select_rollback: the applied migrations after the target, newest first") {
  const std::vector<MigrationFile> files{rollback_file(1), rollback_file(2), rollback_file(3), rollback_file(4)};
  SUBCASE("pending ones are skipped") {
    const std::vector<HistoryRecord> history{applied_row(1), applied_row(2), applied_row(3)};
    const auto status = compute_status(files, history);
    CHECK(versions(select_rollback(status, files, "1")) == std::vector<std::int64_t>{3, 2});
    CHECK(versions(select_rollback(status, files, "0")) == std::vector<std::int64_t>{3, 2, 1});
    CHECK(select_rollback(status, files, "3").empty());
  }
  SUBCASE("a changed migration to undo is refused; one before the target is not") {
    const std::vector<HistoryRecord> history{applied_row(1, "old"), applied_row(2), applied_row(3, "old")};
    const auto status = compute_status(files, history);
    const auto e = error_from([&] { select_rollback(status, files, "1"); });
    REQUIRE(e);
    CHECK(e->code() == ExitCode::history_conflict);
    CHECK(std::string(e->what()).find("003-file-3.sql changed since it was applied") != std::string::npos);
    CHECK(versions(select_rollback(status, files, "3")).empty());
  }
  SUBCASE("a delta recorded as included in its module's snapshot is refused") {
    const std::vector<HistoryRecord> history{applied_row(1), applied_row(2, "sum", "included")};
    const auto status = compute_status(files, history);
    const auto e = error_from([&] { select_rollback(status, files, "1"); });
    REQUIRE(e);
    CHECK(e->code() == ExitCode::history_conflict);
  }
  SUBCASE("a target no file has is a usage error") {
    const auto status = compute_status(files, {});
    const auto e = error_from([&] { select_rollback(status, files, "9"); });
    REQUIRE(e);
    CHECK(e->code() == ExitCode::usage);
  }
}

TEST_CASE("data_destroying_statements: what undoing a migration may destroy") {
  const auto found = data_destroying_statements(
      "DROP INDEX public.x;\n"
      "DROP TABLE public.notes;\n"
      "ALTER TABLE public.base DROP COLUMN colour, ALTER COLUMN label TYPE int USING 0;\n"
      "DROP VIEW public.v;\n");
  REQUIRE(found.size() == 3);
  CHECK(found[0].text() == "line 2: DROP TABLE");
  CHECK(found[1].text() == "line 3: DROP COLUMN public.base.colour");
  CHECK(found[2].text() == "line 3: ALTER COLUMN public.base.label TYPE");
  CHECK(data_destroying_statements("DROP INDEX public.x; CREATE INDEX y ON t (c);").empty());
}

TEST_CASE("discover_migrations: NNN-name.down.sql is its migration's down file, not a migration") {
  cora::test::ScratchDir dir;
  dir.write("m/001-a.sql", "SELECT 1;\n");
  dir.write("m/001-a.down.sql", "SELECT 2;\n");
  dir.write("m/002-b.sql", "SELECT 3;\n");
  const auto files = cora::discover_migrations(dir.path() / "m");
  REQUIRE(files.size() == 2);
  CHECK(files[0].down_path == dir.path() / "m/001-a.down.sql");
  CHECK(files[1].down_path.empty());
  const auto down = cora::read_down_file(files[0]);
  CHECK(down.content == "SELECT 2;\n");
  CHECK(down.version == 1);

  // One without its migration is an error, unless exclude leaves that migration out.
  dir.write("m/003-c.down.sql", "SELECT 4;\n");
  const auto e = error_from([&] { cora::discover_migrations(dir.path() / "m"); });
  REQUIRE(e);
  CHECK(e->code() == ExitCode::migration_files);
  CHECK(std::string(e->what()).find("003-c.down.sql: a down file without its migration 003-c.sql") !=
        std::string::npos);
  cora::DiscoverOptions options;
  options.excluded = [](const std::filesystem::path& p) { return p.filename() == "003-c.sql"; };
  CHECK(cora::discover_migrations(dir.path() / "m", options).size() == 2);
}
