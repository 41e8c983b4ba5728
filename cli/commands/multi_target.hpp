#pragma once
// Running one command against several configured databases: --env a,b,c or --all-envs.

#include <optional>
#include <string>
#include <vector>

#include "commands/command.hpp"

namespace cora::cli {

// --jobs when not given: min(64, max(4, 4 x hardware threads)). A run against a distant
// database mostly waits on the network, not on this machine, so several per thread overlap
// their round trips; 64 is --jobs' limit (each is a process and a database connection).
std::size_t default_jobs();
constexpr std::size_t kMaxJobs = 64;

struct MultiTargetOptions {
  bool all_envs = false;
  std::size_t jobs = default_jobs();
};

// What the command prints on stdout (its --json / --format): how the targets' outputs combine.
enum class TargetOutput { human, json, junit, github };

// The environments the command line names when it names more than one (or --all-envs), else
// nullopt. Throws cora::Error (config / usage).
std::optional<std::vector<std::string>> target_environments(const GlobalOptions& global,
                                                            const MultiTargetOptions& multi);

// Runs this program once per environment with the same arguments and `--env NAME --as-target
// NAME`, at most `jobs` at a time, then prints a summary table. Human output: every line tagged
// "[NAME] " as each run ends. Machine output on stdout is one document, in the order given: json
// an array of {"target", "exit_code", "result" (the run's JSON, or null), "stderr"}; junit one
// <testsuites> named after `command` with each run's suite; github the annotations as they are
// (their titles start with "[NAME] "), plus an error annotation for a run that failed without
// one. There the summary table and the runs' stderr go to stderr.
// Returns 0 when every run succeeded, else the exit code of the first failing environment in
// the order given.
int run_for_each_environment(int argc, char** argv, const std::vector<std::string>& environments, std::size_t jobs,
                             TargetOutput output, const std::string& command);

}  // namespace cora::cli
