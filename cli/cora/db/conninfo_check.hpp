#pragma once
// Connection strings libpq would read otherwise than their writer meant. libpq takes a string
// that is neither a postgresql:// URL nor key=value pairs as a database name, a raw '@' in a
// URL's password as the start of the host, and a URL given as a value as that value: each time
// sending the password to a server (which logs it) or quoting it in an error. We refuse them
// before anything connects.

#include <optional>
#include <string>

namespace cora {

struct ConninfoMistake {
  std::string what;  // says what is wrong, never quotes the string
  std::string hint;
};

std::optional<ConninfoMistake> find_conninfo_mistake(const std::string& conninfo);

// Throws cora::Error (connection, exit 5) "ORIGIN: WHAT" when `conninfo` is mistyped.
void refuse_mistyped_conninfo(const std::string& conninfo, const std::string& origin);

}  // namespace cora
