#pragma once
// The rules about one statement on one table: create_index_concurrently,
// not_null_without_default, volatile_default, drop_column and drop_table. A table created earlier
// in the same deployment unit (SchemaState::new_tables) is exempt: it holds no rows yet.

#include <vector>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"
#include "cora/lint/schema_state.hpp"

namespace cora::lint {

// Findings for `statement`, judged against the state just before it.
std::vector<Finding> check_table_rules(const LintFile& file, const LintStatement& statement, const SchemaState& state);

}  // namespace cora::lint
