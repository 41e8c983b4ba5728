#pragma once
// Runs the built binary in a scratch folder, the way most command-line tests do.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"

namespace cora::test {

// `args` run in `dir`, with `env` set (value) or unset (nullopt) on top of the test's own.
inline CliResult run_in(const ScratchDir& dir, const std::vector<std::string>& args,
                        std::map<std::string, std::optional<std::string>> env = {}) {
  return run_cli(args, {dir.path(), std::move(env)});
}

// `cora-migrate lint ARGS...` in `dir`.
inline CliResult lint_in(const ScratchDir& dir, std::vector<std::string> args = {}) {
  args.insert(args.begin(), "lint");
  return run_cli(args, {dir.path(), {}});
}

}  // namespace cora::test
