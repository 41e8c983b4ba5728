#pragma once
// Runs the built cora-migrate binary, as a user would, and captures what it says.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cora/util/subprocess.hpp"

namespace cora::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct CliOptions {
  std::filesystem::path cwd;                              // default: current folder
  std::map<std::string, std::optional<std::string>> env;  // set (value) or unset (nullopt)
};

CliResult run_cli(const std::vector<std::string>& args, const CliOptions& options = {});

// Runs the binary with its address space limited to `megabytes` (ulimit -v, as a container's
// limit or a shell's would set it). Not meaningful under AddressSanitizer, which reserves far more
// address space than any such limit: see sanitized_build().
CliResult run_cli_with_memory_limit(const std::vector<std::string>& args, std::size_t megabytes,
                                    const CliOptions& options = {});

// True when the tests and the binary are built with AddressSanitizer.
constexpr bool sanitized_build() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

// Runs the binary on a pseudo-terminal, as a person at a terminal would; `out` holds stdout
// and stderr together, as the terminal shows them.
// `columns`: the width the terminal reports (0: none).
CliResult run_cli_on_terminal(const std::vector<std::string>& args, const CliOptions& options = {},
                              unsigned short columns = 0);

// Starts the binary without waiting; wait_cli() collects it.
struct RunningCli {
  int pid = -1;                               // for kill()
  std::shared_ptr<cora::Subprocess> process;  // shared: tests copy these around; killed if never waited for
};
RunningCli start_cli(const std::vector<std::string>& args, const CliOptions& options = {});
CliResult wait_cli(RunningCli running);
// The same for another program: argv[0] is its path (the test binaries run themselves this way).
RunningCli start_program(const std::vector<std::string>& argv, const CliOptions& options = {});

// Human lint output with its wrapped lines joined again: a finding's message, and its help:, each
// on one line, so that a test can look for a sentence wherever the width broke it.
std::string unwrapped(const std::string& text);

// A table's text with every run of blanks as one blank, so that a test can name a row's cells
// without knowing the column widths (which follow the content).
std::string squeezed(const std::string& text);

// The folder holding the project's own migrations/ and checks/.
std::filesystem::path source_dir();

}  // namespace cora::test
