#pragma once
// A command line whose command is missing or misspelt: said so, with the commands listed
// (CLI11 alone would answer "A subcommand is required" or "arguments were not expected").

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cora::cli {

// "new, migrate, status, ...": the commands of `app`, in the order --help lists them.
std::string command_names(const CLI::App& app);

// After CLI11 refused the command line: the message for a missing or unknown command, or
// nullopt when the command was known (the error is about something else).
std::optional<std::string> unknown_command_message(CLI::App& app, int argc, char** argv);

}  // namespace cora::cli
