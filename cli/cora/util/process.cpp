#include "cora/util/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace cora {

namespace {

// In the child: become `user` for good (groups first, while we still may change them).
bool become(const SystemUser& user) {
  return setgroups(0, nullptr) == 0 && setgid(user.gid) == 0 && setuid(user.uid) == 0;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::optional<SystemUser> find_system_user(const std::string& name) {
  const passwd* entry = getpwnam(name.c_str());
  if (!entry) return std::nullopt;
  return SystemUser{name, entry->pw_uid, entry->pw_gid};
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::optional<SystemUser>& user) {
  std::array<int, 2> pipe_fds{};
  if (pipe2(pipe_fds.data(), O_CLOEXEC) != 0) return {};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return {};
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    if ((user && !become(*user)) || chdir("/") != 0) _exit(126);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  ProcessResult result;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer.data(), buffer.size());
    if (n > 0) result.output.append(buffer.data(), static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  close(pipe_fds[0]);
  result.exit_code = wait_for(pid);
  return result;
}

bool user_can_enter(const SystemUser& user, const std::filesystem::path& dir) {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) _exit(become(user) && access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  return wait_for(pid) == 0;
}

}  // namespace cora
