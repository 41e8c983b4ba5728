#pragma once
// The one error type of cora-migrate: deeper code throws it, only main() prints it.

#include <optional>
#include <stdexcept>
#include <string>

namespace cora {

// Process exit codes. A public contract: documented in README.md, tested by running the binary.
enum class ExitCode : int {
  ok = 0,
  internal = 1,           // a bug or an unexpected failure
  usage = 2,              // bad command line
  config = 3,             // cora-migrate.toml or a setting is wrong
  migration_files = 4,    // a file in migrations/ is malformed (name, duplicate, empty, SQL syntax)
  connection = 5,         // the database cannot be reached or refuses us
  migration_failed = 6,   // PostgreSQL rejected a migration; it was rolled back
  lock_timeout = 7,       // another run held the migration lock for longer than lock_wait
  history_conflict = 8,   // changed, missing or dirty migrations block migrate
  local_cluster = 9,      // the embedded PostgreSQL could not be created or started
  pending = 10,           // status --exit-code: migrations are pending or changed
  findings = 11,          // verify found schema problems
  checklist_failed = 12,  // checklist: an automatic, scenario or evidence item failed (or, --strict, one is unticked)
  lint_warnings = 13,     // lint (or migrate --strict-lint) found warnings in migration files
  version_conflict = 14,  // a version is recorded as applied from a different file (two branches chose one number)
  drift = 15,             // diff (or status --drift) found the database differs from what the files define
  foreign_history = 16,   // the Supabase CLI migrated this database and cora-migrate's history is empty: adopt --from-supabase
  interrupted = 130,      // stopped by SIGINT/SIGTERM after rolling back
};

inline int to_int(ExitCode code) { return static_cast<int>(code); }

// Where a migration failed, field by field, for machine output (the message says it for people).
struct ErrorSite {
  std::string file;      // the file's path as given
  int line = 0;          // 1-based; 0 when unknown
  int column = 0;        // 1-based; 0 when unknown
  std::string sqlstate;  // the server's code; empty when the server did not refuse anything
};

// what(): one line naming the file/line or setting concerned; hint(): what to do about it.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}

  ExitCode code() const noexcept { return code_; }
  const std::string& hint() const noexcept { return hint_; }
  const std::optional<ErrorSite>& site() const noexcept { return site_; }
  // `throw Error(...).at({file, line, column, sqlstate})`
  Error& at(ErrorSite site) {
    site_ = std::move(site);
    return *this;
  }

 private:
  ExitCode code_;
  std::string hint_;
  std::optional<ErrorSite> site_;
};

}  // namespace cora
