// The file name `cora-migrate new` picks: the folder's own style, one past its newest file.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/migrations/new_migration.hpp"
#include "unit/unit_helpers.hpp"

using namespace cora;
using namespace cora::test;

namespace {
// 2026-03-04 05:06:07 UTC
constexpr std::time_t kNow = 1772600767;
}  // namespace

TEST_CASE("new: numbered folders get the next number, padded as the folder pads") {
  CHECK(next_migration_file_name({}, "init", kNow) == "001-init.sql");
  CHECK(next_migration_file_name({"000-a.sql", "001-b.sql", "008-c.sql"}, "add-teams", kNow) == "009-add-teams.sql");
  CHECK(next_migration_file_name({"0001_a.sql", "0002_b.sql"}, "add_teams", kNow) == "0003_add_teams.sql");
  CHECK(next_migration_file_name({"999-a.sql"}, "next", kNow) == "1000-next.sql");
  CHECK(next_migration_file_name({"README.md", "notes.sql", "002-b.sql"}, "c", kNow) == "003-c.sql");
}

TEST_CASE("new: dated folders get a UTC timestamp, later than the newest file") {
  CHECK(next_migration_file_name({"20240101120000_create_users.sql"}, "add_teams", kNow) ==
        "20260304050607_add_teams.sql");
  CHECK(next_migration_file_name({"001-base.sql", "20240101_x.sql"}, "y", kNow) == "20260304050607_y.sql");
  // A file from the future (a clock behind, or a hand-written name): one second past it.
  CHECK(next_migration_file_name({"20300101000000_later.sql"}, "z", kNow) == "20300101000001_z.sql");
  CHECK(next_migration_file_name({"20300101_later.sql"}, "z", kNow) == "20300101000001_z.sql");
}

TEST_CASE("new: refuses a name that exists or is not a name") {
  const auto exists = error_from([] { next_migration_file_name({"007-add-teams.sql"}, "add_teams", kNow); });
  REQUIRE(exists);
  CHECK(exists->code() == ExitCode::usage);
  CHECK(contains(exists->what(), "007-add-teams.sql"));
  for (const std::string& bad :
       std::vector<std::string>{"", "add teams", "a/b", "x.sql", "-x", "caf\xc3\xa9", std::string(101, 'a')}) {
    CAPTURE(bad);
    const auto e = error_from([&] { next_migration_file_name({}, bad, kNow); });
    REQUIRE(e);
    CHECK(e->code() == ExitCode::usage);
  }
}

TEST_CASE("new: the header is comments naming the file and when it was made") {
  const auto header = new_migration_header("009-add-teams.sql", kNow);
  CHECK(header.rfind("-- 009-add-teams: ", 0) == 0);
  CHECK(contains(header, "2026-03-04 05:06 UTC"));
  for (std::size_t start = 0; start < header.size();) {
    const auto end = header.find('\n', start);
    const auto line = header.substr(start, end - start);
    CHECK((line.empty() || line.rfind("--", 0) == 0));
    start = end + 1;
  }
}
