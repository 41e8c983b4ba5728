#include "cora/config/settings.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "cora/config/duration.hpp"
#include "cora/config/env_file.hpp"
#include "cora/config/toml_reader.hpp"
#include "cora/error.hpp"
#include "cora/util/nearest_name.hpp"

namespace cora {

namespace {

constexpr const char* kDefaultConfigFile = "cora-migrate.toml";
constexpr const char* kSupabaseMigrationsDir = "supabase/migrations";

// [a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*, checked by hand: std::regex recurses once per character
// and overflowed the stack on a long value (a crash, found by the bad input corpus).
bool is_lower_case_qualified_name(const std::string& name) {
  const auto is_identifier = [](std::string_view part) {
    return !part.empty() && !(part[0] >= '0' && part[0] <= '9') && std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
  };
  const auto dot = name.find('.');
  return dot != std::string::npos && is_identifier(std::string_view(name).substr(0, dot)) &&
         is_identifier(std::string_view(name).substr(dot + 1));
}

// Reads cora-migrate.toml on top of TomlReader's strict, typed access.
class ConfigReader : public TomlReader {
 public:
  ConfigReader(std::string file_name, std::filesystem::path base_dir, const EnvLookup& env)
      : TomlReader(std::move(file_name)), base_dir_(std::move(base_dir)), env_(env) {}

  void read_path(const toml::table& table, const char* key, const std::string& prefix,
                 std::filesystem::path& out) const {
    if (auto text = optional_string(table, key, prefix)) {
      if (text->empty()) fail(*table.get(key), prefix + key, "must not be empty");
      out = base_dir_ / *text;
    }
  }

  void read_duration(const toml::table& table, const char* key, const std::string& prefix,
                     std::chrono::milliseconds& out) const {
    if (auto text = optional_string(table, key, prefix)) {
      auto parsed = parse_duration(*text);
      if (!parsed) {
        fail(*table.get(key), prefix + key,
             fmt::format("\"{}\" is not a duration; write e.g. \"0\", \"500ms\", \"1.5s\", \"2 min\" (a bare number is "
                         "milliseconds)",
                         *text));
      }
      out = *parsed;
    }
  }

  void read_database_url(const toml::table& table, const std::string& prefix, Settings& s) const {
    if (auto url = optional_string(table, "database_url", prefix)) {
      const toml::node& node = *table.get("database_url");
      try {
        s.database_url = expand_variables(*url, env_);
      } catch (const std::invalid_argument& e) {
        fail(node, prefix + "database_url", e.what());
      }
      s.database_url_origin = fmt::format("{}:{}", file_name(), node.source().begin.line);
    }
  }

  void read_history_table(const toml::table& table, const std::string& prefix, Settings& s) const {
    if (auto name = optional_string(table, "history_table", prefix)) {
      if (!is_lower_case_qualified_name(*name)) {
        fail(*table.get("history_table"), prefix + "history_table",
             fmt::format("\"{}\" must be schema.table in lower case, e.g. \"cora_migrate.schema_history\"", *name));
      }
      s.history_table = *name;
    }
  }

  void read_timeouts(const toml::table& parent, const std::string& prefix, Timeouts& t) const {
    const toml::node* node = parent.get("timeouts");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) fail(*node, prefix + "timeouts", "must be a table ([timeouts])");
    const std::string p = prefix + "timeouts.";
    reject_unknown_keys(*table, p, {"lock_wait", "lock_timeout", "statement_timeout", "connect"});
    read_duration(*table, "lock_wait", p, t.lock_wait);
    read_duration(*table, "lock_timeout", p, t.lock_timeout);
    read_duration(*table, "statement_timeout", p, t.statement_timeout);
    read_duration(*table, "connect", p, t.connect);
  }

  // Keys allowed both at the top level and inside [environments.NAME].
  void read_overridable(const toml::table& table, const std::string& prefix, Settings& s) const {
    read_database_url(table, prefix, s);
    read_path(table, "migrations_dir", prefix, s.migrations_dir);
    read_path(table, "checks_dir", prefix, s.checks_dir);
    if (table.contains("checks_dir")) s.checks_dir_given = true;
    read_history_table(table, prefix, s);
    read_timeouts(table, prefix, s.timeouts);
  }

