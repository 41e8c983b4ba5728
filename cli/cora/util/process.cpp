#include "cora/util/process.hpp"

#include <pwd.h>

#include <system_error>

#include "cora/util/subprocess.hpp"

namespace cora {

std::optional<SystemUser> find_system_user(const std::string& name) {
  const passwd* entry = getpwnam(name.c_str());
  if (!entry) return std::nullopt;
  return SystemUser{name, entry->pw_uid, entry->pw_gid};
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::optional<SystemUser>& user) {
  Subprocess::Options options;
  options.cwd = "/";
  options.user = user;
  options.stdin_file = "/dev/null";
  options.output = Subprocess::Output::merged;
  try {
    auto done = Subprocess::run(argv, options);
    return {done.signal != 0 ? -1 : done.exit_code, std::move(done.out)};
  } catch (const std::system_error&) {
    return {};
  }
}

}  // namespace cora
