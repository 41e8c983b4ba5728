#pragma once
// Shell completion scripts for bash, zsh and fish, generated from the command definitions
// (`cora-migrate --completion SHELL`; the build installs them), so they never fall behind.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cora::cli {

// The script for `shell` ("bash", "zsh", "fish"), or nullopt for another shell.
std::optional<std::string> completion_script(CLI::App& app, const std::string& shell);

}  // namespace cora::cli
