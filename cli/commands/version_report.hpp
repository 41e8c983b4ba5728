#pragma once
// What `cora-migrate --version` prints. Here, not beside tool_version(), because it names the
// libraries of two layers (libpq from db, libpg_query from sql) and only commands sit above both.

#include <string>

namespace cora::cli {

// The version and commit, then the versions of libpq and libpg_query in use, one per line.
std::string version_report();

}  // namespace cora::cli
