#pragma once
// Hiding passwords in text we print. Pure string work: showing a whole connection string
// safely needs libpq's parser, so that lives in the db layer (db/redact_conninfo.hpp).

#include <string>

namespace cora {

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string redact_secret(std::string text, const std::string& secret);

// An error libpq gave for `conninfo`, with `password` (the one libpq read) hidden, and also
// whatever stands where a password is written in `conninfo` itself: libpq's parse errors quote
// the offending part (a bad percent-encoding, a whole URL with a broken IPv6 address) of a
// string it could not parse, when it cannot tell us which password it read.
std::string redact_connection_error(std::string message, const std::string& conninfo, const std::string& password);

// `text` with every password written in it hidden: the user info of URL-shaped parts and the
// values of password keywords, raw and percent-decoded. For messages that quote input which
// failed to parse (a command line, a .env line), where a connection string may stand anywhere.
std::string redact_passwords(const std::string& text);

// "%40" -> "@"; a '%' not followed by two hex digits is kept as it is.
std::string percent_decode(const std::string& s);

}  // namespace cora
