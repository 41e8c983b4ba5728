#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"

using cora::test::ScratchDir;

namespace {

// Runs one of the two cases below in a child copy of this test binary and returns what it said.
cora::test::CliResult run_own_case(const std::string& name) {
  const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
  return cora::test::wait_cli(cora::test::start_program({self, "-tc=" + name, "--no-skip"}));
}

// The line the child prints with the folder's path (doctest's own banner lines start with '[').
std::filesystem::path printed_folder(const std::string& out) {
  const auto start = out.find("\n/");
  if (start == std::string::npos) return {};
  return out.substr(start + 1, out.find('\n', start + 1) - start - 1);
}

}  // namespace

// Not run on their own (skipped): the tests after them run them in a child process.
TEST_CASE("scratch folder child: a failing test" * doctest::skip()) {
  ScratchDir dir;
  dir.write("evidence.sql", "SELECT 1;\n");
  std::cout << dir.path().string() << std::endl;
  CHECK(1 == 2);
}

TEST_CASE("scratch folder child: a passing test" * doctest::skip()) {
  ScratchDir dir;
  std::cout << dir.path().string() << std::endl;
  CHECK(1 == 1);
}

TEST_CASE("scratch folder: a failing test keeps its folder and says where") {
  const auto result = run_own_case("scratch folder child: a failing test");
  CHECK(result.exit_code != 0);
  const auto folder = printed_folder(result.out);
  REQUIRE(!folder.empty());
  CHECK(std::filesystem::exists(folder / "evidence.sql"));
  CHECK(result.err.find("kept the scratch folder of a failing test: " + folder.string()) != std::string::npos);
  std::filesystem::remove_all(folder);
}

TEST_CASE("scratch folder: a passing test removes its folder") {
  const auto result = run_own_case("scratch folder child: a passing test");
  CHECK(result.exit_code == 0);
  const auto folder = printed_folder(result.out);
  REQUIRE(!folder.empty());
  CHECK_FALSE(std::filesystem::exists(folder));
  CHECK(result.err.find("kept the scratch folder") == std::string::npos);
}
