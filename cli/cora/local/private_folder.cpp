#include "cora/local/private_folder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cora/error.hpp"

namespace cora {

namespace {

// Closes a descriptor on every way out.
class FolderDescriptor {
 public:
  explicit FolderDescriptor(int fd) : fd_(fd) {}
  ~FolderDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FolderDescriptor(const FolderDescriptor&) = delete;
  FolderDescriptor& operator=(const FolderDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void refuse_folder(const std::filesystem::path& dir, const std::string& why) {
  throw Error(ExitCode::local_cluster, fmt::format("{}: {}; cora-migrate does not use it", dir.string(), why),
              fmt::format("remove {} (after checking who made it), then run the command again", dir.string()));
}

// Opens `dir`, which mkdir() just made or found, refusing a link or anything else that is not a
// folder; fills `info`.
int open_checked(const std::filesystem::path& dir, struct stat& info) {
  const int fd = open_folder_no_follow(dir);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) refuse_folder(dir, "it is a symbolic link or not a folder");
    throw Error(ExitCode::local_cluster, fmt::format("{}: cannot open folder: {}", dir.string(), std::strerror(errno)),
                "set [local] data_dir in cora-migrate.toml to a writable folder");
  }
  if (fstat(fd, &info) != 0) {
    ::close(fd);
    throw Error(ExitCode::local_cluster, fmt::format("{}: cannot read folder: {}", dir.string(), std::strerror(errno)));
  }
  return fd;
}

}  // namespace

SystemUser current_user() {
  SystemUser self;
  self.uid = geteuid();
  self.gid = getegid();
  self.home = minimal_environment(std::nullopt).at("HOME");
  return self;
}

int open_folder_no_follow(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

bool write_new_file_at(int folder_fd, const char* name, const std::string& text) {
  const int file = ::openat(folder_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (file < 0) return false;
  const bool written = ::write(file, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(file);
  return written;
}

void ignore_tool_folder_in_git(const std::filesystem::path& folder) {
  const FolderDescriptor fd(open_folder_no_follow(folder));
  if (fd.get() < 0) return;  // a link, or not there: not ours to write into
  static_cast<void>(write_new_file_at(fd.get(), ".gitignore", "*\n"));
}

void make_private_folder(const std::filesystem::path& dir, const SystemUser& owner) {
  // mkdir() never follows a link in the last part: a planted link makes it fail with EEXIST.
  const bool made = ::mkdir(dir.c_str(), 0700) == 0;
  if (!made && errno != EEXIST) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: cannot create folder: {}", dir.string(), std::strerror(errno)),
                "set [local] data_dir in cora-migrate.toml to a writable folder");
  }
  struct stat info {};
  const FolderDescriptor fd(open_checked(dir, info));
  const uid_t us = geteuid();
  if (made ? info.st_uid != us : info.st_uid != us && info.st_uid != owner.uid) {
    refuse_folder(dir, fmt::format("it belongs to another user (uid {})", info.st_uid));
  }
  if ((info.st_uid != owner.uid || info.st_gid != owner.gid) && fchown(fd.get(), owner.uid, owner.gid) != 0) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: cannot hand the folder to the user the cluster runs as: {}", dir.string(),
                            std::strerror(errno)),
                "set [local] data_dir to a folder on a local file system");
  }
  if ((info.st_mode & 07777) != 0700 && fchmod(fd.get(), 0700) != 0) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: cannot make the folder private: {}", dir.string(), std::strerror(errno)));
  }
}

void make_trusted_folder(const std::filesystem::path& dir) {
  const bool made = ::mkdir(dir.c_str(), 0755) == 0;
  if (!made && errno != EEXIST) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: cannot create folder: {}", dir.string(), std::strerror(errno)),
                "run cora-migrate as a normal user, or set [local] data_dir to a folder the postgres user can reach");
  }
  struct stat info {};
  const FolderDescriptor fd(open_checked(dir, info));
  if (info.st_uid != geteuid()) refuse_folder(dir, fmt::format("it belongs to another user (uid {})", info.st_uid));
  if (made) {
    // The umask may have taken the search right the cluster's user needs to pass through it.
    if (fchmod(fd.get(), 0755) != 0) {
      throw Error(ExitCode::local_cluster,
                  fmt::format("{}: cannot set its mode: {}", dir.string(), std::strerror(errno)));
    }
  } else if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    refuse_folder(dir, fmt::format("others may write to it (mode {:04o})", info.st_mode & 07777));
  }
}

}  // namespace cora
