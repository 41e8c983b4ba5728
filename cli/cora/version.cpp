#include "cora/version.hpp"

namespace cora {

const char* tool_version() { return CORA_VERSION; }

}  // namespace cora
