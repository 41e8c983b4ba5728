#include "commands/database_target.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <array>

#include "db/conninfo_check.hpp"
#include "db/redact_conninfo.hpp"
#include "local/local_cluster.hpp"

namespace cora::cli {

namespace {

DatabaseTarget open_target(const Settings& settings) {
  if (settings.database_url) {
    refuse_mistyped_conninfo(*settings.database_url, settings.database_url_origin);
    return {Connection::open_when_ready(*settings.database_url, settings.timeouts.connect, settings.timeouts.wait),
            redact_conninfo(*settings.database_url)};
  }
  LocalCluster cluster(settings.local.data_dir, settings.local.pg_bin_dir);
  cluster.ensure_running();
  return {Connection::open(cluster.conninfo(), settings.timeouts.connect),
          fmt::format("local cluster {} (database postgres)", cluster.root().string())};
}

}  // namespace

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
