#pragma once

#include <string>

namespace cora {

// The version of cora-migrate, as recorded in every history row.
const char* tool_version();

// The commit it was built from ("19c2139a8f0e", "...-dirty", or "unknown").
const char* git_revision();

// What `cora-migrate --version` prints: the version and commit, then the versions of libpq and
// libpg_query in use, one per line.
std::string version_report();

}  // namespace cora
