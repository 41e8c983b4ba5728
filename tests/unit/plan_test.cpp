#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "migrations/plan.hpp"
#include "unit_helpers.hpp"

using cora::compute_status;
using cora::ExitCode;
using cora::HistoryRecord;
using cora::make_plan;
using cora::MigrationFile;
using cora::MigrationState;
using cora::Plan;
using cora::StatusEntry;
using cora::test::error_from;

namespace {

MigrationFile file(std::int64_t version, const std::string& checksum = "sum") {
  MigrationFile f;
  f.version = version;
  f.name = "file-" + std::to_string(version);
  f.file_name = std::to_string(version) + "-" + f.name + ".sql";
  f.path = "migrations/" + f.file_name;
  f.content = "SELECT " + std::to_string(version) + ";";
  f.checksum = checksum;
  return f;
}

HistoryRecord record(std::int64_t version, const std::string& checksum = "sum", const std::string& state = "applied") {
  HistoryRecord r;
  r.version = version;
  r.name = "file-" + std::to_string(version);
  r.checksum = checksum;
  r.state = state;
  r.action = "apply";
  return r;
}

std::vector<std::int64_t> versions(const std::vector<StatusEntry>& entries) {
  std::vector<std::int64_t> out;
  for (const auto& e : entries) out.push_back(e.version);
  return out;
}

std::vector<std::int64_t> versions(const std::vector<const MigrationFile*>& files) {
  std::vector<std::int64_t> out;
  for (const auto* f : files) out.push_back(f->version);
  return out;
}

std::vector<MigrationState> states(const std::vector<StatusEntry>& entries) {
  std::vector<MigrationState> out;
  for (const auto& e : entries) out.push_back(e.state);
  return out;
}

}  // namespace

TEST_CASE("compute_status: one state per version") {
  SUBCASE("applied: recorded with the same checksum") {
    const std::vector<MigrationFile> files{file(1, "abc")};
    const std::vector<HistoryRecord> history{record(1, "abc")};
    const auto status = compute_status(files, history);
    REQUIRE(status.size() == 1);
    CHECK(status[0].state == MigrationState::applied);
    CHECK(status[0].file == &files[0]);
    CHECK(status[0].record == &history[0]);
    CHECK(status[0].name == "file-1");
    CHECK_FALSE(status[0].out_of_order);
  }
  SUBCASE("pending: a file not in history") {
    const std::vector<MigrationFile> files{file(1)};
    const auto status = compute_status(files, {});
    REQUIRE(status.size() == 1);
    CHECK(status[0].state == MigrationState::pending);
    CHECK(status[0].file == &files[0]);
    CHECK(status[0].record == nullptr);
    CHECK_FALSE(status[0].out_of_order);
  }
  SUBCASE("changed: recorded with another checksum") {
    const std::vector<MigrationFile> files{file(1, "new")};
    const std::vector<HistoryRecord> history{record(1, "old")};
    const auto status = compute_status(files, history);
    REQUIRE(status.size() == 1);
    CHECK(status[0].state == MigrationState::changed);
    CHECK(status[0].file == &files[0]);
    CHECK(status[0].record == &history[0]);
  }
  SUBCASE("conflict: recorded under another file's name, whatever the checksum") {
    for (const std::string recorded_checksum : {"abc", "other"}) {
      const std::vector<MigrationFile> files{file(1, "abc")};
      auto other_file = record(1, recorded_checksum);
      other_file.name = "add-projects";
      const std::vector<HistoryRecord> history{other_file};
      const auto status = compute_status(files, history);
      REQUIRE(status.size() == 1);
      CHECK(status[0].state == MigrationState::conflict);
      const auto plan = cora::make_plan(status, std::nullopt);
      CHECK(states(plan.blockers) == std::vector<MigrationState>{MigrationState::conflict});
      CHECK(plan.to_apply.empty());
    }
  }
  SUBCASE("applied: recorded with the checksum earlier versions computed (CRLF kept)") {
    auto f = file(1, "normalised");
    f.raw_checksum = "raw";
    const std::vector<MigrationFile> files{f};
    const std::vector<HistoryRecord> history{record(1, "raw")};
    CHECK(compute_status(files, history)[0].state == MigrationState::applied);
  }
  SUBCASE("missing: recorded, but no file has the version") {
    const std::vector<HistoryRecord> history{record(4)};
    const auto status = compute_status({}, history);
    REQUIRE(status.size() == 1);
    CHECK(status[0].state == MigrationState::missing);
    CHECK(status[0].version == 4);
    CHECK(status[0].name == "file-4");
    CHECK(status[0].file == nullptr);
    CHECK(status[0].record == &history[0]);
  }
  SUBCASE("dirty: a running row, even when the checksum matches") {
    const std::vector<MigrationFile> files{file(2, "abc")};
    const std::vector<HistoryRecord> history{record(2, "abc", "running")};
    const auto status = compute_status(files, history);
    REQUIRE(status.size() == 1);
    CHECK(status[0].state == MigrationState::dirty);
    CHECK(status[0].file == &files[0]);
    CHECK(status[0].record == &history[0]);
  }
  SUBCASE("dirty: a running row whose file is gone stays dirty, not missing") {
    const std::vector<HistoryRecord> history{record(2, "abc", "running")};
    const auto status = compute_status({}, history);
    REQUIRE(status.size() == 1);
    CHECK(status[0].state == MigrationState::dirty);
    CHECK(status[0].file == nullptr);
  }
  SUBCASE("dirty: a running row with a changed file stays dirty, not changed") {
    const std::vector<MigrationFile> files{file(2, "new")};
    const std::vector<HistoryRecord> history{record(2, "old", "running")};
    CHECK(compute_status(files, history).at(0).state == MigrationState::dirty);
  }
}

