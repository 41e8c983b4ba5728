#include "commands/database_target.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "cora/db/conninfo_check.hpp"
#include "cora/db/redact_conninfo.hpp"
#include "cora/error.hpp"
#include "cora/local/local_cluster.hpp"

namespace cora::cli {

namespace {

// No database was named: in CI that is almost always a missing secret, so it is refused there;
// elsewhere the embedded cluster is used, and said so.
void announce_or_refuse_fallback(const Settings& settings) {
  if (settings.local_chosen) return;
  if (settings.in_ci) {
    throw Error(ExitCode::config,
                "CI is set and no database is configured (--database-url, CORA_DATABASE_URL, DATABASE_URL or "
                "database_url in cora-migrate.toml)",
                "is the job's secret missing? Set one, or pass --local to use the embedded PostgreSQL on purpose");
  }
  if (settings.quiet) return;
  std::fprintf(stderr,
               "note: no database configured (--database-url, CORA_DATABASE_URL, DATABASE_URL, database_url): using "
               "the embedded PostgreSQL in %s (--local says so and silences this)\n",
               settings.local.data_dir.string().c_str());
}

// A .env found beside the config file chose the server: a repository's .env is not something the
// user typed, so which file and which server (without its password) are said before connecting,
// once per run, --quiet or not.
void announce_env_file_beside(const Settings& settings) {
  static bool announced = false;
  if (!settings.database_url_from_env_beside || announced) return;
  announced = true;
  std::fprintf(stderr,
               "note: using %s: %s (a .env beside the config file chose it; --database-url and "
               "CORA_DATABASE_URL / DATABASE_URL set in the environment win over it)\n",
               settings.database_url_origin.c_str(), redact_conninfo(*settings.database_url).c_str());
}

DatabaseTarget open_target(const Settings& settings) {
  if (settings.database_url) {
    refuse_mistyped_conninfo(*settings.database_url, settings.database_url_origin);
    announce_env_file_beside(settings);
    return {Connection::open_when_ready(*settings.database_url, settings.timeouts.connect, settings.timeouts.wait),
            redact_conninfo(*settings.database_url)};
  }
  refuse_cluster_outside_project(settings);
  announce_or_refuse_fallback(settings);
  LocalCluster cluster(settings.local.data_dir, settings.local.pg_bin_dir);
  cluster.ensure_running();
  return {Connection::open(cluster.conninfo(), settings.timeouts.connect),
          fmt::format("local cluster {} (database postgres)", cluster.root().string())};
}

}  // namespace

void refuse_cluster_outside_project(const Settings& settings) {
  std::error_code ec;
  if (!settings.config_file.empty() || settings.modules || std::filesystem::is_directory(settings.migrations_dir, ec) ||
      std::filesystem::is_directory(settings.local.data_dir, ec)) {
    return;
  }
  throw Error(
      ExitCode::migration_files,
      fmt::format("no cora-migrate.toml and no {} folder here: this is not a project folder, so no embedded "
                  "PostgreSQL is created in it",
                  settings.migrations_dir.string()),
      "run it in the project's folder, pass --migrations DIR or --config FILE, or create the folder (cora-migrate "
      "new NAME does)");
}

DatabaseTarget connect_to_target(const Settings& settings) {
  auto target = open_target(settings);
  // Every command's own reads (history, catalog, probes) wait for a lock no longer than lock_wait.
  target.db->set_lock_wait(settings.timeouts.lock_wait);
  return target;
}

std::string client_identity() {
  const passwd* entry = getpwuid(geteuid());
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return fmt::format("{}@{}", entry ? entry->pw_name : std::to_string(geteuid()), host.data());
}

}  // namespace cora::cli
