#pragma once
// A PostgreSQL 15 cluster as a hosted database is reached: over TCP on 127.0.0.1, with
// ssl = on (a self-signed certificate made with the openssl command line in its scratch
// folder) and SCRAM-SHA-256 passwords. TCP connections without TLS are rejected. The superuser
// connects without a password through the cluster's Unix socket, for the tests' own set-up.
// Stopped and deleted with the object.

#include <filesystem>
#include <string>

#include "support/scratch_dir.hpp"

namespace cora::test {

class SecureCluster {
 public:
  SecureCluster();
  ~SecureCluster();
  SecureCluster(const SecureCluster&) = delete;
  SecureCluster& operator=(const SecureCluster&) = delete;

  int port() const { return port_; }
  // postgresql://USER@127.0.0.1:PORT/DBNAME?sslmode=MODE, no password in it.
  std::string url(const std::string& user, const std::string& dbname, const std::string& sslmode = "require") const;
  // Runs `sql` as the superuser in `dbname` (through the socket); fails the test when it fails.
  void execute(const std::string& sql, const std::string& dbname = "postgres") const;
  // The server log (log_connections is on: one "connection authorized" line per session).
  std::string log() const;
  const std::filesystem::path& folder() const { return dir_.path(); }

 private:
  std::string socket_conninfo(const std::string& dbname) const;

  ScratchDir dir_{"cora-test-secure"};
  int port_ = 0;
};

}  // namespace cora::test
