#pragma once
// Judges each call the application makes against the schema: the function exists and takes
// parameters of those names, the table or view exists and has those columns, the role may use
// it. Pure: calls and schema in, findings out.

#include <cstddef>
#include <string>
#include <vector>

#include "cora/app/app_call.hpp"
#include "cora/app/app_schema.hpp"

namespace cora::app {

// The rules, as [lints] names them (config/lint_rules.cpp lists them with their levels).
inline constexpr const char* kUnknownFunction = "app_unknown_function";
inline constexpr const char* kUnknownParameter = "app_unknown_parameter";
inline constexpr const char* kMissingParameter = "app_missing_parameter";
inline constexpr const char* kUnknownTable = "app_unknown_table";
inline constexpr const char* kUnknownColumn = "app_unknown_column";
inline constexpr const char* kNotGranted = "app_role_not_granted";
inline constexpr const char* kNotChecked = "app_call_not_checked";
inline constexpr const char* kUnreadableFile = "app_file_unreadable";

struct AppFinding {
  std::string rule;
  std::string file;  // the Python file
  int line = 0;
  int call_line = 0;  // the call's first line (a silence before the call covers it)
  // What is wrong, the nearest existing name ("did you mean `p_kb_ids`?") and the migration
  // FILE:LINE defining the object, on one line.
  std::string message;
  std::string hint;        // what to do
  std::string object;      // the function or table the call names, as written ("" when not literal)
  std::string defined_at;  // the migration FILE:LINE defining the object, "" when none
};

struct AppCheckReport {
  std::vector<AppFinding> findings;  // by file, then line
  std::size_t calls = 0;             // call sites found
  std::size_t not_checked = 0;       // of them, those with a part that is not literal
  std::size_t files = 0;             // Python files read
  std::vector<std::string> objects;  // each function or table a call names, as written, sorted, once
};

AppCheckReport check_app_calls(const AppCalls& calls, const AppSchema& schema, const std::string& role);

}  // namespace cora::app