  // exclude = ["GLOB", ...]: an empty glob would match nothing and hide a typo.
  std::vector<std::string> read_exclude(const toml::table& table, const std::string& prefix) const {
    auto globs = optional_strings(table, "exclude", prefix).value_or(std::vector<std::string>{});
    for (const auto& glob : globs) {
      if (glob.empty()) fail(*table.get("exclude"), prefix + "exclude", "holds an empty glob");
    }
    return globs;
  }

  void read_modules(const toml::table& root, Settings& s) const {
    const toml::node* globs = root.get("modules");
    const toml::node* overrides = root.get("module");
    for (const char* key : {"module_registry", "strict_versions", "exclude"}) {
      if (!globs && root.get(key)) fail(*root.get(key), key, "needs modules = [\"packages/*\"] beside it");
    }
    if (!globs) {
      if (overrides)
        fail(*overrides, "module", "[module.NAME] needs modules = [\"packages/*\"] at the top of the file");
      return;
    }
    ModulesSettings m;
    m.base_dir = base_dir_;
    m.origin = fmt::format("{}:{}", file_name(), line_of(*globs));
    const auto list = optional_strings(root, "modules", "");
    if (!list || list->empty())
      fail(*globs, "modules", "must be a non-empty array of folder globs, e.g. [\"packages/*\"]");
    for (const auto& glob : *list) {
      if (glob.empty()) fail(*globs, "modules", "holds an empty glob");
    }
    m.globs = *list;
    if (auto registry = optional_string(root, "module_registry", "")) {
      if (registry->empty()) fail(*root.get("module_registry"), "module_registry", "must not be empty");
      m.registry = base_dir_ / *registry;
    }
    m.strict_versions = optional_bool(root, "strict_versions", "").value_or(false);
    m.exclude = read_exclude(root, "");
    if (overrides) {
      const auto* table = overrides->as_table();
      if (!table) fail(*overrides, "module", "must be a table of tables ([module.NAME])");
      for (const auto& [name, node] : *table) {
        const std::string prefix = "module." + std::string(name.str()) + ".";
        const auto* module = node.as_table();
        if (!module) fail(node, prefix.substr(0, prefix.size() - 1), "must be a table");
        reject_unknown_keys(*module, prefix, {"schema_dir", "migrations_dir", "depends_on", "enabled", "exclude"});
        ModuleOverride o;
        o.origin = fmt::format("{}:{}", file_name(), line_of(node));
        for (const char* key : {"schema_dir", "migrations_dir"}) {
          if (auto dir = optional_string(*module, key, prefix)) {
            if (dir->empty()) fail(*module->get(key), prefix + key, "must not be empty");
            (std::string_view(key) == "schema_dir" ? o.schema_dir : o.migrations_dir) = std::filesystem::path(*dir);
          }
        }
        o.depends_on = optional_strings(*module, "depends_on", prefix).value_or(std::vector<std::string>{});
        o.enabled = optional_bool(*module, "enabled", prefix).value_or(true);
        o.exclude = read_exclude(*module, prefix);
        m.overrides[std::string(name.str())] = std::move(o);
      }
    }
    s.modules = std::move(m);
  }

  void read_local(const toml::table& root, Settings& s) const {
    const toml::node* node = root.get("local");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) fail(*node, "local", "must be a table ([local])");
    reject_unknown_keys(*table, "local.", {"data_dir", "pg_bin_dir"});
    read_path(*table, "data_dir", "local.", s.local.data_dir);
    if (auto dir = optional_string(*table, "pg_bin_dir", "local.")) s.local.pg_bin_dir = *dir;
  }

