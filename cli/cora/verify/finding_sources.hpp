#pragma once
// Each finding points at the file that made its object: the migration (module, file, line) of
// the last statement that created or altered the table, view, index, policy or function a check
// or lint speaks about, from the parsed files (diff's ObjectSources). An object no file creates
// was made outside the migrations: drift, which `diff` lists.

#include <string>
#include <vector>

#include "cora/diff/object_sources.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

// Sets `source` on every outcome whose subject is such an object: checks of kind table, index,
// policy and function, and lints whose rule names a subject kind (lint_rules.hpp). Probes,
// roles and lints about no object are left alone.
void attribute_outcomes(std::vector<CheckOutcome>& outcomes, const ObjectSources& sources);

// "migrations/007-x.sql:12", with "MODULE: " before it in a project with modules.
std::string describe_origin(const ObjectOrigin& origin);

// What the reports say about an object no migration file creates.
std::string no_file_creates(const std::string& subject);

}  // namespace cora
