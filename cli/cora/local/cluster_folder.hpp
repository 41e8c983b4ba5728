#pragma once
// The folder `[local] data_dir` names, and what cora-migrate may do with it: it uses a folder
// it makes, or an empty one it is given, and writes a marker file into it first; it refuses any
// other folder (the project itself, a shared folder), and later removes only what it made.

#include <filesystem>
#include <string>
#include <vector>

#include "cora/util/process.hpp"

namespace cora {

class ClusterFolder {
 public:
  // `entries`: the names the cluster puts into the folder, all that release() ever deletes.
  ClusterFolder(std::filesystem::path root, std::vector<std::string> entries);

  // True when the folder holds our marker (or is a cluster folder of an earlier version: one
  // that holds cora-ready and nothing but `entries`).
  bool ours() const;

  // Makes the folder (mode 0700, owned by `owner`; missing parents as the umask says), or takes
  // an existing empty one as it is (its mode and owner untouched) when it is owned by us or
  // `owner` and no one else may write to it; then writes the marker. A link, a folder holding
  // anything else, or one others may write to is refused: Error(local_cluster), one line.
  void claim(const SystemUser& owner) const;

  // Deletes `entries` and the marker, then the folder if cora-migrate made it (and it is empty
  // now). Refuses, deleting nothing, a folder that is not ours().
  void release() const;

  static constexpr const char* kMarker = "cora-migrate-cluster";

 private:
  [[noreturn]] void refuse(const std::string& why) const;
  bool made_by_us() const;

  std::filesystem::path root_;
  std::vector<std::string> entries_;
};

}  // namespace cora
