#pragma once
// What verify adds for a project with modules: which module creates what a function body names
// (and whether this database runs that module), and the files' undeclared_module_dependency lint.

#include <optional>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/db/history_table.hpp"
#include "cora/project/project.hpp"
#include "cora/verify/object_origins.hpp"
#include "cora/checks/outcome.hpp"

namespace cora::cli {

// Every module's files (disabled ones' too), with the modules `history` shows installed.
// nullopt for a project without modules.
std::optional<ObjectOrigins> module_origins(const HistoryState& history, const Project& project);

// undeclared_module_dependency over the project's files, as verify outcomes (kind
// "lint:undeclared_module_dependency", the using file as origin); none when [lints] turns it off.
std::vector<CheckOutcome> module_dependency_outcomes(const Settings& settings, const Project& project);

}  // namespace cora::cli
