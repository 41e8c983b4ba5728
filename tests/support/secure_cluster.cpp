#include "support/secure_cluster.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "cora/db/connection.hpp"
#include "cora/util/process.hpp"
#include "support/free_port.hpp"

namespace cora::test {

namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

// initdb and the server refuse to run as root.
std::optional<SystemUser> server_user() { return geteuid() == 0 ? find_system_user("postgres") : std::nullopt; }

void must(const ProcessResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error(what + " failed: " + r.output);
}

}  // namespace

SecureCluster::SecureCluster() : port_(free_loopback_port()) {
  const auto user = server_user();
  const auto pg = dir_.path() / "pg";
  std::filesystem::create_directories(pg);
  if (user && chown(pg.c_str(), user->uid, user->gid) != 0) throw std::runtime_error("chown failed");
  // Its socket folder: trust on the socket is safe only while no one else may enter it.
  std::filesystem::permissions(pg, std::filesystem::perms::owner_all);
  const auto data = pg / "data";
  must(run_process({std::string(kBin) + "/initdb", "-D", data.string(), "-U", "postgres", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"},
                   user),
       "initdb");
  // The certificate's key must belong to the server's user and be private to it.
  must(run_process({"/usr/bin/openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-newkey", "rsa:2048", "-subj",
                    "/CN=localhost", "-keyout", (data / "server.key").string(), "-out", (data / "server.crt").string()},
                   user),
       "openssl req");
  std::filesystem::permissions(data / "server.key",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ofstream(data / "postgresql.conf", std::ios::app)
      << "\nlisten_addresses = '127.0.0.1'\nport = " << port_ << "\nunix_socket_directories = '" << pg.string()
      << "'\nunix_socket_permissions = 0700\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
      << "password_encryption = 'scram-sha-256'\nlog_connections = on\nfsync = off\n";
  std::ofstream(data / "pg_hba.conf", std::ios::trunc) << "local all all trust\n"
                                                       << "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                                                       << "host all all 127.0.0.1/32 reject\n";
  must(run_process({std::string(kBin) + "/pg_ctl", "start", "-D", data.string(), "-l", (pg / "postgres.log").string(),
                    "-w", "-t", "60", "-s"},
                   user),
       "pg_ctl start");
}

SecureCluster::~SecureCluster() {
  run_process({std::string(kBin) + "/pg_ctl", "stop", "-D", (dir_.path() / "pg" / "data").string(), "-m", "fast", "-w",
               "-s"},
              server_user());
}

std::string SecureCluster::url(const std::string& user, const std::string& dbname, const std::string& sslmode) const {
  return fmt::format("postgresql://{}@127.0.0.1:{}/{}?sslmode={}", user, port_, dbname, sslmode);
}

std::string SecureCluster::socket_conninfo(const std::string& dbname) const {
  return fmt::format("host={} port={} user=postgres dbname={}", (dir_.path() / "pg").string(), port_, dbname);
}

void SecureCluster::execute(const std::string& sql, const std::string& dbname) const {
  Connection::open(socket_conninfo(dbname), std::chrono::seconds(10))->execute_script(sql);
}

std::string SecureCluster::log() const {
  std::ifstream in(dir_.path() / "pg" / "postgres.log");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace cora::test
