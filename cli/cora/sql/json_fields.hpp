#pragma once
// Fields of a libpg_query JSON node, with a fallback when absent or of another type.

#include <nlohmann/json.hpp>
#include <string>

namespace cora::body {

inline int int_field(const nlohmann::json& object, const char* key, int fallback) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->get<int>();
}

inline std::string string_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

inline bool bool_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace cora::body
