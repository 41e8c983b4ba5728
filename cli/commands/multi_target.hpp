#pragma once
// Running one command against several configured databases: --env a,b,c or --all-envs.

#include <optional>
#include <string>
#include <vector>

#include "commands/command.hpp"

namespace cora::cli {

struct MultiTargetOptions {
  bool all_envs = false;
  std::size_t jobs = 4;
};

// The environments the command line names when it names more than one (or --all-envs), else
// nullopt. Throws cora::Error (config / usage).
std::optional<std::vector<std::string>> target_environments(const GlobalOptions& global, const MultiTargetOptions& multi);

// Runs this program once per environment with the same arguments and `--env NAME`, at most
// `jobs` at a time, tagging every output line with "[NAME] ", then prints a summary table.
// Returns 0 when every run succeeded, else the exit code of the first failing environment in
// the order given.
int run_for_each_environment(int argc, char** argv, const std::vector<std::string>& environments, std::size_t jobs);

}  // namespace cora::cli
