#pragma once
// A command line whose command is missing or misspelt: said so, with the commands listed
// (CLI11 alone would answer "A subcommand is required" or "arguments were not expected").

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cora::cli {

// "new, migrate, status, ...": the commands of `app`, in the order --help lists them.
std::string command_names(const CLI::App& app);

// After CLI11 refused the command line: "unknown option --NAME" for the first option that
// neither the program nor the command it follows has (with the closest one, if any is close),
// or nullopt. It names the option alone: CLI11 would quote the value after it, which for a
// mistyped --database-url is a URL with its password.
std::optional<std::string> unknown_option_message(CLI::App& app, int argc, char** argv);

// After CLI11 refused the command line: the message for a missing or unknown command, or
// nullopt when the command was known (the error is about something else).
std::optional<std::string> unknown_command_message(CLI::App& app, int argc, char** argv);

}  // namespace cora::cli
