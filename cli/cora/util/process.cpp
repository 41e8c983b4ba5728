#include "cora/util/process.hpp"

#include <pwd.h>
#include <unistd.h>

#include <system_error>

#include "cora/util/subprocess.hpp"

namespace cora {

std::optional<SystemUser> find_system_user(const std::string& name) {
  const passwd* entry = getpwnam(name.c_str());
  if (!entry) return std::nullopt;
  return SystemUser{name, entry->pw_uid, entry->pw_gid, entry->pw_dir ? entry->pw_dir : "/"};
}

std::map<std::string, std::string> minimal_environment(const std::optional<SystemUser>& user) {
  std::string home = "/";
  if (user) {
    home = user->home;
  } else if (const passwd* self = getpwuid(geteuid()); self && self->pw_dir) {
    home = self->pw_dir;
  }
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LANG", "C"}, {"LC_ALL", "C"}, {"HOME", home}};
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::optional<SystemUser>& user) {
  Subprocess::Options options;
  options.cwd = "/";
  options.user = user;
  options.inherit_environment = false;
  for (auto& [name, value] : minimal_environment(user)) options.env[name] = value;
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
