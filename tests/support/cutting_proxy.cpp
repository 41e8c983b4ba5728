#include "support/cutting_proxy.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "support/test_cluster.hpp"

namespace cora::test {

namespace {

int connect_to_cluster() {
  const std::string path = (test_cluster().socket_dir() / ".s.PGSQL.5432").string();
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

struct Pair {
  int client = -1;
  int server = -1;
  std::chrono::steady_clock::time_point opened;
};

}  // namespace

void CuttingProxy::announce_major(char* data, std::size_t size) const {
  const int major = announced_major_;
  if (major < 10 || major > 99) return;
  // ParameterStatus: 'S', length, "server_version\0", "15.4\0".
  static constexpr char kName[] = "server_version";
  const std::string text(data, size);
  const auto at = text.find(std::string(kName, sizeof(kName)));  // with its NUL
  if (at == std::string::npos || at + sizeof(kName) + 2 > size) return;
  const std::string digits = std::to_string(major);
  data[at + sizeof(kName)] = digits[0];
  data[at + sizeof(kName) + 1] = digits[1];
}

CuttingProxy::CuttingProxy() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("proxy cannot listen");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

CuttingProxy::~CuttingProxy() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string CuttingProxy::url(const std::string& dbname) const {
  // As the cluster's superuser, as the tests' own connections are (test_cluster.hpp).
  return fmt::format("postgresql://{}@127.0.0.1:{}/{}?sslmode=disable", LocalCluster::kSuperuser, port_, dbname);
}

void CuttingProxy::serve() {
  std::vector<Pair> pairs;
  std::array<char, 16384> buffer{};
  while (!stop_) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (const auto& p : pairs) {
      fds.push_back({p.client, POLLIN, 0});
      fds.push_back({p.server, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), 20);
    const long long cut = cut_after_ms_;
    std::vector<Pair> kept;
    if (fds[0].revents & POLLIN) {
      const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      const int server = client >= 0 ? connect_to_cluster() : -1;
      if (server >= 0) {
        kept.push_back({client, server, std::chrono::steady_clock::now()});
        ++accepted_;
      } else if (client >= 0) close(client);
    }
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      Pair& p = pairs[i];
      bool closed = cut >= 0 && std::chrono::steady_clock::now() - p.opened >= std::chrono::milliseconds(cut);
      for (int side = 0; side < 2 && !closed; ++side) {
        const pollfd& f = fds[1 + 2 * i + static_cast<std::size_t>(side)];
        if (!(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = read(f.fd, buffer.data(), buffer.size());
        if (side == 1 && n > 0) announce_major(buffer.data(), static_cast<std::size_t>(n));
        const int to = side == 0 ? p.server : p.client;
        closed = n <= 0 || write(to, buffer.data(), static_cast<std::size_t>(n)) != n;
      }
      if (closed) {
        close(p.client);
        close(p.server);
      } else {
        kept.push_back(p);
      }
    }
    pairs.swap(kept);
  }
  for (const auto& p : pairs) {
    close(p.client);
    close(p.server);
  }
}

}  // namespace cora::test
