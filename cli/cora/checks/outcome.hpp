#pragma once
// What verify found, check by check: for people, JSON, JUnit and GitHub annotations alike.

#include <optional>
#include <string>
#include <vector>

#include "cora/checks/check_model.hpp"

namespace cora {

enum class Severity { error, warning };

inline const char* to_string(Severity s) { return s == Severity::error ? "error" : "warning"; }

struct Finding {
  Severity severity = Severity::error;
  std::string expected;
  std::string found;
  std::string fix;
  // The object is created by a module this database does not run (missing or disabled): not
  // drift, so the finding does not point at `diff`.
  bool module_not_installed = false;
};

// Where, in the migration files, the object a check or lint speaks about was last created or
// altered (ObjectSources::last_change).
struct ObjectOrigin {
  std::string module;  // "" in a project without modules
  std::string file;    // the file's path as read; empty when no file creates or alters the object
  int line = 0;
  // The statement that defines the object (its latest CREATE), as `diff` names it ("defined at"):
  // the same as file:line unless a later statement altered it; empty when no definition is known.
  std::string defined_file;
  int defined_line = 0;
  // What running the file again takes, for the fix verify prints (fix_advice).
  std::string selector;     // how `migrate --reapply` names the file ("7", "module-access:007-x")
  bool snapshot = false;    // a module's schema/ file: migrate runs it again when it changes
  bool rerunnable = false;  // its header says rerunnable=true
  bool recreates = false;   // running it again re-creates the object (CREATE OR REPLACE ...)
  bool pending = false;     // the history shows it has not run on this database
  bool dirty = false;       // it stopped part-way (transaction=false) and waits for repair
  bool in_modules = false;  // the project has modules: a new migration needs --module

  bool from_files() const { return !file.empty(); }
};

struct CheckOutcome {
  std::string kind;     // table, index, policy, function, role, probe, or lint:<name>
  std::string subject;  // what was checked, e.g. "public.user_sessions"
  CheckOrigin origin;   // the check's file and line; empty file for built-in lints
  std::vector<Finding> findings;
  // Built-in lints: the reason the object's COMMENT gave for silencing this rule, when it did
  // (the findings are then dropped).
  std::string silenced = {};
  // Set for a table, view, index, policy or function when the migration files could be read.
  std::optional<ObjectOrigin> source = {};

  bool passed() const { return findings.empty(); }
  // An error fails the run; an outcome with warnings only is reported, not failed.
  bool failed() const {
    for (const auto& f : findings) {
      if (f.severity == Severity::error) return true;
    }
    return false;
  }
};

}  // namespace cora
