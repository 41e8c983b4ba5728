// `cora-migrate lints`: every built-in rule, live (verify) and offline (lint, and migrate before it
// applies anything), with its level as [lints] leaves it (the default unless the config file says
// otherwise). Needs no database.

#include <algorithm>
#include <cstdio>

#include "commands/command.hpp"
#include "cora/config/lint_rules.hpp"
#include "cora/error.hpp"

namespace cora::cli {

namespace {

class LintsCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    return app.add_subcommand(
        "lints", "List the built-in lints of verify and lint with their levels ([lints] in cora-migrate.toml)");
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    // The name column is as wide as the longest name: a table aligned from its content.
    int name_width = 4;
    for (const auto& rule : lint_rules()) name_width = std::max(name_width, static_cast<int>(rule.name.size()));
    std::printf("%-*s %-8s %-8s %-7s %s\n", name_width, "LINT", "LEVEL", "DEFAULT", "RUN BY", "FINDS");
    for (const auto& rule : lint_rules()) {
      std::printf("%-*s %-8s %-8s %-7s %s\n", name_width, rule.name.c_str(), to_string(level_of(rule, settings.lints)),
                  to_string(rule.default_level), rule.scope == LintScope::live ? "verify" : "lint",
                  rule.summary.c_str());
    }
    return to_int(ExitCode::ok);
  }
};

}  // namespace

std::unique_ptr<Command> make_lints_command() { return std::make_unique<LintsCommand>(); }

}  // namespace cora::cli
