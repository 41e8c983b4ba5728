#pragma once
// Folders of the embedded cluster that no one but its owner may enter or change, made in
// places others may write to (/tmp, /var/tmp) without following a link planted there: an
// existing path is used only when it is a real folder of ours, and a mode or an owner is only
// ever changed through a descriptor of the folder itself (fchmod/fchown), never through a path.

#include <filesystem>
#include <string>

#include "cora/util/process.hpp"

namespace cora {

// The user we run as (the cluster's owner when we are not root).
SystemUser current_user();

// Makes `dir` (its parent must exist) with mode 0700, owned by `owner`. An existing one is used
// only when it is a folder, not a link, owned by `owner` or by us; its mode and owner are then
// set to 0700 and `owner` (it is ours: only we, or root, could have made it). Anything else is
// refused: Error(local_cluster) naming the path, to be removed by hand.
void make_private_folder(const std::filesystem::path& dir, const SystemUser& owner);

// Makes `dir` (mode 0755) if missing; then it must be a folder, not a link, owned by us and
// writable by no one else, or it is refused: a parent other users cannot swap folders in. For
// the clusters that live under /var/tmp when run as root.
void make_trusted_folder(const std::filesystem::path& dir);

// Opens `path` as a folder without following a link in its last part; -1 (errno set) if it is
// a link, not a folder, or missing.
int open_folder_no_follow(const std::filesystem::path& path);

// Writes `text` into a new file `name` of the folder open as `folder_fd`, mode 0644; false when
// `name` exists already (as a file or as a link, which is never followed) or cannot be written.
bool write_new_file_at(int folder_fd, const char* name, const std::string& text);

// The folder cora-migrate keeps its own files in (`.cora/`, the parent of the default
// [local] data_dir): it gets a `.gitignore` of `*`, so that git leaves all of it out, the
// `.gitignore` too. Written only into `folder` itself (opened without following a link) and
// only when there is none: one of the user's own is left as it is. Best effort: nothing is
// refused when it cannot be written.
void ignore_tool_folder_in_git(const std::filesystem::path& folder);

}  // namespace cora
