#pragma once
// A loopback TCP proxy to the test cluster that drops every connection on demand: a network
// that fails mid-migration or mid-verify. It can also make the server announce another major
// version, for what a client does with a server of another version than ours.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace cora::test {

class CuttingProxy {
 public:
  // Listens on 127.0.0.1 on a free port; forwards to the test cluster's socket.
  CuttingProxy();
  ~CuttingProxy();
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  // A URL to `dbname` through the proxy.
  std::string url(const std::string& dbname) const;
  // Drop every connection `delay` after the next client connects (and refuse no new ones).
  void cut_after(std::chrono::milliseconds delay) { cut_after_ms_ = delay.count(); }
  // Rewrites the major version in the server_version the server reports at start-up (the
  // ParameterStatus libpq's PQserverVersion reads): "15.4" becomes "16.4" for `major` 16. Two
  // digits, so that no message changes length. Only what the client is told changes.
  void announce_major_version(int major) { announced_major_ = major; }
  // How many client connections the proxy has accepted (and relayed) so far: what a command
  // pays in connection set-up at a distance.
  int connections() const { return accepted_; }

 private:
  void serve();
  void announce_major(char* data, std::size_t size) const;

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<long long> cut_after_ms_{-1};
  std::atomic<int> announced_major_{0};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace cora::test
