#include "cora/app/find_app_calls.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "cora/error.hpp"
#include "cora/util/subprocess.hpp"

extern char** environ;

namespace cora::embedded {
extern const char* const find_calls_py;
}

namespace cora::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_python_file(const fs::path& path) { return path.extension() == ".py"; }

bool is_hidden_folder(const fs::path& path) {
  const auto name = path.filename().string();
  return name.size() > 1 && name[0] == '.';
}

// Every .py file under `dir`, hidden folders (.venv, .git) left out.
void add_python_files_under(const fs::path& dir, std::set<fs::path>& out) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && is_hidden_folder(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && is_python_file(it->path())) out.insert(it->path());
  }
}

bool has_glob(const std::string& segment) { return segment.find_first_of("*?[") != std::string::npos; }

// Expands the glob segments from `at` on: `**` is any number of folders, other segments match one
// name each (fnmatch). A folder that matches the whole pattern gives its .py files.
void expand_app_glob(const fs::path& at, const std::vector<std::string>& segments, std::size_t i,
                     std::set<fs::path>& out) {
  std::error_code ec;
  if (i == segments.size()) {
    if (fs::is_directory(at, ec)) add_python_files_under(at, out);
    else if (fs::is_regular_file(at, ec) && is_python_file(at)) out.insert(at);
    return;
  }
  const std::string& segment = segments[i];
  if (segment == "**") {
    expand_app_glob(at, segments, i + 1, out);
    for (fs::directory_iterator it(at, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) && !is_hidden_folder(it->path())) expand_app_glob(it->path(), segments, i, out);
    }
    return;
  }
  if (!has_glob(segment)) {
    if (fs::exists(at / segment, ec)) expand_app_glob(at / segment, segments, i + 1, out);
    return;
  }
  for (fs::directory_iterator it(at, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (fnmatch(segment.c_str(), name.c_str(), FNM_PERIOD) == 0) expand_app_glob(it->path(), segments, i + 1, out);
  }
}

std::vector<std::string> segments_of(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= pattern.size()) {
    const auto slash = pattern.find('/', start);
    const auto part = pattern.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty() && part != ".") out.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

fs::path find_interpreter(const std::string& python) {
  if (python.find('/') != std::string::npos) return python;
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / python;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  throw Error(ExitCode::config, fmt::format("{} is not in PATH: checking the application code needs Python 3", python),
              "install python3 (apt-get install python3), set [app] python = \"/path/to/python3\", or leave the "
              "backend out with [app] paths");
}

// A minimal environment: none of ours (no secrets, no PYTHONPATH), UTF-8 for the file names.
std::map<std::string, std::optional<std::string>> minimal_environment() {
  std::map<std::string, std::optional<std::string>> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string text(*entry);
    env[text.substr(0, text.find('='))] = std::nullopt;
  }
  env["LC_ALL"] = "C.UTF-8";
  env["PYTHONIOENCODING"] = "utf-8";
  return env;
}

json helpers_json(const AppSettings& settings) {
  json out = json::object();
  for (const auto& helper : settings.helpers) {
    json names = json::array();
    for (const auto& argument : helper.arguments) names.push_back(argument.name);
    out[helper.name] = names;
  }
  return out;
}