  void read_verify(const toml::table& root, Settings& s) const {
    if (const toml::node* node = root.get("verify")) {
      const auto* table = node->as_table();
      if (!table) fail(*node, "verify", "must be a table ([verify])");
      reject_unknown_keys(*table, "verify.", {"schemas"});
      if (const toml::node* schemas = table->get("schemas")) {
        const auto* array = schemas->as_array();
        if (!array || array->empty()) fail(*schemas, "verify.schemas", "must be a non-empty array of schema names");
        s.verify_schemas.clear();
        for (const auto& item : *array) {
          const auto* name = item.as_string();
          if (!name) fail(item, "verify.schemas", "must hold only strings");
          s.verify_schemas.push_back(name->get());
        }
      }
    }
    if (const toml::node* node = root.get("lints")) {
      const auto* table = node->as_table();
      if (!table) fail(*node, "lints", "must be a table ([lints])");
      for (const auto& [key, value] : *table) {
        std::string name(key.str());
        if (const auto alias = lint_aliases().find(name); alias != lint_aliases().end()) {
          s.old_name_notes.push_back(fmt::format("{}:{}: [lints] {} is the old name of {}: rename it", file_name(),
                                                 value.source().begin.line, name, alias->second));
          name = alias->second;
        }
        const LintRule* rule = find_lint_rule(name);
        if (!rule) {
          std::vector<std::string> names;
          for (const auto& known : lint_rules()) names.push_back(known.name);
          fail(value, "lints." + std::string(key.str()),
               "unknown lint (" + did_you_mean(name, names) + "`cora-migrate lints` lists them all)");
        }
        const std::string where = "lints." + std::string(key.str());
        if (const auto* on = value.as_boolean()) {
          s.lints[name] = on->get() ? rule->default_level : LintLevel::off;
        } else if (const auto* text = value.as_string()) {
          const auto level = parse_lint_level(text->get());
          if (!level) fail(value, where, "must be \"off\", \"warning\", \"error\", true or false");
          s.lints[name] = *level;
        } else {
          fail(value, where, "must be \"off\", \"warning\", \"error\", true or false");
        }
      }
    }
  }

