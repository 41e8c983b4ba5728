#pragma once
// `migrate --dry-run --format sql`: what migrate would send, as a script psql can run
// (`psql -f` or a pipe): the values of our own statements written as literals, each transactional
// file between BEGIN and COMMIT, psql told to stop at the first error. Without --verbose the
// tool's own plumbing (history set-up, session resets) is folded into comments.

#include <string>
#include <vector>

#include "cora/db/connection.hpp"
#include "cora/migrate/migrator.hpp"

namespace cora::cli {

// `sql` with each $N replaced by params[N-1] as a SQL literal (E'...', or NULL). Only for our
// own statements, which hold no $ but their placeholders and $tag$ quotes.
std::string with_literal_params(const std::string& sql, const std::vector<Param>& params);

// `verbose`: every statement migrate sends. Otherwise the reviewer's view: each file's SQL with
// its transaction boundaries and history writes; the history table's set-up and each file's
// session reset are one comment line each.
std::string dry_run_script(const Migrator& migrator, const PreparedPlan& prepared, const std::string& target,
                           bool verbose);

}  // namespace cora::cli
