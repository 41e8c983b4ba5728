#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cora/migrations/plan.hpp"
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
  f.version_digits = std::to_string(version);
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

std::vector<std::int64_t> versions(const std::vector<cora::Blocker>& blockers) {
  std::vector<std::int64_t> out;
  for (const auto& b : blockers) out.push_back(b.entry.version);
  return out;
}

std::vector<MigrationState> states(const std::vector<cora::Blocker>& blockers) {
  std::vector<MigrationState> out;
  for (const auto& b : blockers) out.push_back(b.entry.state);
  return out;
}

cora::PlanOptions target(std::int64_t version) {
  cora::PlanOptions o;
  o.target = std::to_string(version);
  return o;
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
      const auto plan = cora::make_plan(status, files);
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
    const auto plan = make_plan(compute_status(files, {}), files);
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{1, 2, 3});
    CHECK(plan.to_apply.at(0) == &files[1]);
    CHECK(plan.blockers.empty());
    CHECK(plan.warnings.empty());
  }
  SUBCASE("applied files are skipped") {
    const std::vector<MigrationFile> files{file(1), file(2)};
    const std::vector<HistoryRecord> history{record(1)};
    const auto plan = make_plan(compute_status(files, history), files);
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
  }
  SUBCASE("everything applied: nothing to do") {
    const std::vector<MigrationFile> files{file(1)};
    const std::vector<HistoryRecord> history{record(1)};
    const auto plan = make_plan(compute_status(files, history), files);
    CHECK(plan.to_apply.empty());
    CHECK(plan.blockers.empty());
    CHECK(plan.warnings.empty());
  }
}

TEST_CASE("make_plan: blockers and warnings") {
  SUBCASE("changed and dirty entries block") {
    const std::vector<MigrationFile> files{file(1, "new"), file(2), file(3)};
    const std::vector<HistoryRecord> history{record(1, "old"), record(2, "sum", "running")};
    const auto plan = make_plan(compute_status(files, history), files);
    CHECK(versions(plan.blockers) == std::vector<std::int64_t>{1, 2});
    CHECK(states(plan.blockers) == std::vector<MigrationState>{MigrationState::changed, MigrationState::dirty});
    CHECK(plan.warnings.empty());
  }
  SUBCASE("missing files warn") {
    const std::vector<MigrationFile> files{file(2)};
    const std::vector<HistoryRecord> history{record(1)};
    const auto plan = make_plan(compute_status(files, history), files);
    CHECK(versions(plan.warnings) == std::vector<std::int64_t>{1});
    CHECK(plan.warnings.at(0).state == MigrationState::missing);
    CHECK(plan.blockers.empty());
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
  }
  SUBCASE("an out-of-order pending file warns and is still applied") {
    const std::vector<MigrationFile> files{file(1), file(2), file(3)};
    const std::vector<HistoryRecord> history{record(1), record(3)};
    const auto plan = make_plan(compute_status(files, history), files);
    CHECK(versions(plan.warnings) == std::vector<std::int64_t>{2});
    CHECK(plan.warnings.at(0).out_of_order);
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
    CHECK(plan.blockers.empty());
  }
  SUBCASE("blockers are reported even below a target") {
    const std::vector<MigrationFile> files{file(1, "new"), file(2), file(3)};
    const std::vector<HistoryRecord> history{record(1, "old")};
    const auto plan = make_plan(compute_status(files, history), files, target(2));
    CHECK(versions(plan.blockers) == std::vector<std::int64_t>{1});
  }
}

