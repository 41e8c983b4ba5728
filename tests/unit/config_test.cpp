#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "cora/config/settings.hpp"
#include "support/scratch_dir.hpp"
#include "unit_helpers.hpp"

using cora::CommandLineSettings;
using cora::EnvLookup;
using cora::ExitCode;
using cora::parse_config_text;
using cora::resolve_settings;
using cora::Settings;
using cora::test::error_from;
using cora::test::ScratchDir;
namespace fs = std::filesystem;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const fs::path kBase = "/project";

Settings parse_config(const std::string& text, const std::optional<std::string>& environment = std::nullopt,
                      const EnvLookup& env = env_of({})) {
  return parse_config_text(text, "cora-migrate.toml", kBase, environment, env);
}

std::optional<cora::Error> parse_error(const std::string& text,
                                       const std::optional<std::string>& environment = std::nullopt,
                                       const EnvLookup& env = env_of({})) {
  return error_from([&] { parse_config(text, environment, env); });
}

// Asserts that parsing `text` fails with a config error whose message contains `fragment`.
void check_config_error(const std::string& text, const std::string& fragment,
                        const std::optional<std::string>& environment = std::nullopt) {
  const auto error = parse_error(text, environment);
  REQUIRE_MESSAGE(error.has_value(), "accepted: " << text);
  CHECK(error->code() == ExitCode::config);
  CHECK_CONTAINS(error->what(), fragment);
}

// Changes the working directory for the lifetime of the object.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& path) : saved_(fs::current_path()) { fs::current_path(path); }
  ~WorkingDirectory() {
    std::error_code ec;
    fs::current_path(saved_, ec);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path saved_;
};

CommandLineSettings with_config(const fs::path& file) {
  CommandLineSettings flags;
  flags.config_file = file;
  return flags;
}

}  // namespace

