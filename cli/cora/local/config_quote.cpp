#include "cora/local/config_quote.hpp"

namespace cora {

std::string quote_config_value(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    switch (c) {
      case '\'': out += "''"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "'";
}

}  // namespace cora
