#include "cora/db/sql_text.hpp"

#include <algorithm>

namespace cora {

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string quote_identifier_if_needed(const std::string& name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }) && !(name[0] >= '0' && name[0] <= '9');
  return plain ? name : quote_identifier(name);
}

std::string quote_qualified(const std::string& dotted) {
  const auto dot = dotted.find('.');
  if (dot == std::string::npos) return quote_identifier(dotted);
  return quote_identifier(dotted.substr(0, dot)) + "." + quote_identifier(dotted.substr(dot + 1));
}

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string text_array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? "," : "") + std::string("\"");
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out += "\"";
  }
  return out + "}";
}

}  // namespace cora
