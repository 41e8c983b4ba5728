#pragma once
// copy_to_stdout: `COPY … TO STDOUT` in a migration sends its rows to cora-migrate, which drops
// them (as it drops a SELECT's rows): the statement costs a table scan and leaves nothing. What
// was meant is usually `COPY … TO 'file'` on the server, or nothing at all. (`COPY … FROM STDIN`
// needs psql to feed it rows: migrate and lint refuse that file, exit 4.)

#include <optional>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"

namespace cora::lint {

std::optional<Finding> copy_to_stdout(const LintFile& file, const LintStatement& statement);

}  // namespace cora::lint