TEST_CASE("make_plan: target") {
  const std::vector<MigrationFile> files{file(1), file(2), file(3), file(4)};
  const std::vector<HistoryRecord> history{record(1)};
  const auto status = compute_status(files, history);

  SUBCASE("files after the target wait") {
    CHECK(versions(make_plan(status, files, target(3)).to_apply) == std::vector<std::int64_t>{2, 3});
  }
  SUBCASE("the target itself is applied") {
    CHECK(versions(make_plan(status, files, target(2)).to_apply) == std::vector<std::int64_t>{2});
  }
  SUBCASE("the last version as target is the same as no target") {
    CHECK(versions(make_plan(status, files, target(4)).to_apply) == versions(make_plan(status, files).to_apply));
  }
  SUBCASE("an already applied target: nothing to do") { CHECK(make_plan(status, files, target(1)).to_apply.empty()); }
  SUBCASE("an unknown target is a usage error naming it") {
    const auto error = error_from([&] { make_plan(status, files, target(99)); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::usage);
    CHECK_CONTAINS(error->what(), "--to 99");
  }
  SUBCASE("a target only in history (file missing) is unknown") {
    const std::vector<HistoryRecord> with_missing{record(1), record(8)};
    const auto status_with_missing = compute_status(files, with_missing);
    const auto error = error_from([&] { make_plan(status_with_missing, files, target(8)); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::usage);
    CHECK_CONTAINS(error->what(), "8");
  }
  SUBCASE("an out-of-order file after the target neither applies nor warns") {
    const std::vector<MigrationFile> gap_files{file(1), file(2), file(3), file(5)};
    const std::vector<HistoryRecord> gap_history{record(1), record(5)};
    const auto plan = make_plan(compute_status(gap_files, gap_history), gap_files, target(2));
    CHECK(versions(plan.to_apply) == std::vector<std::int64_t>{2});
    CHECK(versions(plan.warnings) == std::vector<std::int64_t>{2});
  }
}

namespace {

MigrationFile module_file(const std::string& module, cora::FileRole role, std::int64_t version, const std::string& name,
                          const std::string& checksum = "sum") {
  auto f = file(version, checksum);
  f.module = module;
  f.role = role;
  f.name = name;
  f.file_name = std::to_string(version) + "-" + name + ".sql";
  return f;
}

HistoryRecord module_record(const std::string& module, std::int64_t version, const std::string& name,
                            const std::string& checksum = "sum") {
  auto r = record(version, checksum);
  r.module = module;
  r.name = name;
  return r;
}

}  // namespace

TEST_CASE("make_plan: a module's snapshot and deltas") {
  using cora::FileRole;
  const std::vector<MigrationFile> files{module_file("m", FileRole::snapshot, 1, "tables", "new"),
                                         module_file("m", FileRole::snapshot, 2, "functions"),
                                         module_file("m", FileRole::delta, 20251220, "rename"),
                                         module_file("m", FileRole::delta, 20260113, "add-column")};
  SUBCASE("not installed: the snapshot runs, the deltas are recorded with its first file as included") {
    const auto plan = make_plan(compute_status(files, {}), files);
    CHECK(plan.to_apply == std::vector<const MigrationFile*>{&files[0], &files[1]});
    REQUIRE(plan.included_with.count(&files[0]) == 1);
    CHECK(plan.included_with.at(&files[0]) == std::vector<const MigrationFile*>{&files[2], &files[3]});
    CHECK(plan.next.at(&files[2]) == "record as included");
  }
  SUBCASE("installed: pending deltas first, then the changed snapshot file runs again") {
    const std::vector<HistoryRecord> history{module_record("m", 1, "tables", "old"),
                                             module_record("m", 2, "functions")};
    const auto plan = make_plan(compute_status(files, history), files);
    CHECK(plan.to_apply == std::vector<const MigrationFile*>{&files[2], &files[3], &files[0]});
    CHECK(plan.replaces_checksum.at(&files[0]) == "old");
    CHECK(plan.next.at(&files[0]) == "re-run (changed)");
    CHECK(plan.blockers.empty());
  }
  SUBCASE("a changed snapshot file that destroys data waits for allow_destructive") {
    const std::vector<HistoryRecord> history{module_record("m", 1, "tables", "old"), module_record("m", 2, "functions"),
                                             module_record("m", 20251220, "rename"),
                                             module_record("m", 20260113, "add-column")};
    cora::PlanOptions options;
    options.destructive_statement = [](const MigrationFile&) {
      return std::optional<cora::DestructiveStatement>({3, "TRUNCATE"});
    };
    const auto status = compute_status(files, history);
    const auto held = make_plan(status, files, options);
    CHECK(held.to_apply.empty());
    REQUIRE(held.blockers.size() == 1);
    REQUIRE(held.blockers[0].destructive);
    CHECK(held.blockers[0].destructive->text() == "line 3: TRUNCATE");
    CHECK_FALSE(held.blockers[0].requested);
    options.allow_destructive = true;
    CHECK(make_plan(status, files, options).to_apply == std::vector<const MigrationFile*>{&files[0]});
  }
  SUBCASE("a changed delta still blocks, as in a one-folder project") {
    const std::vector<HistoryRecord> history{module_record("m", 1, "tables", "new"), module_record("m", 2, "functions"),
                                             module_record("m", 20251220, "rename", "other")};
    const auto plan = make_plan(compute_status(files, history), files);
    REQUIRE(plan.blockers.size() == 1);
    CHECK(plan.blockers[0].entry.file == &files[2]);
  }
}

TEST_CASE("find_migration: selectors") {
  using cora::FileRole;
  const std::vector<MigrationFile> files{module_file("a", FileRole::snapshot, 3, "x"),
                                         module_file("a", FileRole::snapshot, 3, "y"),
                                         module_file("b", FileRole::delta, 3, "x")};
  CHECK(&cora::find_migration(files, "a:3-y", "--target") == &files[1]);
  CHECK(&cora::find_migration(files, "b:3", "--target") == &files[2]);
  CHECK(&cora::find_migration(files, "b:x.sql", "--target") == &files[2]);
  const auto ambiguous = error_from([&] { cora::find_migration(files, "a:3", "--target"); });
  REQUIRE(ambiguous.has_value());
  CHECK_CONTAINS(ambiguous->what(), "several migrations match (a:3-x.sql, a:3-y.sql)");
  const auto none = error_from([&] { cora::find_migration(files, "c:1", "--reapply"); });
  REQUIRE(none.has_value());
  CHECK(none->code() == ExitCode::usage);
}

namespace {

cora::PlanOptions reapply_of(std::vector<std::string> selectors, bool force) {
  cora::PlanOptions o;
  o.reapply.selectors = std::move(selectors);
  o.reapply.force = force;
  return o;
}

}  // namespace

TEST_CASE("make_plan: --reapply VERSION --force runs an applied, unchanged file again") {
  const std::vector<MigrationFile> files{file(1), file(2)};
  const std::vector<HistoryRecord> history{record(1), record(2)};
  const auto status = compute_status(files, history);

  const auto refused = error_from([&] { make_plan(status, files, reapply_of({"2"}, false)); });
  REQUIRE(refused);
  CHECK(refused->code() == ExitCode::usage);
  CHECK(std::string(refused->what()) == "--reapply 2: 2-file-2.sql is applied, not changed");
  CHECK(refused->hint().find("add --force") != std::string::npos);

  const Plan forced = make_plan(status, files, reapply_of({"2"}, true));
  REQUIRE(forced.to_apply.size() == 1);
  CHECK(forced.to_apply[0]->version == 2);
  CHECK(forced.replaces_checksum.at(&files[1]) == "sum");  // begin_migration checks the row is still this one
  CHECK(forced.blockers.empty());

  // --force names what to run again: other applied files stay as they are.
  CHECK(make_plan(status, files, reapply_of({}, true)).to_apply.empty());

  // A pending file is still refused: migrate applies it.
  const std::vector<MigrationFile> with_pending{file(1), file(2), file(3)};
  const auto pending_status = compute_status(with_pending, history);
  const auto pending = error_from([&] { make_plan(pending_status, with_pending, reapply_of({"3"}, true)); });
  REQUIRE(pending);
  CHECK(pending->hint() == "run migrate without --reapply");
}

TEST_CASE("make_plan: a file --reapply names that destroys data waits for allow_destructive") {
  std::vector<MigrationFile> files{file(1), file(2, "new")};
  files[1].content = "SELECT 1;\nTRUNCATE t;\n";
  const std::vector<HistoryRecord> history{record(1), record(2)};
  const auto status = compute_status(files, history);  // 2 is changed
  const auto destructive = [](const MigrationFile& f) -> std::optional<cora::DestructiveStatement> {
    if (f.content.find("TRUNCATE") == std::string::npos) return std::nullopt;
    return cora::DestructiveStatement{2, "TRUNCATE"};
  };
  for (const bool all_changed : {false, true}) {
    CAPTURE(all_changed);
    auto options = all_changed ? reapply_of({}, false) : reapply_of({"2"}, false);
    options.reapply.all_changed = all_changed;
    options.destructive_statement = destructive;
    const Plan held = make_plan(status, files, options);
    CHECK(held.to_apply.empty());
    REQUIRE(held.blockers.size() == 1);
    CHECK(held.blockers[0].entry.version == 2);
    REQUIRE(held.blockers[0].destructive);
    CHECK(held.blockers[0].destructive->text() == "line 2: TRUNCATE");
    CHECK(held.blockers[0].requested);
    options.allow_destructive = true;
    CHECK(versions(make_plan(status, files, options).to_apply) == std::vector<std::int64_t>{2});
  }
  // --force of an applied, unchanged file: the same.
  const std::vector<HistoryRecord> unchanged{record(1), record(2, "new")};
  auto forced = reapply_of({"2"}, true);
  forced.destructive_statement = destructive;
  const Plan held = make_plan(compute_status(files, unchanged), files, forced);
  CHECK(held.to_apply.empty());
  REQUIRE(held.blockers.size() == 1);
  CHECK(held.blockers[0].requested);
  // A file nobody asked to run again is not held for what it would do.
  forced.reapply.selectors = {"1"};
  const Plan other = make_plan(compute_status(files, unchanged), files, forced);
  CHECK(other.blockers.empty());
  CHECK(versions(other.to_apply) == std::vector<std::int64_t>{1});
}
