#pragma once

namespace cora {

// The version of cora-migrate, as recorded in every history row.
const char* tool_version();

// The commit it was built from ("19c2139a8f0e", "...-dirty", or "unknown").
const char* git_revision();

}  // namespace cora
