#include "cora/local/cluster_folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include "cora/error.hpp"
#include "cora/local/private_folder.hpp"

namespace cora {

namespace {

constexpr const char* kMadeLine = "folder: made by cora-migrate\n";
constexpr const char* kAdoptedLine = "folder: was there (empty) before; only what is inside was made by cora-migrate\n";
constexpr const char* kLegacyReadyMarker = "cora-ready";
// The folder of the default data_dir (.cora/local), which cora-migrate keeps out of git.
constexpr const char* kToolFolder = ".cora";

// The names in the folder open as `fd` (which stays open), or nullopt if it cannot be read.
std::optional<std::vector<std::string>> names_in(int fd) {
  const int copy = ::dup(fd);
  if (copy < 0) return std::nullopt;
  DIR* listing = fdopendir(copy);
  if (!listing) {
    ::close(copy);
    return std::nullopt;
  }
  std::vector<std::string> names;
  while (const dirent* entry = readdir(listing)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(listing);
  return names;
}

// Why a folder that is not ours is refused: it holds something else (the first name, sorted).
std::string foreign_files(const std::filesystem::path& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) names.push_back(entry.path().filename());
  const auto first = std::min_element(names.begin(), names.end());
  return fmt::format("holds files cora-migrate did not make ('{}')", first == names.end() ? "?" : *first);
}

bool is_regular_file_no_follow(const std::filesystem::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

}  // namespace

ClusterFolder::ClusterFolder(std::filesystem::path root, std::vector<std::string> entries)
    : root_(std::move(root)), entries_(std::move(entries)) {}

void ClusterFolder::refuse(const std::string& why) const {
  throw Error(ExitCode::local_cluster,
              fmt::format("{}: [local] data_dir {}; cora-migrate neither uses nor changes a folder it did not make",
                          root_.string(), why),
              "point [local] data_dir at a new folder (the default is .cora/local), or at an empty one only you can "
              "write to");
}

bool ClusterFolder::ours() const {
  if (is_regular_file_no_follow(root_ / kMarker)) return true;
  if (!is_regular_file_no_follow(root_ / kLegacyReadyMarker)) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_, ec)) {
    const auto name = entry.path().filename().string();
    if (std::find(entries_.begin(), entries_.end(), name) == entries_.end()) return false;
  }
  return !ec;
}

bool ClusterFolder::made_by_us() const {
  std::ifstream in(root_ / kMarker);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // An earlier version's folder has no marker: those versions always made the folder.
  return !in.is_open() || text.rfind(kMadeLine, 0) == 0;
}

void ClusterFolder::claim(const SystemUser& owner) const {
  std::error_code ec;
  std::filesystem::create_directories(root_.parent_path(), ec);
  if (ec) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: cannot create folder: {}", root_.parent_path().string(), ec.message()),
                "set [local] data_dir in cora-migrate.toml to a writable folder");
  }
  if (root_.parent_path().filename() == kToolFolder) ignore_tool_folder_in_git(root_.parent_path());
  if (::mkdir(root_.c_str(), 0700) == 0) {
    make_private_folder(root_, owner);  // ours, just made: hand it to the cluster's user
    const int fd = open_folder_no_follow(root_);
    const bool marked = fd >= 0 && write_new_file_at(fd, kMarker, kMadeLine);
    if (fd >= 0) ::close(fd);
    if (!marked) refuse("could not be marked as made by cora-migrate");
    return;
  }
  if (errno != EEXIST) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: cannot create folder: {}", root_.string(), std::strerror(errno)),
                "set [local] data_dir in cora-migrate.toml to a writable folder");
  }
  const int fd = open_folder_no_follow(root_);
  if (fd < 0) refuse("is a symbolic link or not a folder");
  struct stat info {};
  const bool stated = fstat(fd, &info) == 0;
  const auto names = names_in(fd);
  if (!stated || !names) {
    ::close(fd);
    refuse("cannot be read");
  }
  if (ours()) {
    // An earlier version's folder (it made them all) gets the marker, and is closed to others.
    if (!is_regular_file_no_follow(root_ / kMarker) && write_new_file_at(fd, kMarker, kMadeLine) &&
        (info.st_uid == geteuid() || info.st_uid == owner.uid)) {
      fchmod(fd, 0700);
    }
    ::close(fd);
    return;
  }
  std::string why;
  if (!names->empty()) {
    why = foreign_files(root_);
  } else if (info.st_uid != geteuid() && info.st_uid != owner.uid) {
    why = fmt::format("belongs to another user (uid {})", info.st_uid);
  } else if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    why = fmt::format("may be written to by others (mode {:04o})", info.st_mode & 07777);
  }
  // O_EXCL: a parallel run that claimed it a moment ago wrote the marker first, which is fine.
  const bool marked = why.empty() && (write_new_file_at(fd, kMarker, kAdoptedLine) || ours());
  ::close(fd);
  if (!why.empty()) refuse(why);
  if (!marked) refuse("could not be marked as used by cora-migrate");
}

void ClusterFolder::release() const {
  struct stat info {};
  if (::lstat(root_.c_str(), &info) != 0) return;  // nothing there: nothing to delete
  if (!S_ISDIR(info.st_mode)) refuse("is a symbolic link or not a folder");
  if (!ours()) {
    std::error_code listing_error;
    if (std::filesystem::is_empty(root_, listing_error)) return;  // an empty folder: nothing of ours in it
    refuse(foreign_files(root_));
  }
  const bool made = made_by_us();
  std::error_code ec;
  for (const auto& name : entries_) {
    std::filesystem::remove_all(root_ / name, ec);  // never follows a link: removes the link itself
    if (ec) {
      throw Error(ExitCode::local_cluster, fmt::format("{}: cannot delete: {}", (root_ / name).string(), ec.message()),
                  "delete the folder by hand");
    }
  }
  // A folder we were given keeps its marker (it is still ours to use); one we made goes, but only
  // when nothing else has been put in it since (else it keeps its marker, and what was put there).
  if (!made) return;
  std::filesystem::remove(root_ / kMarker, ec);
  if (::rmdir(root_.c_str()) != 0) {
    const int fd = open_folder_no_follow(root_);
    if (fd >= 0) {
      write_new_file_at(fd, kMarker, kMadeLine);
      ::close(fd);
    }
  }
}

}  // namespace cora