TEST_CASE("compute_status: ordering and merging") {
  SUBCASE("entries are in version order whatever the input order") {
    const std::vector<MigrationFile> files{file(10), file(2), file(7)};
    const std::vector<HistoryRecord> history{record(7), record(5), record(1)};
    const auto status = compute_status(files, history);
    CHECK(versions(status) == std::vector<std::int64_t>{1, 2, 5, 7, 10});
    CHECK(states(status) == std::vector<MigrationState>{MigrationState::missing, MigrationState::pending,
                                                        MigrationState::missing, MigrationState::applied,
                                                        MigrationState::pending});
  }
  SUBCASE("a version on disk and in history gives one entry, with the file's name") {
    const std::vector<MigrationFile> files{file(3)};
    const std::vector<HistoryRecord> history{record(3)};
    const auto status = compute_status(files, history);
    REQUIRE(status.size() == 1);
    CHECK(status[0].name == "file-3");
  }
  SUBCASE("nothing on disk and nothing in history") { CHECK(compute_status({}, {}).empty()); }
}

TEST_CASE("compute_status: out_of_order") {
  SUBCASE("a pending file below the highest applied version") {
    const std::vector<MigrationFile> files{file(1), file(2), file(3), file(4)};
    const std::vector<HistoryRecord> history{record(1), record(3)};
    const auto status = compute_status(files, history);
    REQUIRE(status.size() == 4);
    CHECK(status[1].version == 2);
    CHECK(status[1].state == MigrationState::pending);
    CHECK(status[1].out_of_order);
    CHECK_FALSE(status[3].out_of_order);  // 4 comes after everything applied
    CHECK_FALSE(status[0].out_of_order);  // applied entries are never out of order
    CHECK_FALSE(status[2].out_of_order);
  }
  SUBCASE("the highest recorded version counts even when its file is missing") {
    const std::vector<MigrationFile> files{file(2)};
    const std::vector<HistoryRecord> history{record(5)};
    CHECK(compute_status(files, history).at(0).out_of_order);
  }
  SUBCASE("input order does not matter") {
    const std::vector<MigrationFile> files{file(2)};
    const std::vector<HistoryRecord> history{record(9), record(1)};
    const auto status = compute_status(files, history);
    REQUIRE(status.size() == 3);
    CHECK(status[1].out_of_order);
  }
  SUBCASE("nothing applied: nothing is out of order") {
    const std::vector<MigrationFile> files{file(2), file(1)};
    for (const auto& entry : compute_status(files, {})) CHECK_FALSE(entry.out_of_order);
  }
}

TEST_CASE("to_string: MigrationState") {
  CHECK(std::string(cora::to_string(MigrationState::applied)) == "applied");
  CHECK(std::string(cora::to_string(MigrationState::pending)) == "pending");
  CHECK(std::string(cora::to_string(MigrationState::changed)) == "changed");
  CHECK(std::string(cora::to_string(MigrationState::missing)) == "missing");
  CHECK(std::string(cora::to_string(MigrationState::dirty)) == "dirty");
}

TEST_CASE("make_plan: what migrate applies") {
  SUBCASE("every pending file, in version order") {
    const std::vector<MigrationFile> files{file(3), file(1), file(2)};
    const auto plan = make_plan(compute_status(files, {}), std::nullopt);
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{1, 2, 3});
    CHECK(plan.to_apply.at(0) == &files[1]);
    CHECK(plan.blockers.empty());
    CHECK(plan.warnings.empty());
  }
  SUBCASE("applied files are skipped") {
    const std::vector<MigrationFile> files{file(1), file(2)};
    const std::vector<HistoryRecord> history{record(1)};
    const auto plan = make_plan(compute_status(files, history), std::nullopt);
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
  }
  SUBCASE("everything applied: nothing to do") {
    const std::vector<MigrationFile> files{file(1)};
    const std::vector<HistoryRecord> history{record(1)};
    const auto plan = make_plan(compute_status(files, history), std::nullopt);
    CHECK(plan.to_apply.empty());
    CHECK(plan.blockers.empty());
    CHECK(plan.warnings.empty());
  }
}

