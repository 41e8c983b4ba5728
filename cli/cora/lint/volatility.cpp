#include "cora/lint/volatility.hpp"

#include <algorithm>

#include "cora/sql/names.hpp"

namespace cora::lint {

const std::vector<std::string_view>& volatile_catalog_functions() {
  static const std::vector<std::string_view> names{"clock_timestamp", "timeofday", "random", "random_normal",
                                                   "gen_random_uuid", "uuidv4",    "uuidv7", "nextval",
                                                   "currval",         "lastval",   "setval", "set_config"};
  return names;
}

const std::vector<std::string_view>& volatile_extension_functions() {
  static const std::vector<std::string_view> names{"uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
                                                   "gen_random_bytes", "gen_salt"};
  return names;
}

namespace {

bool listed(const std::vector<std::string_view>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_volatile_call(const nlohmann::json& call, const SchemaState& state) {
  const auto parts = string_list(call.value("funcname", nlohmann::json::array()));
  if (parts.empty()) return false;
  const bool schema_given = parts.size() > 1;
  const QualifiedName name = list_name(call.value("funcname", nlohmann::json::array()));
  if (const auto defined = state.defined_function_volatile(name, schema_given)) return *defined;
  if (listed(volatile_extension_functions(), name.name)) return true;
  return (!schema_given || name.schema == "pg_catalog") && listed(volatile_catalog_functions(), name.name);
}

}  // namespace

std::optional<VolatileCall> first_volatile_call(const nlohmann::json& expression, const SchemaState& state) {
  std::optional<VolatileCall> found;
  for_each_node(expression, "FuncCall", [&](const nlohmann::json& call) {
    if (!found && is_volatile_call(call, state)) {
      const auto parts = string_list(call.value("funcname", nlohmann::json::array()));
      std::string name;
      for (std::size_t i = 0; i < parts.size(); ++i) name += (i ? "." : "") + parts[i];
      found = VolatileCall{name + "()", &call};
    }
  });
  return found;
}

}  // namespace cora::lint
