#pragma once
#include <string>

namespace cora {

// The connection string (URL or key=value form) with any password replaced by "***", safe to
// print. A string libpq cannot parse is shown only as "<unparseable connection string>", since
// we cannot tell where a password would be.
std::string redact_conninfo(const std::string& conninfo);

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string redact_secret(std::string text, const std::string& secret);

}  // namespace cora
