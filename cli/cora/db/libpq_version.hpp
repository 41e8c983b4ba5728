#pragma once
// The libpq this process runs with; defined beside the connection, the one place that includes libpq.

#include <string>

namespace cora {

// E.g. "15.5" (PQlibVersion: the loaded library's, not the headers').
std::string libpq_version();

}  // namespace cora
