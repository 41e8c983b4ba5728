#include "support/transaction_pooler.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "cora/db/connection.hpp"
#include "support/test_cluster.hpp"
#include "cora/util/process.hpp"
#include "support/free_port.hpp"

namespace cora::test {

TransactionPooler::TransactionPooler(int port) : port_(port == kAnyFreePort ? free_loopback_port() : port) {
  const auto socket = test_cluster().socket_dir().string();
  dir_.write("pgbouncer.ini",
             fmt::format(R"([databases]
* = host={socket} port=5432 user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
logfile = {dir}/pgbouncer.log
pidfile = {dir}/pgbouncer.pid
)",
                         fmt::arg("socket", socket), fmt::arg("port", port_), fmt::arg("dir", dir_.path().string())));
  // PgBouncer will not run as root.
  const auto user = geteuid() == 0 ? find_system_user("postgres") : std::nullopt;
  if (user && chown(dir_.path().c_str(), user->uid, user->gid) != 0) throw std::runtime_error("chown failed");
  const auto started = run_process({"/usr/sbin/pgbouncer", "-d", (dir_.path() / "pgbouncer.ini").string()}, user);
  if (started.exit_code != 0) throw std::runtime_error("pgbouncer did not start: " + started.output);
  for (int i = 0; i < 100; ++i) {
    try {
      Connection::open(url("postgres"), std::chrono::seconds(2))->query("SELECT 1");
      return;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  throw std::runtime_error("pgbouncer does not answer on port " + std::to_string(port_));
}

TransactionPooler::~TransactionPooler() {
  std::ifstream pidfile(dir_.path() / "pgbouncer.pid");
  int pid = 0;
  if (pidfile >> pid && pid > 0) {
    kill(pid, SIGTERM);
    for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string TransactionPooler::url(const std::string& dbname) const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/{}?sslmode=disable", port_, dbname);
}

}  // namespace cora::test
