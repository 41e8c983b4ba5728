#pragma once
// [app]: the application code (Python Lambda backends) whose calls into the database `lint` checks
// against the migration files and `verify` against the catalog, and the data API those calls go
// through (docs/app-calls.md).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cora {

// What an argument of a data API helper means.
enum class AppArgumentRole {
  ignored,    // read by the helper, not by the check (user_jwt, order, ...)
  function,   // the name of the function called
  table,      // the name of the table or view used
  params,     // a dict of the function's named parameters
  filters,    // a dict whose keys are columns compared
  data,       // a dict whose keys are columns written
  operation,  // "select", "insert", "update" or "delete": the access the helper makes
};

// The access a helper's call makes, which the role must have.
enum class AppAccess { execute, select, insert, update, delete_, by_operation, by_chain };

struct AppArgument {
  std::string name;  // the helper's parameter name, as keyword arguments spell it
  AppArgumentRole role = AppArgumentRole::ignored;
};

struct AppHelper {
  std::string name;  // the function's (or method's) name, however it is reached: rpc, common.rpc, db.rpc
  AppAccess access = AppAccess::select;
  std::vector<AppArgument> arguments;  // in the helper's positional order
};

struct AppSettings {
  // Globs of Python files (or folders, read whole), relative to base_dir; empty: each module's
  // backend/ folder (the project's backend/ without modules).
  std::vector<std::string> paths;
  std::filesystem::path base_dir;
  std::string role = "service_role";  // the role the backend connects as
  std::string python = "python3";     // the interpreter: a path, or a name looked up in PATH
  std::vector<AppHelper> helpers = default_app_helpers_list();
  std::string origin;  // "cora-migrate.toml:12" of [app], "" when the defaults apply

  static std::vector<AppHelper> default_app_helpers_list();
};

// "function_name:function" / "params": an entry of [app.helpers] NAME's arguments; nullopt with
// `error` set when it does not read.
std::optional<AppArgument> parse_app_argument(const std::string& text, std::string& error);
std::optional<AppAccess> parse_app_access(const std::string& text);
const char* to_string(AppAccess access);
const char* to_string(AppArgumentRole role);
// Why a helper's arguments do not fit its access ("" when they do).
std::string app_helper_problem(const AppHelper& helper);

}  // namespace cora
