#pragma once
// Finds the data API calls of Python files with Python's own parser: find_calls.py (embedded in
// the binary) run by python3 as a child process, its JSON read back.

#include <filesystem>
#include <string>
#include <vector>

#include "cora/app/app_call.hpp"
#include "cora/config/app_settings.hpp"

namespace cora::app {

// The files [app] paths name (each module's backend/ by default), sorted, each once. Roots are
// the module folders of a project with modules, else the config file's folder.
std::vector<std::filesystem::path> app_files(const AppSettings& settings,
                                             const std::vector<std::filesystem::path>& module_roots);

// Parses `files` and returns their calls of `settings.helpers`, their arguments placed by role.
// Throws cora::Error (config) when the interpreter cannot be found or run, naming [app] python.
AppCalls find_app_calls(const std::vector<std::filesystem::path>& files, const AppSettings& settings);

// Reads the script's JSON output (exposed for the tests). Throws cora::Error on a malformed one.
AppCalls decode_app_calls(const std::string& json_text, const AppSettings& settings);

}  // namespace cora::app
