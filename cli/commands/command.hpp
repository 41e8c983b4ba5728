#pragma once
// What every subcommand shares: the global options and the way it plugs into the CLI.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "cora/config/settings.hpp"

namespace cora::cli {

// Options valid before or after the subcommand.
struct GlobalOptions {
  CommandLineSettings settings;
  // Set by the runner of several targets (--as-target NAME, hidden): this run is one of them,
  // and machine output names it (JUnit suite, GitHub annotation titles).
  std::string target_label;
  // --color: auto, always or never (output/terminal.hpp).
  std::string color = "auto";
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its options to `app`.
  virtual CLI::App* add_to(CLI::App& app) = 0;
  // Runs it; returns the process exit code. Throws cora::Error.
  virtual int run(const GlobalOptions& global) = 0;
};

std::unique_ptr<Command> make_migrate_command();
std::unique_ptr<Command> make_status_command();
std::unique_ptr<Command> make_local_command();
std::unique_ptr<Command> make_verify_command();
std::unique_ptr<Command> make_checklist_command();
std::unique_ptr<Command> make_lint_command();
std::unique_ptr<Command> make_lints_command();
std::unique_ptr<Command> make_baseline_command();
std::unique_ptr<Command> make_adopt_command();
std::unique_ptr<Command> make_repair_command();
std::unique_ptr<Command> make_rollback_command();
std::unique_ptr<Command> make_diff_command();
std::unique_ptr<Command> make_new_command();
std::unique_ptr<Command> make_history_command();

}  // namespace cora::cli
