#pragma once
// `migrate --dry-run --format sql`: what migrate would send, as a script psql can run
// (`psql -f` or a pipe): the values of our own statements written as literals, each transactional
// file between BEGIN and COMMIT, psql told to stop at the first error.

#include <string>
#include <vector>

#include "cora/db/connection.hpp"
#include "cora/migrate/migrator.hpp"

namespace cora::cli {

// `sql` with each $N replaced by params[N-1] as a SQL literal (E'...', or NULL). Only for our
// own statements, which hold no $ but their placeholders and $tag$ quotes.
std::string with_literal_params(const std::string& sql, const std::vector<Param>& params);

std::string dry_run_script(const Migrator& migrator, const PreparedPlan& prepared, const std::string& target);

}  // namespace cora::cli
