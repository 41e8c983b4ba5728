#pragma once
// `migrate --format json`: what the run did to each file of its plan, collected as it goes and
// printed as one document at the end, also when the run stops at a failure.

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "commands/failure_report.hpp"
#include "cora/migrate/migrator.hpp"

namespace cora::cli {

class MigrateRecorder : public MigrateObserver {
 public:
  void starting(const MigrationFile& file, std::size_t index, std::size_t total) override;
  void notice(const MigrationFile& file, const std::string& message) override;
  void applied(const MigrationFile& file, bool reapplied, std::chrono::milliseconds elapsed) override;
  void applied_by_other_run(const MigrationFile& file) override;
  void not_run(const MigrationFile& file) override;

  // {"command": "migrate", "database", "dry_run": false, "queries", "migrations": [{"module",
  // "version", "name", "file", "state" (applied / failed / not_run / skipped), "reapplied",
  // "duration_ms", "error"}], "summary", "error"}. The file `failure` names (or else the one that
  // was running) failed; the others this run did not apply were not run. `queries`: the round
  // trips the run made to the database after connecting.
  nlohmann::json document(const PreparedPlan& prepared, const std::string& database, std::chrono::milliseconds elapsed,
                          const std::optional<FailureReport>& failure, std::size_t queries) const;

 private:
  struct Outcome {
    std::string state;
    bool reapplied = false;
    std::optional<std::chrono::milliseconds> duration;
  };
  std::map<const MigrationFile*, Outcome> outcomes_;
  std::map<const MigrationFile*, std::chrono::steady_clock::time_point> started_;
};

// The same document for --dry-run: every file of the plan with state "pending".
nlohmann::json dry_run_document(const PreparedPlan& prepared, const std::string& database, std::size_t queries);

}  // namespace cora::cli