int int_of(const json& value, const char* key) {
  const auto it = value.find(key);
  return it != value.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string string_of(const json& value, const char* key) {
  const auto it = value.find(key);
  return it != value.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A string argument: its text, or why it is not literal.
void read_name(const json& value, std::string& text, int& line, std::string& not_literal) {
  if (value.contains("str")) {
    text = value["str"].get<std::string>();
    line = int_of(value, "line");
  } else if (value.contains("dynamic")) {
    not_literal = value["dynamic"].get<std::string>();
  } else {
    not_literal = "not a string";
  }
}

AppKeys read_keys(const json& value) {
  AppKeys keys;
  keys.given = true;
  if (value.contains("keys")) {
    for (const auto& key : value["keys"]) keys.keys.push_back({string_of(key, "key"), int_of(key, "line")});
    keys.open = value.value("open", false);
  } else if (value.contains("none")) {
    keys.given = false;
  } else {
    keys.not_literal = value.contains("dynamic") ? value["dynamic"].get<std::string>() : std::string("not a dict");
  }
  return keys;
}

std::optional<AppAccess> access_of_operation(const std::string& operation) {
  if (operation == "select") return AppAccess::select;
  if (operation == "insert" || operation == "upsert") return AppAccess::insert;
  if (operation == "update") return AppAccess::update;
  if (operation == "delete") return AppAccess::delete_;
  return std::nullopt;
}

}  // namespace

std::vector<fs::path> app_files(const AppSettings& settings, const std::vector<fs::path>& module_roots) {
  std::set<fs::path> found;
  if (settings.paths.empty()) {
    const auto roots = module_roots.empty() ? std::vector<fs::path>{settings.base_dir} : module_roots;
    for (const auto& root : roots) expand_app_glob(root, {"backend"}, 0, found);
  } else {
    for (const auto& pattern : settings.paths) {
      const fs::path start = fs::path(pattern).is_absolute() ? fs::path("/") : settings.base_dir;
      expand_app_glob(start, segments_of(pattern), 0, found);
    }
  }
  return {found.begin(), found.end()};
}

AppCalls decode_app_calls(const std::string& json_text, const AppSettings& settings) {
  const json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw Error(ExitCode::config, "the Python call finder printed no JSON document", "run with a Python 3.8 or later");
  }
  AppCalls out;
  for (const auto& error : doc.value("errors", json::array())) {
    out.errors.push_back({string_of(error, "file"), int_of(error, "line"), string_of(error, "message")});
  }
  for (const auto& c : doc.value("calls", json::array())) {
    const std::string helper_name = string_of(c, "helper");
    const auto helper = std::find_if(settings.helpers.begin(), settings.helpers.end(),
                                     [&](const AppHelper& h) { return h.name == helper_name; });
    if (helper == settings.helpers.end()) continue;
    AppCall call;
    call.file = string_of(c, "file");
    call.line = int_of(c, "line");
    call.helper = helper_name;
    call.via = string_of(c, "via");
    if (!call.via.empty()) call.via_at = fmt::format("{}:{}", string_of(c, "via_file"), int_of(c, "via_line"));
    if (c.contains("unknown") && c["unknown"].is_string()) call.unknown_arguments = c["unknown"].get<std::string>();
    call.access = helper->access;
    const json args = c.value("args", json::object());
    for (const auto& argument : helper->arguments) {
      const auto it = args.find(argument.name);
      if (it == args.end()) continue;
      switch (argument.role) {
        case AppArgumentRole::function:
        case AppArgumentRole::table: read_name(*it, call.object, call.object_line, call.not_literal); break;
        case AppArgumentRole::params: call.params = read_keys(*it); break;
        case AppArgumentRole::filters: call.filters = read_keys(*it); break;
        case AppArgumentRole::data: call.data = read_keys(*it); break;
        case AppArgumentRole::operation: {
          std::string operation, why;
          int line = 0;
          read_name(*it, operation, line, why);
          const auto access = access_of_operation(operation);
          call.access_known = access.has_value();
          if (access) call.access = *access;
          break;
        }
        case AppArgumentRole::ignored: break;
      }
    }
    if (call.object.empty() && call.not_literal.empty()) {
      call.not_literal =
          call.unknown_arguments.empty() ? "the name is not passed" : "passed in " + call.unknown_arguments;
    }
    if (helper->access == AppAccess::by_operation && !args.contains("operation")) call.access_known = false;
    if (helper->access == AppAccess::by_chain) {
      // client.table(NAME).insert({...}): the method says the access, its dict the columns.
      const auto access = access_of_operation(string_of(c, "chain"));
      call.access_known = access.has_value();
      if (access) call.access = *access;
      if (access && (*access == AppAccess::insert || *access == AppAccess::update) && c.contains("chain_arg") &&
          c["chain_arg"].is_object()) {
        call.data = read_keys(c["chain_arg"]);
      }
    }
    out.calls.push_back(std::move(call));
  }
  std::stable_sort(out.calls.begin(), out.calls.end(), [](const AppCall& a, const AppCall& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  return out;
}

AppCalls find_app_calls(const std::vector<fs::path>& files, const AppSettings& settings) {
  AppCalls out;
  out.files = files.size();
  if (files.empty()) return out;
  const fs::path python = find_interpreter(settings.python);
  // The script goes in -c, from the binary: nothing to install or find, and it always matches
  // this version. -I: no PYTHONPATH, no user site, no current folder on sys.path. All files go
  // in one run, as wrappers are found across files (a shared layer's, called from the lambdas).
  std::vector<std::string> argv{python.string(), "-I", "-c", embedded::find_calls_py, helpers_json(settings).dump()};
  for (const auto& file : files) argv.push_back(file.string());
  SubprocessOptions options;
  options.env = minimal_environment();
  const auto result = Subprocess::run(argv, options);
  if (result.exit_code != 0) {
    std::string err = result.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    const auto newline = err.rfind('\n');
    const auto last_line = err.substr(newline == std::string::npos ? 0 : newline + 1);
    throw Error(ExitCode::config,
                fmt::format("{} could not read the application code (exit {}): {}", python.string(), result.exit_code,
                            last_line.empty() ? "no message" : last_line),
                "checking the application code needs Python 3.8 or later; set [app] python");
  }
  auto decoded = decode_app_calls(result.out, settings);
  out.calls = std::move(decoded.calls);
  out.errors = std::move(decoded.errors);
  return out;
}

}  // namespace cora::app