TEST_CASE("make_plan: blockers and warnings") {
  SUBCASE("changed and dirty entries block") {
    const std::vector<MigrationFile> files{file(1, "new"), file(2), file(3)};
    const std::vector<HistoryRecord> history{record(1, "old"), record(2, "sum", "running")};
    const auto plan = make_plan(compute_status(files, history), std::nullopt);
    CHECK(versions(plan.blockers) == std::vector<std::int64_t>{1, 2});
    CHECK(states(plan.blockers) == std::vector<MigrationState>{MigrationState::changed, MigrationState::dirty});
    CHECK(plan.warnings.empty());
  }
  SUBCASE("missing files warn") {
    const std::vector<MigrationFile> files{file(2)};
    const std::vector<HistoryRecord> history{record(1)};
    const auto plan = make_plan(compute_status(files, history), std::nullopt);
    CHECK(versions(plan.warnings) == std::vector<std::int64_t>{1});
    CHECK(plan.warnings.at(0).state == MigrationState::missing);
    CHECK(plan.blockers.empty());
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
  }
  SUBCASE("an out-of-order pending file warns and is still applied") {
    const std::vector<MigrationFile> files{file(1), file(2), file(3)};
    const std::vector<HistoryRecord> history{record(1), record(3)};
    const auto plan = make_plan(compute_status(files, history), std::nullopt);
    CHECK(versions(plan.warnings) == std::vector<std::int64_t>{2});
    CHECK(plan.warnings.at(0).out_of_order);
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
    CHECK(plan.blockers.empty());
  }
  SUBCASE("blockers are reported even below a target") {
    const std::vector<MigrationFile> files{file(1, "new"), file(2), file(3)};
    const std::vector<HistoryRecord> history{record(1, "old")};
    const auto plan = make_plan(compute_status(files, history), std::int64_t{2});
    CHECK(versions(plan.blockers) == std::vector<std::int64_t>{1});
  }
}

TEST_CASE("make_plan: target") {
  const std::vector<MigrationFile> files{file(1), file(2), file(3), file(4)};
  const std::vector<HistoryRecord> history{record(1)};
  const auto status = compute_status(files, history);

  SUBCASE("files after the target wait") {
    CHECK(versions(make_plan(status, std::int64_t{3}).to_apply) == std::vector<std::int64_t>{2, 3});
  }
  SUBCASE("the target itself is applied") {
    CHECK(versions(make_plan(status, std::int64_t{2}).to_apply) == std::vector<std::int64_t>{2});
  }
  SUBCASE("the last version as target is the same as no target") {
    CHECK(versions(make_plan(status, std::int64_t{4}).to_apply) ==
          versions(make_plan(status, std::nullopt).to_apply));
  }
  SUBCASE("an already applied target: nothing to do") {
    CHECK(make_plan(status, std::int64_t{1}).to_apply.empty());
  }
  SUBCASE("an unknown target is a usage error naming it") {
    const auto error = error_from([&] { make_plan(status, std::int64_t{99}); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::usage);
    CHECK_CONTAINS(error->what(), "--target 99");
  }
  SUBCASE("a target only in history (file missing) is unknown") {
    const std::vector<HistoryRecord> with_missing{record(1), record(8)};
    const auto status_with_missing = compute_status(files, with_missing);
    const auto error = error_from([&] { make_plan(status_with_missing, std::int64_t{8}); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::usage);
    CHECK_CONTAINS(error->what(), "8");
  }
  SUBCASE("an out-of-order file after the target neither applies nor warns") {
    const std::vector<MigrationFile> gap_files{file(1), file(2), file(3), file(5)};
    const std::vector<HistoryRecord> gap_history{record(1), record(5)};
    const auto plan = make_plan(compute_status(gap_files, gap_history), std::int64_t{2});
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
    CHECK(versions(plan.warnings) == std::vector<std::int64_t>{2});
  }
}

TEST_CASE("make_plan: --reapply VERSION --force runs an applied, unchanged file again") {
  const std::vector<MigrationFile> files{file(1), file(2)};
  const std::vector<HistoryRecord> history{record(1), record(2)};
  const auto status = compute_status(files, history);

  const auto refused = error_from([&] { make_plan(status, std::nullopt, {false, {2}, false}); });
  REQUIRE(refused);
  CHECK(refused->code() == ExitCode::usage);
  CHECK(std::string(refused->what()) == "--reapply 2: file-2 is applied, not changed");
  CHECK(refused->hint().find("add --force") != std::string::npos);

  const Plan forced = make_plan(status, std::nullopt, {false, {2}, true});
  REQUIRE(forced.to_apply.size() == 1);
  CHECK(forced.to_apply[0]->version == 2);
  CHECK(forced.replaces_checksum.at(2) == "sum");  // begin_migration checks the row is still this one
  CHECK(forced.blockers.empty());

  // --force names what to run again: other applied files stay as they are.
  CHECK(make_plan(status, std::nullopt, {false, {}, true}).to_apply.empty());

  // A pending file is still refused: migrate applies it.
  const std::vector<MigrationFile> with_pending{file(1), file(2), file(3)};
  const auto pending_status = compute_status(with_pending, history);
  const auto pending = error_from([&] { make_plan(pending_status, std::nullopt, {false, {3}, true}); });
  REQUIRE(pending);
  CHECK(pending->hint() == "run migrate without --reapply");
}
