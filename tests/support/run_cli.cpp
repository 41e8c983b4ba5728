#include "support/run_cli.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace cora::test {

std::filesystem::path source_dir() { return CORA_SOURCE_DIR; }

namespace {

// In the child, just before exec: the environment the test asked for, the folder, and exec.
[[noreturn]] void exec_cli(std::vector<std::string> argv, const CliOptions& options) {
  // Tests say which database to use; the developer's own settings must not leak in. CI too: the
  // suite runs with CI=true in CI, and the tests of the embedded fallback set it themselves.
  for (const char* name : {"CORA_DATABASE_URL", "DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE",
                           "PGPASSWORD", "PGSERVICE", "NO_COLOR", "CI"}) {
    unsetenv(name);
  }
  for (const auto& [name, value] : options.env) {
    if (value) setenv(name.c_str(), value->c_str(), 1);
    else unsetenv(name.c_str());
  }
  if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  execv(raw[0], raw.data());
  _exit(127);
}

std::vector<std::string> full_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{CORA_MIGRATE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

CliResult run_cli_on_terminal(const std::vector<std::string>& args, const CliOptions& options) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    setenv("TERM", "xterm", 1);
    exec_cli(full_argv(args), options);
  }
  CliResult result;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = read(master, buffer.data(), buffer.size());
    if (n > 0) result.out.append(buffer.data(), static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;  // EIO once the child has closed the terminal
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

RunningCli start_cli(const std::vector<std::string>& args, const CliOptions& options) {
  return start_program(full_argv(args), options);
}

RunningCli start_program(const std::vector<std::string>& argv, const CliOptions& options) {
  std::array<int, 2> out{}, err{};
  if (pipe2(out.data(), O_CLOEXEC) != 0 || pipe2(err.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    exec_cli(argv, options);
  }
  close(out[1]);
  close(err[1]);
  return {pid, out[0], err[0]};
}

CliResult wait_cli(RunningCli running) {
  CliResult result;
  std::array<pollfd, 2> fds{{{running.out_fd, POLLIN, 0}, {running.err_fd, POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = 2;
  std::array<char, 4096> buffer{};
  while (open_fds > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(running.pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CliResult run_cli(const std::vector<std::string>& args, const CliOptions& options) {
  return wait_cli(start_cli(args, options));
}

std::string unwrapped(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    // A continuation: two spaces then text (the message), or the eight that line up under "help: ".
    const bool message_part =
        line.size() > 2 && line.substr(0, 2) == "  " && line[2] != ' ' && line.substr(2, 5) != "help:";
    const bool help_part = line.size() > 8 && line.substr(0, 8) == "        " && line[8] != ' ';
    if ((message_part || help_part) && !out.empty() && out.back() == '\n') {
      out.back() = ' ';
      out.append(line.substr(message_part ? 2 : 8));
    } else {
      out.append(line);
    }
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace cora::test
