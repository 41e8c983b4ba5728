#pragma once
// Starting another program and collecting what it says: the one place that forks and execs.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cora/util/process.hpp"

namespace cora {

enum class SubprocessOutput {
  separate,  // stdout into out, stderr into err
  merged,    // both into out, in the order they were written
  terminal,  // both on a new pseudo-terminal (also its stdin), read into out
};

// Outside the class: a nested struct with member initializers cannot be a default argument of it.
struct SubprocessOptions {
  std::filesystem::path cwd;                              // empty: ours
  std::map<std::string, std::optional<std::string>> env;  // on top of ours: set (value) or unset (nullopt)
  // false: the child gets `env` alone, none of ours (for programs that must not see our secrets).
  bool inherit_environment = true;
  std::optional<SystemUser> user;    // run as this user (we must be root)
  std::filesystem::path stdin_file;  // empty: ours (or the terminal's)
  SubprocessOutput output = SubprocessOutput::separate;
  unsigned short terminal_columns = 0;  // with `terminal`: the width it reports (0: none, as openpty makes it)
};

struct SubprocessResult {
  int exit_code = -1;  // its exit status, or 128 + the signal that killed it
  int signal = 0;      // that signal; 0 when it exited
  std::string out;
  std::string err;
};

class Subprocess {
 public:
  using Output = SubprocessOutput;
  using Options = SubprocessOptions;
  using Result = SubprocessResult;

  // Starts argv[0], an absolute path (no PATH search), with argv as its arguments. Throws
  // std::system_error when no pipe or process can be made. Failures in the child show as exit
  // codes: 126 when it could not take its stdin, user or folder, 127 when the exec failed.
  static Subprocess start(const std::vector<std::string>& argv, const Options& options = {});
  static Result run(const std::vector<std::string>& argv, const Options& options = {}) {
    return start(argv, options).wait();
  }

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  // One never waited for is killed and reaped, so that a failed caller leaves no process behind.
  ~Subprocess();

  // For signalling it; -1 once waited for.
  pid_t pid() const { return pid_; }
  // Reads its output until it closes it, then reaps it. Once only.
  Result wait();

 private:
  Subprocess(pid_t pid, int out_fd, int err_fd) : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}
  void release();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;  // -1 when stderr is not read apart
};

}  // namespace cora
