#include "cora/config/env_expand.hpp"

#include <cstdlib>
#include <stdexcept>

namespace cora {

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

std::string expand_variables(const std::string& text, const EnvLookup& lookup) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back('$');
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string::npos) {
      throw std::invalid_argument("has an unclosed \"${\"; write ${NAME}, or $$ for a literal $");
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    if (name.empty()) throw std::invalid_argument("has an empty \"${}\"");
    const auto value = lookup(name);
    if (!value) {
      throw std::invalid_argument("uses ${" + name + "}, which is not set in the environment; export " + name +
                                  " or change the setting");
    }
    out += *value;
    i = close;
  }
  return out;
}

}  // namespace cora
