#pragma once
#include <filesystem>
#include <string>

namespace cora::test {

// A fresh folder under the system temp dir, deleted with the object unless an assertion failed
// while it existed (then it is kept and its path printed). Readable by others so
// that PostgreSQL, running as the postgres user when tests run as root, can reach inside.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "cora-test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/relative (creating folders); returns the full path.
  std::filesystem::path write(const std::string& relative, const std::string& content) const;

 private:
  std::filesystem::path path_;
  int failures_at_start_;
};

}  // namespace cora::test
