#pragma once
// verify's check of the backend's calls ([app]) against the live catalog: one outcome per
// finding, named lint:app_*, at the Python file's line.

#include <optional>
#include <vector>

#include "cora/app/check_app_calls.hpp"
#include "cora/checks/outcome.hpp"
#include "cora/config/settings.hpp"
#include "cora/db/connection.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

// The backend's calls checked against the database; nullopt when [app] names no Python file.
// Prints the count of files, calls and calls not checked on stderr (unless --quiet).
std::optional<app::AppCheckReport> live_app_check(Connection& db, const Settings& settings, const Project* project);

// Nothing when [app] names no Python file. `project` (may be null) says where each object is
// defined and which modules' backend/ folders to read.
std::vector<CheckOutcome> app_call_outcomes(Connection& db, const Settings& settings, const Project* project);

}  // namespace cora::cli
