#pragma once
#include <string>

namespace cora {

// The connection string (URL or key=value form) with any password replaced by "***", safe to
// print. A string libpq cannot parse is shown only as "<unparseable connection string>", and a
// mistyped one (db/conninfo_check.hpp) as "<mistyped connection string>", since we cannot tell
// where a password would be.
std::string redact_conninfo(const std::string& conninfo);

}  // namespace cora