  void read_migrate(const toml::table& root, Settings& s) const {
    const toml::node* node = root.get("migrate");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) fail(*node, "migrate", "must be a table ([migrate])");
    reject_unknown_keys(*table, "migrate.", {"pipeline", "pipeline_max_bytes"});
    if (auto mode = optional_string(*table, "pipeline", "migrate.")) {
      if (*mode != "run" && *mode != "file") {
        fail(*table->get("pipeline"), "migrate.pipeline",
             "must be \"run\" (one pipeline per run) or \"file\" (one per file)");
      }
      s.pipeline.across_files = *mode == "run";
    }
    if (const toml::node* bytes = table->get("pipeline_max_bytes")) {
      const auto* value = bytes->as_integer();
      if (!value || value->get() < 1) fail(*bytes, "migrate.pipeline_max_bytes", "must be a positive integer (bytes)");
      s.pipeline.max_bytes = static_cast<std::size_t>(value->get());
    }
  }

  void read_target(const toml::table& root, Settings& s) const {
    const toml::node* node = root.get("target");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) fail(*node, "target", "must be a table ([target])");
    reject_unknown_keys(*table, "target.", {"kind"});
    if (auto kind = optional_string(*table, "kind", "target.")) {
      if (*kind == "supabase") {
        s.target_kind = TargetKind::supabase;
      } else if (*kind == "postgres") {
        s.target_kind = TargetKind::postgres;
      } else {
        fail(*table->get("kind"), "target.kind",
             "must be \"supabase\" or \"postgres\" (leave it out to detect it: Supabase has the roles anon and "
             "authenticated)");
      }
    }
  }

  void read_diff(const toml::table& root, Settings& s) const {
    const toml::node* node = root.get("diff");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) fail(*node, "diff", "must be a table ([diff])");
    reject_unknown_keys(*table, "diff.", {"ignore"});
    if (const toml::node* ignore = table->get("ignore")) {
      const auto* array = ignore->as_array();
      if (!array) fail(*ignore, "diff.ignore", "must be an array of name patterns");
      for (const auto& item : *array) {
        const auto* pattern = item.as_string();
        if (!pattern || pattern->get().empty()) fail(item, "diff.ignore", "must hold only non-empty strings");
        s.diff_ignore.push_back(pattern->get());
      }
    }
  }

  void read_app(const toml::table& root, Settings& s) const {
    s.app.base_dir = base_dir_;
    const toml::node* node = root.get("app");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) fail(*node, "app", "must be a table ([app])");
    reject_unknown_keys(*table, "app.", {"paths", "role", "python", "helpers"});
    s.app.origin = fmt::format("{}:{}", file_name(), line_of(*node));
    if (auto paths = optional_strings(*table, "paths", "app.")) {
      if (paths->empty()) fail(*table->get("paths"), "app.paths", "must name at least one glob or folder");
      for (const auto& path : *paths) {
        if (path.empty()) fail(*table->get("paths"), "app.paths", "must hold only non-empty globs");
      }
      s.app.paths = std::move(*paths);
    }
    for (const char* key : {"role", "python"}) {
      if (auto text = optional_string(*table, key, "app.")) {
        if (text->empty()) fail(*table->get(key), std::string("app.") + key, "must not be empty");
        (std::string_view(key) == "role" ? s.app.role : s.app.python) = *text;
      }
    }
    const toml::node* helpers = table->get("helpers");
    if (!helpers) return;
    const auto* helper_table = helpers->as_table();
    if (!helper_table) fail(*helpers, "app.helpers", "must be a table ([app.helpers]) of NAME = { access, arguments }");
    // Given helpers replace the defaults: the data API is the project's.
    s.app.helpers.clear();
    for (const auto& [name, value] : *helper_table) {
      const std::string where = "app.helpers." + std::string(name.str());
      const auto* helper = value.as_table();
      if (!helper) fail(value, where, "must be a table: { access = \"select\", arguments = [\"table\", \"filters\"] }");
      reject_unknown_keys(*helper, where + ".", {"access", "arguments"});
      AppHelper h;
      h.name = std::string(name.str());
      const std::string access = required_string(*helper, "access", where + ".");
      const auto parsed = parse_app_access(access);
      if (!parsed) {
        fail(*helper->get("access"), where + ".access",
             "must be \"execute\", \"select\", \"insert\", \"update\", \"delete\", \"operation\" or \"chain\"");
      }
      h.access = *parsed;
      const auto arguments = optional_strings(*helper, "arguments", where + ".");
      if (!arguments) fail(*helper, where + ".arguments", "is missing: the helper's parameter names, in order");
      for (const auto& text : *arguments) {
        std::string error;
        auto argument = parse_app_argument(text, error);
        if (!argument) fail(*helper->get("arguments"), where + ".arguments", error);
        h.arguments.push_back(std::move(*argument));
      }
      if (const auto problem = app_helper_problem(h); !problem.empty()) fail(value, where, problem);
      s.app.helpers.push_back(std::move(h));
    }
  }

  void read_environment(const toml::table& root, const std::string& name, Settings& s) const {
    const toml::node* node = root.get("environments");
    const toml::table* envs = node ? node->as_table() : nullptr;
    if (node && !envs) fail(*node, "environments", "must be a table of tables ([environments.NAME])");
    const toml::node* env_node = envs ? envs->get(name) : nullptr;
    if (!env_node) {
      std::string known;
      std::vector<std::string> names;
      if (envs) {
        for (const auto& [key, value] : *envs) {
          known += (known.empty() ? "" : ", ") + std::string(key.str());
          names.emplace_back(key.str());
        }
      }
      throw Error(ExitCode::config,
                  fmt::format("{}: no [environments.{}] ({}configured: {})", file_name(), name,
                              did_you_mean(name, names), known.empty() ? "none" : known),
                  "add the section or pick another --env");
    }
    const auto* env_table = env_node->as_table();
    if (!env_table) fail(*env_node, "environments." + name, "must be a table");
    const std::string prefix = "environments." + name + ".";
    reject_unknown_keys(*env_table, prefix,
                        {"database_url", "migrations_dir", "checks_dir", "history_table", "timeouts"});
    read_overridable(*env_table, prefix, s);
    s.database_url_from_selected_environment = env_table->contains("database_url");
    s.environment = name;
  }

  void validate_environment_shapes(const toml::table& root) const {
    const toml::node* node = root.get("environments");
    if (!node) return;
    const auto* envs = node->as_table();
    if (!envs) fail(*node, "environments", "must be a table of tables ([environments.NAME])");
    for (const auto& [key, value] : *envs) {
      // --env a,b means the environments a and b, so one named "a,b" could never be picked.
      if (key.str().find(',') != std::string_view::npos) {
        fail(value, fmt::format("environments.\"{}\"", key.str()),
             "an environment name cannot contain a comma (--env a,b means two environments); rename it");
      }
      const auto* env_table = value.as_table();
      const std::string prefix = "environments." + std::string(key.str()) + ".";
      if (!env_table) fail(value, prefix.substr(0, prefix.size() - 1), "must be a table");
      reject_unknown_keys(*env_table, prefix,
                          {"database_url", "migrations_dir", "checks_dir", "history_table", "timeouts"});
    }
  }

 private:
  std::filesystem::path base_dir_;
  const EnvLookup& env_;
};

}  // namespace

