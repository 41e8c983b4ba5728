#include "commands/migrate_json.hpp"

#include <cstdio>

#include "commands/json_document.hpp"

namespace cora::cli {

namespace {

nlohmann::json file_json(const MigrationFile& file, const std::string& state) {
  auto entry = migration_file_json(file);
  entry["state"] = state;
  entry["reapplied"] = false;
  entry["duration_ms"] = nullptr;
  entry["error"] = nullptr;
  return entry;
}

nlohmann::json summary_of(const nlohmann::json& migrations, std::chrono::milliseconds elapsed) {
  nlohmann::json summary{
      {"total", migrations.size()},    {"applied", 0}, {"failed", 0}, {"not_run", 0}, {"skipped", 0}, {"pending", 0},
      {"duration_ms", elapsed.count()}};
  for (const auto& m : migrations) {
    auto& count = summary[m["state"].get<std::string>()];
    count = count.get<int>() + 1;
  }
  return summary;
}

bool names_file(const FailureReport& failure, const MigrationFile& file) {
  return failure.site && !failure.site->file.empty() && failure.site->file == file.path.string();
}

}  // namespace

void MigrateRecorder::starting(const MigrationFile& file, std::size_t /*index*/, std::size_t /*total*/) {
  started_[&file] = std::chrono::steady_clock::now();
}

void MigrateRecorder::notice(const MigrationFile& file, const std::string& message) {
  // stdout is the document: the server's warnings go to stderr, as without --format json.
  if (message.rfind("NOTICE", 0) == 0) return;
  std::fprintf(stderr, "%s: %s\n", file.file_name.c_str(), message.c_str());
}

void MigrateRecorder::applied(const MigrationFile& file, bool reapplied, std::chrono::milliseconds elapsed) {
  outcomes_[&file] = {"applied", reapplied, elapsed};
}

void MigrateRecorder::applied_by_other_run(const MigrationFile& file) {
  outcomes_[&file] = {"skipped", false, std::nullopt};
}

void MigrateRecorder::not_run(const MigrationFile& file) { outcomes_[&file] = {"not_run", false, std::nullopt}; }

nlohmann::json MigrateRecorder::document(const PreparedPlan& prepared, const std::string& database,
                                         std::chrono::milliseconds elapsed, const std::optional<FailureReport>& failure,
                                         std::size_t queries) const {
  // Which file the failure belongs to: the one it names, or else the one that was running.
  const MigrationFile* failed = nullptr;
  if (failure) {
    for (const auto& m : prepared.migrations) {
      if (names_file(*failure, *m.file)) failed = m.file;
    }
    for (const auto& m : prepared.migrations) {
      if (!failed && !outcomes_.count(m.file) && started_.count(m.file)) failed = m.file;
    }
  }
  nlohmann::json migrations = nlohmann::json::array();
  const auto now = std::chrono::steady_clock::now();
  for (const auto& m : prepared.migrations) {
    const auto outcome = outcomes_.find(m.file);
    auto entry = file_json(*m.file, outcome != outcomes_.end() ? outcome->second.state
                                    : m.file == failed         ? "failed"
                                                               : "not_run");
    if (outcome != outcomes_.end()) {
      entry["reapplied"] = outcome->second.reapplied;
      if (outcome->second.duration) entry["duration_ms"] = outcome->second.duration->count();
    } else if (m.file == failed) {
      if (const auto start = started_.find(m.file); start != started_.end()) {
        entry["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(now - start->second).count();
      }
      entry["error"] = failure_json(*failure);
    }
    migrations.push_back(std::move(entry));
  }
  auto doc = command_document("migrate", database);
  doc["dry_run"] = false;
  doc["queries"] = queries;
  doc["summary"] = summary_of(migrations, elapsed);
  doc["migrations"] = std::move(migrations);
  doc["error"] = failure ? failure_json(*failure) : nlohmann::json(nullptr);
  return doc;
}

nlohmann::json dry_run_document(const PreparedPlan& prepared, const std::string& database, std::size_t queries) {
  nlohmann::json migrations = nlohmann::json::array();
  for (const auto& m : prepared.migrations) {
    auto entry = file_json(*m.file, "pending");
    entry["reapplied"] = m.replaces_checksum.has_value();
    migrations.push_back(std::move(entry));
  }
  auto doc = command_document("migrate", database);
  doc["dry_run"] = true;
  doc["queries"] = queries;
  doc["summary"] = summary_of(migrations, std::chrono::milliseconds(0));
  doc["migrations"] = std::move(migrations);
  doc["error"] = nullptr;
  return doc;
}

}  // namespace cora::cli
