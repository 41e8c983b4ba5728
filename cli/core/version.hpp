#pragma once

namespace cora {

// The version of cora-migrate, as recorded in every history row.
const char* tool_version();

}  // namespace cora
