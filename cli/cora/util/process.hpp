#pragma once
// Running helper programs (initdb, pg_ctl), as another system user when we are root.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cora {

struct SystemUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;  // its home folder, for HOME in a child's environment
};

// The user named `name`, or nullopt if there is none.
std::optional<SystemUser> find_system_user(const std::string& name);

struct ProcessResult {
  int exit_code = -1;  // -1 when it could not be started or died by a signal
  std::string output;  // stdout and stderr together
};

// Runs argv[0] (an absolute path) with the given arguments, as `user` when set, in folder "/",
// with the minimal environment (minimal_environment()), and waits for it. Never throws for a
// failing program; check exit_code.
ProcessResult run_process(const std::vector<std::string>& argv, const std::optional<SystemUser>& user);

// What initdb, pg_ctl and the server they start are given instead of our environment: PATH,
// LANG=C, LC_ALL=C and HOME (the home of `user`, or ours), nothing else. A long-running server
// must not keep DATABASE_URL, PGPASSWORD or any other secret of the command that started it.
std::map<std::string, std::string> minimal_environment(const std::optional<SystemUser>& user);

// True if `user` may enter `dir`, i.e. every folder on the way has search permission for it
// (checked as that user, in a child process).
bool user_can_enter(const SystemUser& user, const std::filesystem::path& dir);

}  // namespace cora