Settings parse_config_text(const std::string& text, const std::string& file_name, const std::filesystem::path& base_dir,
                           const std::optional<std::string>& environment, const EnvLookup& env) {
  ConfigReader reader(file_name, base_dir, env);
  const toml::table root = reader.parse(text);
  Settings s;
  s.migrations_dir = base_dir / s.migrations_dir;
  s.checks_dir = base_dir / s.checks_dir;
  s.local.data_dir = base_dir / s.local.data_dir;
  reader.reject_unknown_keys(root, "",
                             {"database_url", "migrations_dir", "checks_dir", "history_table", "timeouts", "local",
                              "environments", "verify", "lints", "modules", "module", "module_registry",
                              "strict_versions", "exclude", "diff", "env_file", "migrate", "target", "app"});
  // env_file is read before this parse (resolve_settings); here it is only type-checked.
  static_cast<void>(reader.optional_string(root, "env_file", ""));
  reader.read_overridable(root, "", s);
  reader.read_modules(root, s);
  reader.read_local(root, s);
  reader.read_verify(root, s);
  reader.read_diff(root, s);
  reader.read_target(root, s);
  reader.read_migrate(root, s);
  reader.read_app(root, s);
  reader.validate_environment_shapes(root);
  if (environment) reader.read_environment(root, *environment, s);
  return s;
}

std::vector<std::string> configured_environments(const CommandLineSettings& flags) {
  const std::filesystem::path file = flags.config_file.value_or(kDefaultConfigFile);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::config, "cannot be read", "--all-envs needs a config file with [environments.NAME] sections")
        .at({file.string()});
  }
  std::stringstream text;
  text << in.rdbuf();
  const toml::table root = TomlReader(file.string()).parse(text.str());
  std::vector<std::string> names;
  if (const auto* envs = root["environments"].as_table()) {
    for (const auto& [key, value] : *envs) names.emplace_back(key.str());
  }
  return names;
}

namespace {

// The .env file to read: --env-file, else the config file's env_file (relative to its folder).
std::optional<std::filesystem::path> env_file_to_read(const CommandLineSettings& flags,
                                                      const std::optional<std::string>& config_text,
                                                      const std::filesystem::path& config_file) {
  if (flags.env_file) return *flags.env_file;
  if (!config_text) return std::nullopt;
  const TomlReader reader(config_file.string());
  const toml::table root = reader.parse(*config_text);
  const auto* node = root.get("env_file");
  if (!node || !node->is_string()) return std::nullopt;  // a wrong type is reported by the full parse
  const auto name = node->value<std::string>().value_or("");
  if (name.empty()) reader.fail(*node, "env_file", "must not be empty");
  return config_file.parent_path() / name;
}

// The .env file beside the config file (in its folder, or here without one), when there is one
// to read: never in CI (the variable CI set), where a .env committed to the repository under test
// could send the run, and the PGPASSWORD of the job, to a server of its choosing.
std::optional<std::filesystem::path> env_file_beside(const std::filesystem::path& config_file,
                                                     const EnvLookup& process_env) {
  const auto ci = process_env("CI");
  if (ci && !ci->empty() && *ci != "false" && *ci != "0") return std::nullopt;
  auto candidate = config_file.parent_path() / kEnvFileBeside;
  std::error_code ec;
  // A link is not followed: a committed `.env -> ../other-project/.env` would otherwise run this
  // checkout's migrations against another project's database.
  const auto status = std::filesystem::symlink_status(candidate, ec);
  if (ec || !std::filesystem::is_regular_file(status)) return std::nullopt;
  return candidate;
}

}  // namespace

