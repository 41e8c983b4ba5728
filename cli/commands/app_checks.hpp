#pragma once
// verify's check of the backend's calls ([app]) against the live catalog: one outcome per
// finding, named lint:app_*, at the Python file's line.

#include <vector>

#include "cora/checks/outcome.hpp"
#include "cora/config/settings.hpp"
#include "cora/db/connection.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

// Nothing when [app] names no Python file. `project` (may be null) says where each object is
// defined and which modules' backend/ folders to read.
std::vector<CheckOutcome> app_call_outcomes(Connection& db, const Settings& settings, const Project* project);

}  // namespace cora::cli
