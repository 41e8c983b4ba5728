#pragma once
// A connection string (URL or key=value) as libpq reads it, without connecting.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

struct ConninfoOption {
  std::string keyword;
  std::optional<std::string> value;  // nullopt: the string does not set it
  bool secret = false;               // libpq's secret options: password, sslpassword, ...
};

// Every option libpq knows, with the values `conninfo` sets (no defaults applied); nullopt
// when libpq cannot parse it.
std::optional<std::vector<ConninfoOption>> parse_conninfo(const std::string& conninfo);

// Whether libpq reads `conninfo` as a URL: it begins with postgresql:// or postgres://.
bool is_libpq_url(std::string_view conninfo);

// `value` as a key=value connection string writes it: in single quotes, with ' and \ escaped.
std::string quote_conninfo_value(const std::string& value);

}  // namespace cora
