#pragma once
// What verify found, check by check: for people, JSON, JUnit and GitHub annotations alike.

#include <string>
#include <vector>

#include "verify/check_model.hpp"

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

struct CheckOutcome {
  std::string kind;     // table, index, policy, function, role, probe, or lint:<name>
  std::string subject;  // what was checked, e.g. "public.user_sessions"
  CheckOrigin origin;   // the check's file and line; empty file for built-in lints
  std::vector<Finding> findings;
  // Built-in lints: the reason the object's COMMENT gave for silencing this rule, when it did
  // (the findings are then dropped).
  std::string silenced = {};

  bool passed() const { return findings.empty(); }
};

}  // namespace cora
