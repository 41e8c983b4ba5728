#pragma once
#include <string>

namespace cora {

// The connection string (URL or key=value form) with any password replaced by "***", safe to
// print. A string libpq cannot parse is shown only as "<unparseable connection string>", since
// we cannot tell where a password would be.
std::string redact_conninfo(const std::string& conninfo);

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string redact_secret(std::string text, const std::string& secret);

// An error libpq gave for `conninfo`, with `password` (the one libpq read) hidden, and also
// whatever stands where a password is written in `conninfo` itself: libpq's parse errors quote
// the offending part (a bad percent-encoding, a whole URL with a broken IPv6 address) of a
// string it could not parse, when it cannot tell us which password it read.
std::string redact_connection_error(std::string message, const std::string& conninfo, const std::string& password);

}  // namespace cora
