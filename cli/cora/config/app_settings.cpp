#include "cora/config/app_settings.hpp"

#include <algorithm>

namespace cora {

namespace {

AppHelper app_helper(const char* name, AppAccess access, std::vector<AppArgument> arguments) {
  return {name, access, std::move(arguments)};
}

std::optional<AppArgumentRole> parse_role(const std::string& text) {
  if (text == "function") return AppArgumentRole::function;
  if (text == "table") return AppArgumentRole::table;
  if (text == "params") return AppArgumentRole::params;
  if (text == "filters") return AppArgumentRole::filters;
  if (text == "data") return AppArgumentRole::data;
  if (text == "operation") return AppArgumentRole::operation;
  if (text == "ignored") return AppArgumentRole::ignored;
  return std::nullopt;
}

bool is_python_identifier(const std::string& text) {
  if (text.empty() || (text[0] >= '0' && text[0] <= '9')) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

// The CORA toolkit's data API (its org_common layer): rpc(function_name, params),
// find_one/find_many(table, filters), insert_one(table, data), update_one/update_many(table,
// filters, data), delete_one/delete_many(table, filters),
// execute_query(table, operation, user_jwt, filters, data) and supabase-py's client.table(name).
std::vector<AppHelper> AppSettings::default_app_helpers_list() {
  using R = AppArgumentRole;
  using A = AppAccess;
  const AppArgument table{"table", R::table};
  const AppArgument filters{"filters", R::filters};
  const AppArgument data{"data", R::data};
  return {
      app_helper("rpc", A::execute, {{"function_name", R::function}, {"params", R::params}}),
      app_helper("find_one", A::select, {table, filters}),
      app_helper("find_many", A::select, {table, filters}),
      app_helper("insert_one", A::insert, {table, data}),
      app_helper("update_one", A::update, {table, filters, data}),
      app_helper("update_many", A::update, {table, filters, data}),
      app_helper("delete_one", A::delete_, {table, filters}),
      app_helper("delete_many", A::delete_, {table, filters}),
      app_helper("execute_query", A::by_operation,
                 {table, {"operation", R::operation}, {"user_jwt", R::ignored}, filters, data}),
      app_helper("table", A::by_chain, {table}),
  };
}

std::optional<AppArgument> parse_app_argument(const std::string& text, std::string& error) {
  const auto colon = text.find(':');
  AppArgument argument;
  argument.name = text.substr(0, colon);
  if (!is_python_identifier(argument.name)) {
    error = "\"" + text + "\": a parameter name must be a Python identifier";
    return std::nullopt;
  }
  const std::string role = colon == std::string::npos ? argument.name : text.substr(colon + 1);
  const auto parsed = parse_role(role);
  if (!parsed && colon != std::string::npos) {
    error = "\"" + text + "\": unknown role \"" + role +
            "\" (roles: function, table, params, filters, data, operation, ignored)";
    return std::nullopt;
  }
  argument.role = parsed.value_or(AppArgumentRole::ignored);
  return argument;
}

std::optional<AppAccess> parse_app_access(const std::string& text) {
  if (text == "execute") return AppAccess::execute;
  if (text == "select") return AppAccess::select;
  if (text == "insert") return AppAccess::insert;
  if (text == "update") return AppAccess::update;
  if (text == "delete") return AppAccess::delete_;
  if (text == "operation") return AppAccess::by_operation;
  if (text == "chain") return AppAccess::by_chain;
  return std::nullopt;
}

const char* to_string(AppAccess access) {
  switch (access) {
    case AppAccess::execute: return "execute";
    case AppAccess::select: return "select";
    case AppAccess::insert: return "insert";
    case AppAccess::update: return "update";
    case AppAccess::delete_: return "delete";
    case AppAccess::by_operation: return "operation";
    case AppAccess::by_chain: return "chain";
  }
  return "select";
}

const char* to_string(AppArgumentRole role) {
  switch (role) {
    case AppArgumentRole::ignored: return "ignored";
    case AppArgumentRole::function: return "function";
    case AppArgumentRole::table: return "table";
    case AppArgumentRole::params: return "params";
    case AppArgumentRole::filters: return "filters";
    case AppArgumentRole::data: return "data";
    case AppArgumentRole::operation: return "operation";
  }
  return "ignored";
}

std::string app_helper_problem(const AppHelper& helper) {
  const auto count = [&](AppArgumentRole role) {
    return std::count_if(helper.arguments.begin(), helper.arguments.end(),
                         [&](const AppArgument& a) { return a.role == role; });
  };
  const bool calls_function = helper.access == AppAccess::execute;
  const auto names = count(calls_function ? AppArgumentRole::function : AppArgumentRole::table);
  if (names != 1) {
    return calls_function ? "access \"execute\" needs exactly one argument with the role function"
                          : "needs exactly one argument with the role table";
  }
  if (calls_function &&
      (count(AppArgumentRole::table) || count(AppArgumentRole::filters) || count(AppArgumentRole::data)))
    return "access \"execute\" takes function and params, not table, filters or data";
  if (!calls_function && (count(AppArgumentRole::function) || count(AppArgumentRole::params)))
    return "only access \"execute\" takes function and params";
  if ((helper.access == AppAccess::by_operation) != (count(AppArgumentRole::operation) == 1))
    return "access \"operation\" goes with exactly one argument with the role operation";
  for (std::size_t i = 0; i < helper.arguments.size(); ++i) {
    for (std::size_t j = i + 1; j < helper.arguments.size(); ++j) {
      if (helper.arguments[i].name == helper.arguments[j].name)
        return "names \"" + helper.arguments[i].name + "\" twice";
    }
  }
  return "";
}

}  // namespace cora
