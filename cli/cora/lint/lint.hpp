#pragma once
// The offline lint of migration files: files in, findings out. No database.
//
// Files are read in version order, as migrate applies them. A "deployment unit" is what runs
// against a database in one go: for `cora-migrate lint`, each file on its own (any earlier file
// may have been applied long ago, so its tables may hold data); inside `migrate`, the files it is
// about to apply together. A table created earlier in the same unit is new, hence empty: the
// table rules leave it alone.

#include <chrono>
#include <vector>

#include "cora/config/lint_rules.hpp"
#include "cora/lint/finding.hpp"
#include "cora/lint/module_dependency_rule.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora::lint {

enum class FileRole {
  check,    // reported on
  context,  // already applied: read for what it creates and defines, never reported on
};

struct LintInput {
  const MigrationFile* file = nullptr;
  FileRole role = FileRole::check;
  // Runs again on a database that has what it creates (migrate re-applying it): checked for
  // re-run hazards (rerun_rules.hpp), as schema/ snapshots and `rerunnable=true` files always are.
  bool runs_again = false;
};

struct LintOptions {
  // False (lint): each file is a unit. True (migrate): consecutive checked files are one unit.
  bool checked_files_run_together = false;
  // Check each checked file as migrate does before applying it (syntax, directives, BEGIN,
  // COPY FROM STDIN); migrate has done so already and passes false.
  bool validate = true;
  // [timeouts] lock_timeout: what a file without a lock_timeout directive runs with.
  std::chrono::milliseconds default_lock_timeout{10'000};
  // A project with modules: each module's dependency closure, for undeclared_module_dependency
  // (empty: the rule does not run), and the severity [lints] gives that rule.
  ModuleClosures module_closures;
  // The same with the creation-time needs the order inferred: advice that would close a cycle in
  // it is never given.
  ModuleClosures module_order_closures;
  Severity module_dependency_severity = Severity::warning;
  // [lints]: a rule switched off reports nothing; one re-graded reports at its level.
  LintLevels levels;
  // False when [target] kind = "postgres": the rules marked `supabase` do not run.
  bool supabase_rules = true;
};

// `files` in version order.
LintReport lint_migrations(const std::vector<LintInput>& files, const LintOptions& options);

}  // namespace cora::lint
