#pragma once
// Recognising text shaped like a URL (scheme:, scheme:/, scheme://, whatever the scheme), so
// that a mistyped connection string can be refused, and its password hidden, although libpq
// would not read it as a URL.

#include <string>
#include <string_view>
#include <vector>

namespace cora {

// The scheme `text` begins with, followed by ':' ("postgresql" for "postgresql:/x", "app" for
// "app:pw@host"); empty when there is none. A scheme is a letter, then letters, digits, '+',
// '-' or '.'.
std::string_view leading_scheme(std::string_view text);

// Whether a single value (a dbname, a host, ...) looks like a URL: a scheme followed by '/' or
// by user info (an '@' further on), or "://" anywhere.
bool looks_like_url(std::string_view value);

// What may be a password in user info (user:password@) of every URL-shaped part of `text`,
// whatever its scheme and slashes, up to each '@' after it (a raw '@' in a password is a
// common mistake). Raw, as written in `text`.
std::vector<std::string> userinfo_passwords(std::string_view text);

}  // namespace cora
