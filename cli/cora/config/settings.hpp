#pragma once
// Everything a command needs to know, resolved from flags, the environment and cora-migrate.toml.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cora/config/app_settings.hpp"
#include "cora/config/env_expand.hpp"
#include "cora/config/lint_rules.hpp"

namespace cora {

struct Timeouts {
  std::chrono::milliseconds lock_wait{60'000};     // waiting for another run's migration lock
  std::chrono::milliseconds lock_timeout{10'000};  // each migration's lock_timeout
  std::chrono::milliseconds statement_timeout{0};  // each migration's statement_timeout (0: none)
  std::chrono::milliseconds connect{10'000};       // libpq connect_timeout
  std::chrono::milliseconds wait{0};               // --wait: for the server to accept connections
};

// [migrate]: how `migrate` sends the pending files.
struct PipelineSettings {
  // pipeline = "run" (the default): every pending transactional file of a run in one libpq
  // pipeline, each in its own transaction; "file": one pipeline, one round trip, per file.
  bool across_files = true;
  // pipeline_max_bytes: a run's files are split into pipelines of at most this much SQL (a
  // bigger file goes alone), so that neither side holds an unbounded batch.
  std::size_t max_bytes = 16u * 1024u * 1024u;
};

struct LocalSettings {
  std::filesystem::path data_dir = ".cora/local";
  std::filesystem::path pg_bin_dir = "/usr/lib/postgresql/15/bin";
};

// [module.NAME]: what differs for one module from what discovery finds.
struct ModuleOverride {
  std::optional<std::filesystem::path> schema_dir;  // relative to the module's folder
  std::optional<std::filesystem::path> migrations_dir;
  std::vector<std::string> depends_on;
  bool enabled = true;
  // Files of this module never read, as globs relative to the module's folder
  // ("db/migrations/add-*.sql"); a glob without a '/' matches the file name alone ("*-old.sql").
  std::vector<std::string> exclude;
  std::string origin;  // "cora-migrate.toml:12", for errors
};

// A project of modules (`modules = ["packages/*"]`); unset: one migrations folder, as before.
struct ModulesSettings {
  std::vector<std::string> globs;  // as written, relative to base_dir
  std::filesystem::path base_dir;  // the config file's folder
  std::string origin;              // "cora-migrate.toml:3"
  std::map<std::string, ModuleOverride> overrides;
  std::optional<std::filesystem::path> registry;  // module_registry: the toolkit's YAML
  bool strict_versions = false;                   // refuse files sharing a version
  // Files of every module never read, as globs relative to base_dir
  // ("packages/*/db/migrations/add-*.sql"); a glob without a '/' matches the file name alone.
  std::vector<std::string> exclude;
};

// Whether Supabase's rules apply to the database (verify's lints about what the anon and
// authenticated roles may reach; diff's SQL that postgres there cannot run). `detect`: yes when
// the database has Supabase's API roles anon and authenticated. [target] kind overrides.
enum class TargetKind { detect, supabase, postgres };

struct Settings {
  // Unset: the embedded local cluster is used.
  std::optional<std::string> database_url;
  std::string database_url_origin;  // where it came from, e.g. "--database-url" or "cora-migrate.toml:4"
  // Set when the URL came from the [environments.NAME] picked with --env: being chosen by a flag,
  // it beats CORA_DATABASE_URL / DATABASE_URL.
  bool database_url_from_selected_environment = false;
  // Set when the URL came from the .env beside the config file (the lowest place there is): the
  // command announces it, with the host, before connecting.
  bool database_url_from_env_beside = false;
  std::filesystem::path migrations_dir = "migrations";
  // Set when migrations_dir was found rather than given (supabase/migrations of a Supabase CLI
  // project without a config file or migrations/): commands say so on stderr.
  std::string migrations_dir_note;
  // Old names the config file still uses ("FILE:LINE: [lints] OLD is now NEW"): commands say so on
  // stderr, and the old name keeps working.
  std::vector<std::string> old_name_notes;
  std::optional<ModulesSettings> modules;
  std::vector<std::string> only_modules;  // --module NAME[,NAME]: restrict to these
  std::filesystem::path checks_dir = "checks";
  bool checks_dir_given = false;  // named by --checks or checks_dir: then it must exist
  std::string history_table = "cora_migrate.schema_history";
  Timeouts timeouts;
  PipelineSettings pipeline;
  LocalSettings local;
  // verify: the schemas inspected (and served by the Data API, so RLS matters), and the
  // level of each built-in rule that [lints] names (off, warning, error).
  std::vector<std::string> verify_schemas{"public"};
  LintLevels lints;
  // diff: objects the database may have that no file creates, as glob patterns ("public.legacy_*").
  std::vector<std::string> diff_ignore;
  TargetKind target_kind = TargetKind::detect;  // [target] kind
  // [app]: the backend code whose calls lint and verify check (docs/app-calls.md).
  AppSettings app;
  std::optional<std::string> environment;  // the --env that was applied
  std::filesystem::path config_file;       // empty when none was read
  bool local_chosen = false;               // --local
  bool quiet = false;                      // --quiet: only warnings, errors and asked-for data
  std::filesystem::path env_file;          // the .env file read (--env-file or env_file), or empty
  bool in_ci = false;                      // the environment variable CI is set (not "false" or "0")
};

// What the command line says; each set field beats the environment and the file.
struct CommandLineSettings {
  std::optional<std::filesystem::path> config_file;
  std::optional<std::string> database_url;
  std::optional<std::string> environment;
  std::optional<std::filesystem::path> migrations_dir;
  std::optional<std::filesystem::path> checks_dir;
  std::optional<std::string> wait;        // a duration
  std::vector<std::string> only_modules;  // --module
  bool local = false;                     // --local: the embedded cluster, chosen (never refused, never a fallback)
  bool quiet = false;                     // --quiet
  std::optional<std::filesystem::path> env_file;  // --env-file: beats env_file in the config file
};

// The .env file read beside the config file when neither --env-file nor env_file names one.
inline constexpr const char* kEnvFileBeside = ".env";

// Reads the config file (the given one, which must exist, or ./cora-migrate.toml if present),
// applies the named environment, then CORA_DATABASE_URL / DATABASE_URL, then the flags. Only
// when none of them names a database does the CORA_DATABASE_URL / DATABASE_URL of a .env beside
// the config file (read when there is no --env-file or env_file, and CI is not set) name it. With no
// config file, no --migrations and no ./migrations folder, a ./supabase/migrations folder is the
// migrations folder. Variables come from `env`, and those it lacks from the .env file of
// --env-file or env_file.
// Relative paths in the file are relative to the file's folder. Throws cora::Error (config).
Settings resolve_settings(const CommandLineSettings& flags, const EnvLookup& env);

// The names of the [environments.NAME] tables of the config file the flags select, by name.
// Throws cora::Error (config) like resolve_settings.
std::vector<std::string> configured_environments(const CommandLineSettings& flags);

// Parses TOML text as a config file named `file_name` (for messages) living in `base_dir`.
Settings parse_config_text(const std::string& text, const std::string& file_name, const std::filesystem::path& base_dir,
                           const std::optional<std::string>& environment, const EnvLookup& env);

}  // namespace cora
