#pragma once
// The one error type of cora-migrate: deeper code throws it, only main() prints it.

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

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
  foreign_history =
      16,  // the Supabase CLI migrated this database and cora-migrate's history is empty: adopt --from-supabase
  out_of_memory = 17,  // the process ran out of memory (its limit: ulimit -v, a container's); nothing was applied
  // another run was still applying a transaction=false file this run needs, after lock_wait
  migration_running = 18,
  // migrate applied what could be: some modules could not run here and were skipped (said before the run)
  modules_skipped = 19,
  interrupted = 130,  // stopped by SIGINT/SIGTERM after rolling back
};

inline int to_int(ExitCode code) { return static_cast<int>(code); }

// Where an error is, field by field: what() begins with it for people, machine output gives the
// fields, and callers that need the line or column read them here instead of parsing the text.
struct ErrorSite {
  // `{file}`, `{file, line}`, `{file, line, column}` or all four: what is not known stays unknown.
  ErrorSite(std::string path = {}, int at_line = 0, int at_column = 0, std::string code = {})
      : file(std::move(path)), line(at_line), column(at_column), sqlstate(std::move(code)) {}

  std::string file;      // the file's path as given; empty when the error concerns no file
  int line = 0;          // 1-based; 0 when unknown
  int column = 0;        // 1-based; 0 when unknown
  std::string sqlstate;  // the server's code; empty when the server did not refuse anything
};

// "FILE:LINE:COLUMN: ", "FILE:LINE: " or "FILE: " as far as the site knows; empty without a file.
inline std::string site_prefix(const ErrorSite& site) {
  if (site.file.empty()) return {};
  std::string prefix = site.file;
  if (site.line > 0) {
    prefix += ":" + std::to_string(site.line);
    if (site.column > 0) prefix += ":" + std::to_string(site.column);
  }
  return prefix + ": ";
}

// What a caller tells errors apart by, rather than by the words of the message.
enum class ErrorKind {
  other,
  silence,  // a migration file's ignore=/reason= directive is malformed (the lint's invalid_silence)
};

// what(): one line naming the file/line or setting concerned; hint(): what to do about it.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message, std::string hint = {})
      : std::runtime_error(message),
        code_(code),
        message_(std::move(message)),
        text_(message_),
        hint_(std::move(hint)) {}

  // The site's place, then the message: the one line people read.
  const char* what() const noexcept override { return text_.c_str(); }
  // The message without the place.
  const std::string& message() const noexcept { return message_; }
  ExitCode code() const noexcept { return code_; }
  const std::string& hint() const noexcept { return hint_; }
  const std::optional<ErrorSite>& site() const noexcept { return site_; }
  ErrorKind kind() const noexcept { return kind_; }

  // `throw Error(code, "what is wrong", "hint").at({file, line, column})`: what() says
  // "file:line:column: what is wrong".
  Error& at(ErrorSite site) {
    text_ = site_prefix(site) + message_;
    site_ = std::move(site);
    return *this;
  }
  // The site for machine output only, where the message names the place its own way
  // ("interrupted while applying FILE"): what() stays the message.
  Error& about(ErrorSite site) {
    site_ = std::move(site);
    return *this;
  }
  Error& of_kind(ErrorKind kind) {
    kind_ = kind;
    return *this;
  }

 private:
  ExitCode code_;
  std::string message_;
  std::string text_;
  std::string hint_;
  std::optional<ErrorSite> site_;
  ErrorKind kind_ = ErrorKind::other;
};

}  // namespace cora
