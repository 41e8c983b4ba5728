#include "cora/sql/names.hpp"

#include "cora/db/sql_text.hpp"

namespace cora::lint {

QualifiedName relation_name(const nlohmann::json& range_var) {
  const auto& rv = range_var.contains("RangeVar") ? range_var["RangeVar"] : range_var;
  QualifiedName name;
  if (!rv.is_object()) return name;
  const std::string schema = rv.value("schemaname", "");
  if (!schema.empty()) name.schema = schema;
  name.name = rv.value("relname", "");
  return name;
}

std::vector<std::string> string_list(const nlohmann::json& strings) {
  std::vector<std::string> parts;
  const auto& list = strings.is_object() && strings.contains("List")
                         ? strings["List"].value("items", nlohmann::json::array())
                         : strings;
  if (!list.is_array()) return parts;
  for (const auto& item : list) {
    if (item.is_object() && item.contains("String")) parts.push_back(item["String"].value("sval", ""));
  }
  return parts;
}

QualifiedName list_name(const nlohmann::json& strings) {
  const auto parts = string_list(strings);
  QualifiedName name;
  if (parts.empty()) return name;
  name.name = parts.back();
  if (parts.size() > 1) name.schema = parts[parts.size() - 2];
  return name;
}

namespace {

std::size_t array_dimensions(const nlohmann::json& type_name) {
  const auto it = type_name.find("arrayBounds");
  return it != type_name.end() && it->is_array() ? it->size() : 0;
}

}  // namespace

std::string type_sql(const nlohmann::json& type_name) {
  std::string out;
  if (type_name.value("setof", false)) out += "SETOF ";
  const auto parts = string_list(type_name.value("names", nlohmann::json::array()));
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + quote_identifier(parts[i]);
  if (type_name.value("pct_type", false)) out += "%TYPE";
  for (std::size_t i = 0; i < array_dimensions(type_name); ++i) out += "[]";
  return out;
}

std::string type_key(const nlohmann::json& type_name) {
  const auto parts = string_list(type_name.value("names", nlohmann::json::array()));
  std::string out = parts.empty() ? std::string("?") : parts.back();
  for (std::size_t i = 0; i < array_dimensions(type_name); ++i) out += "[]";
  return out;
}

}  // namespace cora::lint
