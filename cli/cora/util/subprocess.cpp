#include "cora/util/subprocess.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string_view>
#include <system_error>
#include <utility>

extern char** environ;

namespace cora {

namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// In the child: become `user` for good (groups first, while we still may change them).
bool become_user(const SystemUser& user) {
  return setgroups(0, nullptr) == 0 && setgid(user.gid) == 0 && setuid(user.uid) == 0;
}

// Ours (or none, when not `inherit`) with `changes` applied, as "NAME=value" entries; made before fork, since the child may
// only call async-signal-safe functions and setenv() is not one.
std::vector<std::string> child_environment(const std::map<std::string, std::optional<std::string>>& changes,
                                           bool inherit) {
  std::vector<std::string> entries;
  for (char** entry = inherit ? environ : nullptr; entry && *entry; ++entry) {
    const std::string_view whole(*entry);
    const std::string name(whole.substr(0, whole.find('=')));
    if (changes.count(name) == 0) entries.emplace_back(*entry);
  }
  for (const auto& [name, value] : changes) {
    if (value) entries.push_back(name + "=" + *value);
  }
  return entries;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> raw;
  raw.reserve(strings.size() + 1);
  for (auto& s : strings) raw.push_back(s.data());
  raw.push_back(nullptr);
  return raw;
}

void close_all(std::initializer_list<int> fds) {
  for (const int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

// Reaps `pid`; a negative status when waitpid itself failed.
int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

}  // namespace

Subprocess Subprocess::start(const std::vector<std::string>& argv, const Options& options) {
  std::vector<std::string> args = argv;
  std::vector<char*> raw_args = pointers_to(args);
  std::vector<std::string> env = child_environment(options.env, options.inherit_environment);
  std::vector<char*> raw_env = pointers_to(env);

  // [0] is ours to read, [1] the child's to write; close-on-exec, so that only the child's
  // dup2() copies survive its exec (and no other child started meanwhile holds them open).
  std::array<int, 2> out{-1, -1}, err{-1, -1};
  if (options.output == Output::terminal) {
    winsize size{};
    size.ws_row = 24;
    size.ws_col = options.terminal_columns;
    if (openpty(&out[0], &out[1], nullptr, nullptr, options.terminal_columns > 0 ? &size : nullptr) != 0) {
      throw_errno("openpty");
    }
    fcntl(out[0], F_SETFD, FD_CLOEXEC);
    fcntl(out[1], F_SETFD, FD_CLOEXEC);
  } else if (pipe2(out.data(), O_CLOEXEC) != 0) {
    throw_errno("pipe2");
  }
  if (options.output == Output::separate && pipe2(err.data(), O_CLOEXEC) != 0) {
    const int saved = errno;
    close_all({out[0], out[1]});
    errno = saved;
    throw_errno("pipe2");
  }

  const pid_t pid = fork();
  if (pid < 0) {
    const int saved = errno;
    close_all({out[0], out[1], err[0], err[1]});
    errno = saved;
    throw_errno("fork");
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here on: another thread may have held a lock at fork().
    if (options.output == Output::terminal) {
      if (setsid() < 0 || ioctl(out[1], TIOCSCTTY, 0) != 0) _exit(126);
      dup2(out[1], STDIN_FILENO);
    }
    dup2(out[1], STDOUT_FILENO);
    dup2(options.output == Output::separate ? err[1] : out[1], STDERR_FILENO);
    if (!options.stdin_file.empty()) {
      const int in = open(options.stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
      if (in < 0 || dup2(in, STDIN_FILENO) < 0) _exit(126);
    }
    if (options.user && !become_user(*options.user)) _exit(126);
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
    execve(raw_args[0], raw_args.data(), raw_env.data());
    _exit(127);
  }
  close_all({out[1], err[1]});
  return Subprocess(pid, out[0], err[0]);
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      out_fd_(std::exchange(other.out_fd_, -1)),
      err_fd_(std::exchange(other.err_fd_, -1)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    err_fd_ = std::exchange(other.err_fd_, -1);
  }
  return *this;
}

Subprocess::~Subprocess() { release(); }

void Subprocess::release() {
  close_all({out_fd_, err_fd_});
  out_fd_ = err_fd_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    reap(pid_);
  }
  pid_ = -1;
}

Subprocess::Result Subprocess::wait() {
  Result result;
  if (pid_ < 0) return result;  // waited for already, or moved from
  std::array<pollfd, 2> fds{{{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = (out_fd_ >= 0) + (err_fd_ >= 0);
  std::array<char, 4096> buffer{};
  while (open_fds > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {  // a terminal says EIO once the child has closed it
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  close_all({fds[0].fd, fds[1].fd});
  out_fd_ = err_fd_ = -1;

  const int status = reap(std::exchange(pid_, -1));
  if (status >= 0 && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (status >= 0 && WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  }
  return result;
}

bool user_can_enter(const SystemUser& user, const std::filesystem::path& dir) {
  // Not a program but one call as that user, so no exec, no pipes: the child's exit status is the answer.
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) _exit(become_user(user) && access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  const int status = reap(pid);
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace cora
