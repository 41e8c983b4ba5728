#include "cora/config/toml_reader.hpp"

#include <fmt/format.h>

#include <vector>

#include "cora/util/nearest_name.hpp"

namespace cora {

toml::table TomlReader::parse(const std::string& text) const {
  try {
    return toml::parse(text, file_name_);
  } catch (const toml::parse_error& e) {
    throw Error(code_, std::string(e.description()), "fix the TOML syntax")
        .at({file_name_, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)});
  }
}

void TomlReader::fail(const toml::node& node, const std::string& key, const std::string& what) const {
  throw Error(code_, fmt::format("{}: {}", key, what)).at({file_name_, line_of(node)});
}

void TomlReader::reject_unknown_keys(const toml::table& table, const std::string& prefix,
                                     std::initializer_list<const char*> known) const {
  for (const auto& [key, node] : table) {
    bool is_known = false;
    for (const char* k : known) is_known = is_known || key.str() == k;
    if (!is_known) {
      std::string list;
      std::vector<std::string> names;
      for (const char* k : known) {
        list += (list.empty() ? "" : ", ") + std::string(k);
        names.emplace_back(k);
      }
      fail(node, prefix + std::string(key.str()),
           "unknown key (" + did_you_mean(key.str(), names) + "known here: " + list + ")");
    }
  }
}

std::string TomlReader::type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

std::optional<std::string> TomlReader::optional_string(const toml::table& table, const char* key,
                                                       const std::string& prefix) const {
  const toml::node* node = table.get(key);
  if (!node) return std::nullopt;
  const auto* value = node->as_string();
  if (!value) fail(*node, prefix + key, fmt::format("must be a string, not {}", type_name(*node)));
  return value->get();
}

std::string TomlReader::required_string(const toml::table& table, const char* key, const std::string& prefix) const {
  auto value = optional_string(table, key, prefix);
  if (!value || value->empty()) fail(table, prefix + key, "is required");
  return *value;
}

std::optional<bool> TomlReader::optional_bool(const toml::table& table, const char* key,
                                              const std::string& prefix) const {
  const toml::node* node = table.get(key);
  if (!node) return std::nullopt;
  const auto* value = node->as_boolean();
  if (!value) fail(*node, prefix + key, fmt::format("must be true or false, not {}", type_name(*node)));
  return value->get();
}

std::optional<std::vector<std::string>> TomlReader::optional_strings(const toml::table& table, const char* key,
                                                                     const std::string& prefix) const {
  const toml::node* node = table.get(key);
  if (!node) return std::nullopt;
  const auto* array = node->as_array();
  if (!array) fail(*node, prefix + key, fmt::format("must be an array of strings, not {}", type_name(*node)));
  std::vector<std::string> out;
  for (const auto& item : *array) {
    const auto* s = item.as_string();
    if (!s) fail(item, prefix + key, fmt::format("must hold only strings, not {}", type_name(item)));
    out.push_back(s->get());
  }
  return out;
}

std::vector<const toml::table*> TomlReader::tables_at(const toml::table& table, const char* key,
                                                      const std::string& prefix) const {
  const toml::node* node = table.get(key);
  if (!node) return {};
  const auto* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    fail(*node, prefix + key, fmt::format("must be written as [[{}]] tables", key));
  }
  std::vector<const toml::table*> out;
  for (const auto& item : *array) out.push_back(item.as_table());
  return out;
}

}  // namespace cora