Settings resolve_settings(const CommandLineSettings& flags, const EnvLookup& process_env) {
  Settings s;
  const std::filesystem::path file = flags.config_file.value_or(kDefaultConfigFile);
  std::error_code ec;
  if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) {
    throw Error(ExitCode::config, "not a file", "pass a TOML file to --config").at({file.string()});
  }
  std::optional<std::string> config_text;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      throw Error(ExitCode::config, "cannot be read", "check the file's permissions").at({file.string()});
    }
    config_text = text.str();
  }
  EnvLookup env = process_env;
  const auto env_file = env_file_to_read(flags, config_text, file);
  if (env_file) env = with_env_file(process_env, read_env_file(*env_file, process_env));
  // Without --env-file or env_file, a .env beside the config file is read as dbmate reads one;
  // its variables fill the config's ${NAME}, but its URL comes last (below).
  const auto beside = env_file ? std::nullopt : env_file_beside(file, process_env);
  std::map<std::string, std::string> beside_values;
  // Its ${NAME} expand only from its own earlier lines, never from this process's environment:
  // DATABASE_URL=postgresql://u@their.host/db?application_name=${AWS_SECRET_ACCESS_KEY} would
  // otherwise send a secret of the shell to a server the repository chose.
  if (beside) beside_values = read_env_file(*beside, [](const std::string&) { return std::optional<std::string>(); });
  std::set<std::string> filled_from_beside;  // the config's ${NAME} that the .env beside filled
  if (config_text) {
    EnvLookup config_env = env;
    if (beside) {
      config_env = [&env, &beside_values, &filled_from_beside](const std::string& name) -> std::optional<std::string> {
        if (auto value = env(name)) return value;
        const auto it = beside_values.find(name);
        if (it == beside_values.end()) return std::nullopt;
        filled_from_beside.insert(name);
        return it->second;
      };
    }
    s = parse_config_text(*config_text, file.string(), file.parent_path(), flags.environment, config_env);
    s.config_file = file;
    // The config's URL took a value from the .env: the .env chose the server as surely as its own
    // DATABASE_URL would, and is announced the same way.
    if (s.database_url && !filled_from_beside.empty()) {
      std::string names;
      for (const auto& name : filled_from_beside) names += (names.empty() ? "${" : ", ${") + name + "}";
      s.database_url_origin += fmt::format(" with {} from {}", names, beside->string());
      s.database_url_from_env_beside = true;
    }
  } else if (flags.config_file) {
    throw Error(ExitCode::config, "no such config file",
                "pass an existing file to --config, or leave it out to use ./cora-migrate.toml")
        .at({file.string()});
  } else if (flags.environment) {
    throw Error(ExitCode::config,
                fmt::format("--env {}: there is no {} to define environments in", *flags.environment,
                            kDefaultConfigFile),
                "create one with an [environments." + *flags.environment + "] section");
  }
  if (env_file) s.env_file = *env_file;
  s.quiet = flags.quiet;

  for (const char* variable : {"CORA_DATABASE_URL", "DATABASE_URL"}) {
    if (s.database_url_from_selected_environment) break;
    if (auto value = env(variable); value && !value->empty()) {
      s.database_url = *value;
      s.database_url_origin = variable;
      s.database_url_from_env_beside = false;
      break;
    }
  }
  if (!s.database_url && beside) {
    for (const char* variable : {"CORA_DATABASE_URL", "DATABASE_URL"}) {
      const auto it = beside_values.find(variable);
      if (it == beside_values.end() || it->second.empty()) continue;
      s.database_url = it->second;
      s.database_url_origin = fmt::format("{} in {}", variable, beside->string());
      s.database_url_from_env_beside = true;
      break;
    }
  }
  if (flags.database_url) {
    s.database_url = *flags.database_url;
    s.database_url_origin = "--database-url";
    s.database_url_from_env_beside = false;
  }
  if (flags.wait) {
    const auto wait = parse_duration(*flags.wait);
    if (!wait) {
      throw Error(ExitCode::usage, fmt::format("--wait {}: not a duration", *flags.wait),
                  "write e.g. --wait 30s, --wait 1.5s or --wait '2 min' (a bare number is milliseconds)");
    }
    s.timeouts.wait = *wait;
  }
  // An explicit folder is a one-folder run, whatever the config says about modules.
  if (flags.migrations_dir) {
    s.migrations_dir = *flags.migrations_dir;
    s.modules.reset();
  } else if (s.config_file.empty() && !std::filesystem::is_directory(s.migrations_dir, ec) &&
             std::filesystem::is_directory(kSupabaseMigrationsDir, ec)) {
    // A Supabase CLI project: nothing configured, and the CLI's folder where ours would be.
    s.migrations_dir = kSupabaseMigrationsDir;
    s.migrations_dir_note = fmt::format("using {}, the Supabase CLI's folder (no {} and no migrations/ folder here)",
                                        kSupabaseMigrationsDir, kDefaultConfigFile);
  }
  s.only_modules = flags.only_modules;
  if (flags.checks_dir) {
    s.checks_dir = *flags.checks_dir;
    s.checks_dir_given = true;
  }
  if (flags.local) {
    if (flags.database_url) {
      throw Error(ExitCode::usage, "--local and --database-url together",
                  "pick one: --local is the embedded PostgreSQL");
    }
    s.database_url.reset();
    s.database_url_origin = "--local";
    s.database_url_from_env_beside = false;
    s.local_chosen = true;
  }
  const auto ci = env("CI");
  s.in_ci = ci && !ci->empty() && *ci != "false" && *ci != "0";
  return s;
}

}  // namespace cora
