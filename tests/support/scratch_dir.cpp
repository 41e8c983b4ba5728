#include "support/scratch_dir.hpp"

#include <stdlib.h>

#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "support/failure_tracker.hpp"

namespace cora::test {

ScratchDir::ScratchDir(const std::string& prefix) : failures_at_start_(failed_assertions()) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                          std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                          std::filesystem::perms::others_exec);
}

ScratchDir::~ScratchDir() {
  // A test that failed (an assertion, or an exception unwinding through here) keeps its folder:
  // the migrations, configs and server logs in it are what explains the failure.
  if (failed_assertions() != failures_at_start_ || std::uncaught_exceptions() > 0) {
    std::cerr << "kept the scratch folder of a failing test: " << path_.string() << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path ScratchDir::write(const std::string& relative, const std::string& content) const {
  const auto full = path_ / relative;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream(full, std::ios::binary) << content;
  return full;
}

}  // namespace cora::test
