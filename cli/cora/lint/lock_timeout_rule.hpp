#pragma once
// missing_lock_timeout: a statement that takes a lock blocking other sessions on a table that
// already exists, in a migration that runs with no lock_timeout at all. Waiting for that lock
// behind one long query, the statement makes every later query on the table queue behind it.
//
// cora-migrate sets lock_timeout for every migration ([timeouts] lock_timeout, 10s by default,
// or the file's `-- cora-migrate: lock_timeout=` directive), so this fires only when the
// configured default is "0" and the file neither has the directive nor runs SET lock_timeout
// before the statement.

#include <chrono>
#include <optional>
#include <string>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"
#include "cora/lint/schema_state.hpp"

namespace cora::lint {

// What `statement` locks against other sessions' writes (or reads), described for people, e.g.
// "table public.orgs"; nullopt when it takes no such lock on something that already exists.
std::optional<std::string> strong_lock_target(const LintStatement& statement, const SchemaState& state);

// SET [LOCAL] lock_timeout = ... (any value: the author chose it).
bool sets_lock_timeout(const LintStatement& statement);

// True when the file runs with no lock_timeout unless it sets one itself.
bool runs_without_lock_timeout(const LintFile& file, std::chrono::milliseconds configured_default);

Finding missing_lock_timeout(const LintFile& file, const LintStatement& statement, const std::string& target);

}  // namespace cora::lint
