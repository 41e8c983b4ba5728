#include "commands/database_target.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "error.hpp"
#include "local/local_cluster.hpp"
#include "util/redact.hpp"

namespace cora::cli {

namespace {

// libpq takes a string that is neither a postgresql:// URL nor key=value pairs as a database
// name, and would send "mysql://app:pw@host/db", password and all, to the default server.
void reject_foreign_url(const std::string& url, const std::string& origin) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0 || url.rfind("postgresql://", 0) == 0 ||
      url.rfind("postgres://", 0) == 0) {
    return;
  }
  const std::string scheme = url.substr(0, scheme_end);
  const bool looks_like_scheme = std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
  if (!looks_like_scheme) return;
  throw Error(ExitCode::connection,
              fmt::format("{}: a {}:// URL is not a PostgreSQL connection string", origin, scheme),
              "write it as postgresql://user@host:5432/dbname (lower case) or as key=value pairs");
}

}  // namespace

namespace {

DatabaseTarget open_target(const Settings& settings) {
  if (settings.database_url) {
    reject_foreign_url(*settings.database_url, settings.database_url_origin);
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