TEST_CASE("parse_config_text: defaults") {
  auto check_defaults = [](const Settings& s) {
    CHECK_FALSE(s.database_url.has_value());
    CHECK(s.database_url_origin.empty());
    CHECK_FALSE(s.database_url_from_selected_environment);
    CHECK(s.migrations_dir == kBase / "migrations");
    CHECK(s.checks_dir == kBase / "checks");
    CHECK(s.history_table == "cora_migrate.schema_history");
    CHECK(s.timeouts.lock_wait.count() == 60'000);
    CHECK(s.timeouts.lock_timeout.count() == 10'000);
    CHECK(s.timeouts.statement_timeout.count() == 0);
    CHECK(s.timeouts.connect.count() == 10'000);
    CHECK(s.local.data_dir == kBase / ".cora/local");
    CHECK(s.local.pg_bin_dir == "/usr/lib/postgresql/15/bin");
    CHECK_FALSE(s.environment.has_value());
  };
  SUBCASE("an empty file") { check_defaults(parse_config("")); }
  SUBCASE("a file of comments") { check_defaults(parse_config("# nothing set yet\n\n# really\n")); }
  SUBCASE("empty sections") { check_defaults(parse_config("[timeouts]\n[local]\n")); }
}

TEST_CASE("parse_config_text: values") {
  const auto s = parse_config(R"(# cora-migrate settings
database_url = "postgresql://app@db/prod"
migrations_dir = "db/migrations"
checks_dir = "/srv/checks"
history_table = "ops.migration_history"

[timeouts]
lock_wait = "2min"
lock_timeout = "500ms"
statement_timeout = "1h"
connect = "0"

[local]
data_dir = "tmp/pg"
pg_bin_dir = "/opt/pg/bin"
)");
  SUBCASE("database_url and where it came from") {
    CHECK(s.database_url == std::optional<std::string>("postgresql://app@db/prod"));
    CHECK(s.database_url_origin == "cora-migrate.toml:2");
    CHECK_FALSE(s.database_url_from_selected_environment);
  }
  SUBCASE("relative paths are relative to the config file's folder") {
    CHECK(s.migrations_dir == kBase / "db/migrations");
    CHECK(s.local.data_dir == kBase / "tmp/pg");
  }
  SUBCASE("absolute paths are kept") { CHECK(s.checks_dir == fs::path("/srv/checks")); }
  SUBCASE("history_table") { CHECK(s.history_table == "ops.migration_history"); }
  SUBCASE("timeouts") {
    CHECK(s.timeouts.lock_wait.count() == 120'000);
    CHECK(s.timeouts.lock_timeout.count() == 500);
    CHECK(s.timeouts.statement_timeout.count() == 3'600'000);
    CHECK(s.timeouts.connect.count() == 0);
  }
  SUBCASE("local") { CHECK(s.local.pg_bin_dir == fs::path("/opt/pg/bin")); }
  SUBCASE("inline tables work like sections") {
    const auto inline_tables = parse_config("timeouts = { lock_timeout = \"3s\" }\nlocal = { data_dir = \"pg\" }\n");
    CHECK(inline_tables.timeouts.lock_timeout.count() == 3'000);
    CHECK(inline_tables.timeouts.lock_wait.count() == 60'000);
    CHECK(inline_tables.local.data_dir == kBase / "pg");
  }
  SUBCASE("history_table accepts lower-case names with digits and underscores") {
    CHECK(parse_config("history_table = \"_ops2.history_v2\"").history_table == "_ops2.history_v2");
  }
}

TEST_CASE("parse_config_text: ${VAR} in database_url") {
  SUBCASE("a set variable is expanded") {
    const auto s = parse_config("\ndatabase_url = \"postgresql://app:${PGPASS}@${PGHOST}/prod\"\n", std::nullopt,
                                env_of({{"PGPASS", "s3cret"}, {"PGHOST", "db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://app:s3cret@db/prod"));
    CHECK(s.database_url_origin == "cora-migrate.toml:2");
  }
  SUBCASE("$$ is a literal dollar") {
    CHECK(parse_config(R"(database_url = "host=db password=pa$$word")").database_url ==
          std::optional<std::string>("host=db password=pa$word"));
  }
  SUBCASE("an unset variable names the file, line, key and variable") {
    const auto error = parse_error("# prod\n\ndatabase_url = \"postgresql://app:${PGPASS}@db/prod\"\n");
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), "cora-migrate.toml:3: database_url:");
    CHECK_CONTAINS(error->what(), "${PGPASS}");
  }
  SUBCASE("a broken ${ is reported the same way") {
    check_config_error("database_url = \"postgresql://${PGHOST/db\"", "cora-migrate.toml:1: database_url:");
  }
  SUBCASE("an environment that is not selected is not expanded") {
    const auto s = parse_config("[environments.prod]\ndatabase_url = \"${PROD_URL}\"\n");
    CHECK_FALSE(s.database_url.has_value());
  }
  SUBCASE("the selected environment's unset variable names its key and line") {
    check_config_error("database_url = \"postgresql://dev/db\"\n[environments.prod]\ndatabase_url = \"${PROD_URL}\"\n",
                       "cora-migrate.toml:3: environments.prod.database_url:", "prod");
  }
}

TEST_CASE("parse_config_text: unknown keys name the file, line and key") {
  SUBCASE("at the top level, listing the known keys") {
    const auto error = parse_error("database_url = \"postgresql://db/app\"\n\ndatabse_url = \"x\"\n");
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), "cora-migrate.toml:3: databse_url: unknown key");
    CHECK_CONTAINS(error->what(), "database_url, migrations_dir");
  }
  SUBCASE("a misspelt section at the top level") {
    check_config_error("# x\n[timeout]\nlock_wait = \"1s\"\n", "cora-migrate.toml:2: timeout: unknown key");
  }
  SUBCASE("in [timeouts]") {
    check_config_error(
        "[timeouts]\nlock_wait = \"1s\"\nlockwait = \"1s\"\n",
        "cora-migrate.toml:3: timeouts.lockwait: unknown key (did you mean `lock_wait`? known here: lock_wait, "
        "lock_timeout, "
        "statement_timeout, connect)");
  }
  SUBCASE("in an inline timeouts table") {
    check_config_error("timeouts = { conect = \"1s\" }", "cora-migrate.toml:1: timeouts.conect: unknown key");
  }
  SUBCASE("in [local]") {
    check_config_error(
        "[local]\n\ndatadir = \"x\"\n",
        "cora-migrate.toml:3: local.datadir: unknown key (did you mean `data_dir`? known here: data_dir, "
        "pg_bin_dir)");
  }
  SUBCASE("local-only keys are not allowed at the top level") {
    check_config_error("data_dir = \"x\"", "cora-migrate.toml:1: data_dir: unknown key");
  }
  SUBCASE("in [environments.x], even when another environment is selected") {
    const std::string text =
        "[environments.staging]\n"
        "database_url = \"postgresql://staging/db\"\n"
        "[environments.prod]\n"
        "database_url = \"postgresql://prod/db\"\n"
        "databse_url = \"oops\"\n";
    check_config_error(text, "cora-migrate.toml:5: environments.prod.databse_url: unknown key");
    check_config_error(text, "cora-migrate.toml:5: environments.prod.databse_url: unknown key", "staging");
  }
  SUBCASE("[local] is not allowed inside an environment") {
    check_config_error("[environments.ci]\n[environments.ci.local]\ndata_dir = \"x\"\n",
                       "environments.ci.local: unknown key");
  }
  SUBCASE("in the selected environment's [timeouts]") {
    check_config_error("[environments.ci.timeouts]\nlock_wait = \"1s\"\nlock_wiat = \"1s\"\n",
                       "cora-migrate.toml:3: environments.ci.timeouts.lock_wiat: unknown key", "ci");
  }
}

TEST_CASE("parse_config_text: wrong types name the file, line and key") {
  SUBCASE("an integer for a string") {
    check_config_error("\ndatabase_url = 5432\n",
                       "cora-migrate.toml:2: database_url: must be a string, not an integer");
  }
  SUBCASE("a boolean for a path") {
    check_config_error("migrations_dir = true", "cora-migrate.toml:1: migrations_dir: must be a string, not a boolean");
  }
  SUBCASE("an array for a path") {
    check_config_error("checks_dir = [\"a\", \"b\"]",
                       "cora-migrate.toml:1: checks_dir: must be a string, not an array");
  }
  SUBCASE("a float for a name") {
    check_config_error("history_table = 1.5", "cora-migrate.toml:1: history_table: must be a string, not a number");
  }
  SUBCASE("a date for a URL") {
    check_config_error("database_url = 2024-01-01", "database_url: must be a string, not a date or time");
  }
  SUBCASE("a table for a string") {
    check_config_error("[database_url]\nhost = \"db\"\n",
                       "cora-migrate.toml:1: database_url: must be a string, not a table");
  }
  SUBCASE("a number instead of a duration string") {
    check_config_error("[timeouts]\nlock_wait = 10\n",
                       "cora-migrate.toml:2: timeouts.lock_wait: must be a string, not an integer");
  }
  SUBCASE("a string where a table belongs") {
    check_config_error("timeouts = \"10s\"", "cora-migrate.toml:1: timeouts: must be a table");
    check_config_error("local = \"/tmp\"", "cora-migrate.toml:1: local: must be a table");
    check_config_error("environments = \"prod\"", "cora-migrate.toml:1: environments: must be a table");
  }
  SUBCASE("an environment that is not a table") {
    check_config_error("[environments]\nstaging = \"postgresql://staging/db\"\n",
                       "cora-migrate.toml:2: environments.staging: must be a table");
  }
  SUBCASE("pg_bin_dir") {
    check_config_error("[local]\npg_bin_dir = 15\n", "cora-migrate.toml:2: local.pg_bin_dir: must be a string");
  }
}

TEST_CASE("parse_config_text: bad values") {
  SUBCASE("a duration with a bad unit names the key and the text") {
    check_config_error("[timeouts]\nlock_timeout = \"10 seconds\"\n",
                       "cora-migrate.toml:2: timeouts.lock_timeout: \"10 seconds\" is not a duration");
  }
  SUBCASE("a negative duration") {
    check_config_error("[timeouts]\n\nstatement_timeout = \"-1s\"\n",
                       "cora-migrate.toml:3: timeouts.statement_timeout: \"-1s\" is not a duration");
  }
  SUBCASE("a duration beyond PostgreSQL's limit") {
    check_config_error("[timeouts]\nconnect = \"1000h\"\n", "cora-migrate.toml:2: timeouts.connect:");
  }
  SUBCASE("empty paths") {
    check_config_error("migrations_dir = \"\"", "cora-migrate.toml:1: migrations_dir: must not be empty");
    check_config_error("[local]\ndata_dir = \"\"", "cora-migrate.toml:2: local.data_dir: must not be empty");
  }
  SUBCASE("history_table must be schema.table in lower case") {
    check_config_error("history_table = \"schema_history\"", "cora-migrate.toml:1: history_table: \"schema_history\"");
    check_config_error("history_table = \"Ops.History\"", "history_table: \"Ops.History\"");
    check_config_error("history_table = \"a.b.c\"", "history_table: \"a.b.c\"");
    check_config_error("history_table = \"ops.history; DROP TABLE x\"", "history_table:");
    check_config_error("history_table = \"1ops.history\"", "history_table:");
  }
}

TEST_CASE("parse_config_text: an environment name with a comma is refused") {
  // --env a,b means the environments a and b, so "a,b" could never be picked on its own.
  const std::string text = "[environments.dev]\n[environments.\"a,b\"]\ndatabase_url = \"postgresql://x/db\"\n";
  SUBCASE("whichever environment is selected") {
    check_config_error(text, "cora-migrate.toml:2: environments.\"a,b\": an environment name cannot contain a comma");
    check_config_error(text, "cannot contain a comma", "dev");
  }
  SUBCASE("other punctuation is fine") {
    CHECK(parse_config("[environments.\"eu-west.prod_2\"]\n", "eu-west.prod_2").environment == "eu-west.prod_2");
  }
}

TEST_CASE("parse_config_text: TOML syntax errors give file and line") {
  SUBCASE("an unterminated string") {
    const auto error = parse_error("database_url = \"postgresql://db/app\"\n\nmigrations_dir = \"oops\n");
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), "cora-migrate.toml:3:");
    CHECK_CONTAINS(error->hint(), "TOML");
  }
  SUBCASE("a key without a value") { check_config_error("# a\n# b\n# c\nchecks_dir\n", "cora-migrate.toml:4:"); }
  SUBCASE("a key defined twice") {
    check_config_error("migrations_dir = \"a\"\nchecks_dir = \"c\"\nmigrations_dir = \"b\"\n", "cora-migrate.toml:3:");
  }
  SUBCASE("an unclosed section header") { check_config_error("\n[timeouts\n", "cora-migrate.toml:2:"); }
}

TEST_CASE("parse_config_text: environments") {
  const std::string text = R"(database_url = "postgresql://top/db"

[timeouts]
lock_wait = "30s"
lock_timeout = "5s"

[environments.staging]
database_url = "postgresql://staging/db"
migrations_dir = "staging-migrations"
history_table = "stage.history"

[environments.staging.timeouts]
lock_timeout = "1s"

[environments.production]
checks_dir = "prod-checks"

[environments.dev]
)";
  SUBCASE("without --env the environments are not applied") {
    const auto s = parse_config(text);
    CHECK(s.database_url == std::optional<std::string>("postgresql://top/db"));
    CHECK(s.database_url_origin == "cora-migrate.toml:1");
    CHECK(s.migrations_dir == kBase / "migrations");
    CHECK(s.timeouts.lock_timeout.count() == 5'000);
    CHECK_FALSE(s.environment.has_value());
  }
  SUBCASE("the selected environment overrides the top level") {
    const auto s = parse_config(text, "staging");
    CHECK(s.database_url == std::optional<std::string>("postgresql://staging/db"));
    CHECK(s.database_url_origin == "cora-migrate.toml:8");
    CHECK(s.database_url_from_selected_environment);
    CHECK(s.migrations_dir == kBase / "staging-migrations");
    CHECK(s.history_table == "stage.history");
    CHECK(s.environment == std::optional<std::string>("staging"));
  }
  SUBCASE("environment timeouts are merged key by key") {
    const auto s = parse_config(text, "staging");
    CHECK(s.timeouts.lock_timeout.count() == 1'000);
    CHECK(s.timeouts.lock_wait.count() == 30'000);
    CHECK(s.timeouts.connect.count() == 10'000);
  }
  SUBCASE("an environment without database_url keeps the top-level one, not marked as selected") {
    const auto s = parse_config(text, "production");
    CHECK(s.database_url == std::optional<std::string>("postgresql://top/db"));
    CHECK(s.database_url_origin == "cora-migrate.toml:1");
    CHECK_FALSE(s.database_url_from_selected_environment);
    CHECK(s.checks_dir == kBase / "prod-checks");
    CHECK(s.environment == std::optional<std::string>("production"));
  }
  SUBCASE("an empty environment can be selected") {
    const auto s = parse_config(text, "dev");
    CHECK(s.environment == std::optional<std::string>("dev"));
    CHECK(s.database_url == std::optional<std::string>("postgresql://top/db"));
  }
  SUBCASE("an unknown --env names the file and lists the configured ones") {
    const auto error = parse_error(text, "qa");
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), "cora-migrate.toml");
    CHECK_CONTAINS(error->what(), "[environments.qa]");
    CHECK_CONTAINS(error->what(), "staging");
    CHECK_CONTAINS(error->what(), "production");
    CHECK_CONTAINS(error->what(), "dev");
  }
  SUBCASE("an unknown --env when none are configured says so") {
    check_config_error("database_url = \"postgresql://db/app\"\n", "(configured: none)", "qa");
  }
}

TEST_CASE("resolve_settings: the config file") {
  ScratchDir dir("cora-unit-config");

  SUBCASE("relative paths are resolved against the config file's folder") {
    const auto file =
        dir.write("conf/cora-migrate.toml", "migrations_dir = \"db/migrations\"\n[local]\ndata_dir = \"pg\"\n");
    const auto s = resolve_settings(with_config(file), env_of({}));
    CHECK(s.migrations_dir == dir.path() / "conf/db/migrations");
    CHECK(s.checks_dir == dir.path() / "conf/checks");
    CHECK(s.local.data_dir == dir.path() / "conf/pg");
    CHECK(s.config_file == file);
  }
  SUBCASE("absolute paths in the file are kept") {
    const auto file = dir.write("cora-migrate.toml", "migrations_dir = \"/srv/migrations\"\n");
    CHECK(resolve_settings(with_config(file), env_of({})).migrations_dir == fs::path("/srv/migrations"));
  }
  SUBCASE("messages name the file as given") {
    const auto file = dir.write("conf/cora-migrate.toml", "\nmigratons_dir = \"x\"\n");
    const auto error = error_from([&] { resolve_settings(with_config(file), env_of({})); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), file.string() + ":2: migratons_dir: unknown key");
  }
  SUBCASE("the given lookup expands ${VAR}") {
    const auto file = dir.write("cora-migrate.toml", "database_url = \"postgresql://${DB_HOST}/app\"\n");
    const auto s = resolve_settings(with_config(file), env_of({{"DB_HOST", "db.internal"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://db.internal/app"));
  }
  SUBCASE("a missing --config file is an error naming it") {
    const auto missing = dir.path() / "nope.toml";
    const auto error = error_from([&] { resolve_settings(with_config(missing), env_of({})); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), missing.string());
    CHECK_CONTAINS(error->what(), "no such config file");
  }
  SUBCASE("a folder given as --config is an error naming it, not an empty config") {
    const auto folder = dir.path() / "conf.d";
    fs::create_directories(folder);
    const auto error = error_from([&] { resolve_settings(with_config(folder), env_of({})); });
    REQUIRE_MESSAGE(error.has_value(), "--config " << folder.string() << " (a folder) was silently accepted");
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), folder.string());
  }
  SUBCASE("./cora-migrate.toml is read when no --config is given") {
    dir.write("cora-migrate.toml", "migrations_dir = \"sql\"\ndatabase_url = \"postgresql://cwd/db\"\n");
    WorkingDirectory cwd(dir.path());
    const auto s = resolve_settings({}, env_of({}));
    CHECK(s.config_file == fs::path("cora-migrate.toml"));
    CHECK(s.migrations_dir == fs::path("sql"));
    CHECK(s.database_url == std::optional<std::string>("postgresql://cwd/db"));
    CHECK(s.database_url_origin == "cora-migrate.toml:2");
  }
  SUBCASE("no config file at all: built-in defaults, relative to the working folder") {
    WorkingDirectory cwd(dir.path());
    const auto s = resolve_settings({}, env_of({}));
    CHECK(s.config_file.empty());
    CHECK_FALSE(s.database_url.has_value());
    CHECK(s.migrations_dir == fs::path("migrations"));
    CHECK(s.checks_dir == fs::path("checks"));
    CHECK(s.history_table == "cora_migrate.schema_history");
  }
  SUBCASE("--env without a config file is an error naming the environment") {
    WorkingDirectory cwd(dir.path());
    CommandLineSettings flags;
    flags.environment = "staging";
    const auto error = error_from([&] { resolve_settings(flags, env_of({})); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), "--env staging");
    CHECK_CONTAINS(error->what(), "cora-migrate.toml");
  }
  SUBCASE("an unknown --env lists the configured environments") {
    const auto file = dir.write("cora-migrate.toml", "[environments.staging]\n[environments.prod]\n");
    auto flags = with_config(file);
    flags.environment = "qa";
    const auto error = error_from([&] { resolve_settings(flags, env_of({})); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::config);
    CHECK_CONTAINS(error->what(), file.string());
    CHECK_CONTAINS(error->what(), "qa");
    CHECK_CONTAINS(error->what(), "prod, staging");
  }
}

TEST_CASE("resolve_settings: database URL precedence") {
  ScratchDir dir("cora-unit-config");
  const auto file = dir.write("cora-migrate.toml",
                              "database_url = \"postgresql://file/db\"\n"
                              "\n"
                              "[environments.staging]\n"
                              "database_url = \"postgresql://staging/db\"\n"
                              "\n"
                              "[environments.nourl]\n"
                              "migrations_dir = \"other\"\n");
  const std::string file_origin = file.string() + ":1";
  auto flags = with_config(file);

  SUBCASE("the file alone") {
    const auto s = resolve_settings(flags, env_of({}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://file/db"));
    CHECK(s.database_url_origin == file_origin);
  }
  SUBCASE("DATABASE_URL beats the file") {
    const auto s = resolve_settings(flags, env_of({{"DATABASE_URL", "postgresql://env/db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://env/db"));
    CHECK(s.database_url_origin == "DATABASE_URL");
  }
  SUBCASE("CORA_DATABASE_URL beats DATABASE_URL") {
    const auto s = resolve_settings(flags, env_of({{"DATABASE_URL", "postgresql://env/db"},
                                                   {"CORA_DATABASE_URL", "postgresql://cora/db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://cora/db"));
    CHECK(s.database_url_origin == "CORA_DATABASE_URL");
  }
  SUBCASE("an empty variable counts as unset") {
    const auto s =
        resolve_settings(flags, env_of({{"CORA_DATABASE_URL", ""}, {"DATABASE_URL", "postgresql://env/db"}}));
    CHECK(s.database_url_origin == "DATABASE_URL");
    const auto both_empty = resolve_settings(flags, env_of({{"CORA_DATABASE_URL", ""}, {"DATABASE_URL", ""}}));
    CHECK(both_empty.database_url_origin == file_origin);
  }
  SUBCASE("--database-url beats everything") {
    flags.database_url = "postgresql://flag/db";
    const auto s = resolve_settings(flags, env_of({{"DATABASE_URL", "postgresql://env/db"},
                                                   {"CORA_DATABASE_URL", "postgresql://cora/db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://flag/db"));
    CHECK(s.database_url_origin == "--database-url");
  }
  SUBCASE("--env's database_url beats CORA_DATABASE_URL and DATABASE_URL") {
    flags.environment = "staging";
    const auto s = resolve_settings(flags, env_of({{"DATABASE_URL", "postgresql://env/db"},
                                                   {"CORA_DATABASE_URL", "postgresql://cora/db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://staging/db"));
    CHECK(s.database_url_origin == file.string() + ":4");
  }
  SUBCASE("--database-url beats --env") {
    flags.environment = "staging";
    flags.database_url = "postgresql://flag/db";
    const auto s = resolve_settings(flags, env_of({}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://flag/db"));
    CHECK(s.database_url_origin == "--database-url");
  }
  SUBCASE("an --env without database_url does not beat the variables") {
    flags.environment = "nourl";
    const auto s = resolve_settings(flags, env_of({{"DATABASE_URL", "postgresql://env/db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://env/db"));
    CHECK(s.database_url_origin == "DATABASE_URL");
    CHECK(s.migrations_dir == dir.path() / "other");
  }
  SUBCASE("no file and no variables: no URL, so the local cluster is used") {
    ScratchDir empty("cora-unit-config-empty");
    WorkingDirectory cwd(empty.path());
    CHECK_FALSE(resolve_settings({}, env_of({})).database_url.has_value());
  }
  SUBCASE("no file: the variables still apply") {
    ScratchDir empty("cora-unit-config-empty");
    WorkingDirectory cwd(empty.path());
    const auto s = resolve_settings({}, env_of({{"DATABASE_URL", "postgresql://env/db"}}));
    CHECK(s.database_url == std::optional<std::string>("postgresql://env/db"));
    CHECK(s.database_url_origin == "DATABASE_URL");
  }
}

TEST_CASE("resolve_settings: folder flags") {
  ScratchDir dir("cora-unit-config");
  const auto file =
      dir.write("conf/cora-migrate.toml", "migrations_dir = \"from-file\"\nchecks_dir = \"checks-file\"\n");
  auto flags = with_config(file);
  SUBCASE("--migrations and --checks beat the file and are taken as given") {
    flags.migrations_dir = "cli/migrations";
    flags.checks_dir = "/abs/checks";
    const auto s = resolve_settings(flags, env_of({}));
    CHECK(s.migrations_dir == fs::path("cli/migrations"));
    CHECK(s.checks_dir == fs::path("/abs/checks"));
  }
  SUBCASE("without flags the file's folders are used") {
    const auto s = resolve_settings(flags, env_of({}));
    CHECK(s.migrations_dir == dir.path() / "conf/from-file");
    CHECK(s.checks_dir == dir.path() / "conf/checks-file");
  }
}

TEST_CASE("parse_config_text: [diff] ignore") {
  CHECK(parse_config("").diff_ignore.empty());
  const auto s = parse_config("[diff]\nignore = [\"public.legacy_*\", \"extension:pg_stat_statements\"]\n");
  CHECK(s.diff_ignore == std::vector<std::string>{"public.legacy_*", "extension:pg_stat_statements"});
  check_config_error("[diff]\nignore = \"public.x\"\n",
                     "cora-migrate.toml:2: diff.ignore: must be an array of name patterns");
  check_config_error("[diff]\nignore = [1]\n", "diff.ignore: must hold only non-empty strings");
  check_config_error("[diff]\nignor = []\n", "cora-migrate.toml:2: diff.ignor");
}

TEST_CASE("parse_config_text: [migrate] pipeline and pipeline_max_bytes") {
  const auto defaults = parse_config("");
  CHECK(defaults.pipeline.across_files);
  CHECK(defaults.pipeline.max_bytes == 16u * 1024u * 1024u);
  const auto s = parse_config("[migrate]\npipeline = \"file\"\npipeline_max_bytes = 1000\n");
  CHECK_FALSE(s.pipeline.across_files);
  CHECK(s.pipeline.max_bytes == 1000);
  CHECK(parse_config("[migrate]\npipeline = \"run\"\n").pipeline.across_files);
  check_config_error("[migrate]\npipeline = \"all\"\n", "cora-migrate.toml:2");
  check_config_error("[migrate]\npipeline = \"all\"\n", "migrate.pipeline");
  check_config_error("[migrate]\npipeline_max_bytes = 0\n", "migrate.pipeline_max_bytes");
  check_config_error("[migrate]\npipeline_max_bytes = \"1MB\"\n", "migrate.pipeline_max_bytes");
  check_config_error("[migrate]\npipelines = \"run\"\n", "migrate.pipelines");
  check_config_error("migrate = 1\n", "migrate");
}
