#include "commands/app.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <vector>

#include "commands/command.hpp"
#include "commands/completion.hpp"
#include "commands/failure_report.hpp"
#include "commands/json_document.hpp"
#include "commands/multi_target.hpp"
#include "commands/old_spellings.hpp"
#include "commands/unknown_command.hpp"
#include "commands/version_report.hpp"
#include "cora/error.hpp"
#include "cora/output/progress.hpp"
#include "cora/output/terminal.hpp"
#include "cora/util/redact.hpp"
#include "cora/version.hpp"

namespace cora::cli {

namespace {

void add_global_options(CLI::App& app, GlobalOptions& global) {
  auto& s = global.settings;
  app.add_option("--config", s.config_file, "Config file (default: ./cora-migrate.toml)");
  app.add_option("--database-url", s.database_url,
                 "libpq URL or key=value string; beats CORA_DATABASE_URL, DATABASE_URL and the config file");
  app.add_option("--env", s.environment, "Use [environments.NAME] from the config file");
  app.add_option("--migrations", s.migrations_dir, "Migrations folder (default: migrations)");
  app.add_option("--checks", s.checks_dir, "Checks folder (default: checks)");
  app.add_option("--module", s.only_modules, "Only these modules (NAME[,NAME]) of a project with modules")
      ->delimiter(',');
  app.add_flag("-q,--quiet", s.quiet,
               "Print only warnings, errors and the output asked for (no progress or notes but the one naming a .env "
               "that chose the database)");
  app.add_option(
      "--env-file", s.env_file,
      "Read variables from this .env file (KEY=VALUE lines, as dbmate reads them); the environment wins. Without it "
      "(or env_file), a .env beside the config file is read, its DATABASE_URL used last and announced");
  app.add_flag("--local", s.local,
               "Use the embedded PostgreSQL in .cora/local on purpose (never refused in CI, not announced)");
  app.add_option("--color", global.color,
                 "Colour: auto (on a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces it), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--wait", s.wait,
                 "Wait up to this long (e.g. 30s) for the database to accept connections, for CI jobs that start one");
  // Not for people: the runner of several targets names each run's target with it.
  app.add_option("--as-target", global.target_label)->group("");
}

// The subcommand that runs, down to a nested one (`local status`).
const CLI::App& innermost(const CLI::App& command) {
  const auto chosen = command.get_subcommands();
  return chosen.empty() ? command : innermost(*chosen.front());
}

// "local status" for a nested subcommand: what JSON documents name as their "command".
std::string command_name(const CLI::App& command) {
  const auto chosen = command.get_subcommands();
  return chosen.empty() ? command.get_name() : command.get_name() + " " + command_name(*chosen.front());
}

// The command's machine format, if it asked for one (--format json|junit|github|sarif, or the old --json).
TargetOutput output_of(const CLI::App& outer) {
  const auto& command = innermost(outer);
  if (const auto* json = command.get_option_no_throw("--json"); json && json->count() > 0) return TargetOutput::json;
  const auto* format = command.get_option_no_throw("--format");
  if (!format || format->count() == 0) return TargetOutput::human;
  const auto value = format->as<std::string>();
  if (value == "json") return TargetOutput::json;
  if (value == "junit") return TargetOutput::junit;
  if (value == "github") return TargetOutput::github;
  return TargetOutput::human;
}

// Whether the command was asked for output a program reads (--json, or a --format other than
// human): then no progress line is drawn, even on a terminal.
bool asks_machine_output(const CLI::App& outer) {
  const auto& command = innermost(outer);
  if (const auto* json = command.get_option_no_throw("--json"); json && json->count() > 0) return true;
  const auto* format = command.get_option_no_throw("--format");
  return format && format->count() > 0 && format->as<std::string>() != "human";
}

// The commands that run against one database each and so can run against several environments.
bool runs_per_environment(const std::string& command) {
  for (const char* name : {"migrate", "status", "verify", "diff", "checklist", "adopt", "baseline"}) {
    if (command == name) return true;
  }
  return false;
}

}  // namespace

int run_app(int argc, char** argv) {
  CLI::App app("cora-migrate: apply versioned PostgreSQL migrations and verify the live schema", "cora-migrate");
  app.set_version_flag("--version", [] { return version_report(); });
  app.set_help_all_flag("--help-all", "Print the help of every command (the man page is made from it)");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  GlobalOptions global;
  add_global_options(app, global);
  MultiTargetOptions multi;
  app.add_flag("--all-envs", multi.all_envs,
               "Run migrate, status, verify, diff, checklist, adopt or baseline against every [environments.NAME]");
  app.add_option("--jobs", multi.jobs,
                 fmt::format("With several environments: how many run at once, 1 to {} (default min({}, max(4, 4 x "
                             "hardware threads)): {} here)",
                             kMaxJobs, kMaxJobs, multi.jobs))
      ->check(CLI::Range(std::size_t{1}, kMaxJobs));

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_new_command());
  commands.push_back(make_migrate_command());
  commands.push_back(make_status_command());
  commands.push_back(make_history_command());
  commands.push_back(make_verify_command());
  commands.push_back(make_checklist_command());
  commands.push_back(make_lint_command());
  commands.push_back(make_lints_command());
  commands.push_back(make_adopt_command());
  commands.push_back(make_baseline_command());
  commands.push_back(make_repair_command());
  commands.push_back(make_rollback_command());
  commands.push_back(make_diff_command());
  commands.push_back(make_local_command());
  std::vector<std::pair<CLI::App*, Command*>> registered;
  for (auto& command : commands) registered.emplace_back(command->add_to(app), command.get());

  // Answered before parsing (no command is needed with it); registered so that --help and the man
  // page show it. The build writes the installed completion scripts with it.
  std::string completion_shell;
  app.add_option("--completion", completion_shell, "Print the bash, zsh or fish completion script and exit")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  if (argc == 3 && std::string(argv[1]) == "--completion") {
    const auto script = completion_script(app, argv[2]);
    if (!script) {
      print_failure(fmt::format("--completion {}: not bash, zsh or fish", argv[2]), "");
      return to_int(ExitCode::usage);
    }
    std::fputs(script->c_str(), stdout);
    return to_int(ExitCode::ok);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    auto message = unknown_option_message(app, argc, argv);
    if (!message) message = unknown_command_message(app, argc, argv);
    // Whatever it quotes of the command line may hold a connection string with its password.
    print_failure(redact_passwords(message ? *message : e.what()), "see `cora-migrate --help`");
    return to_int(ExitCode::usage);
  }

  set_color_mode(global.color == "always"  ? ColorMode::always
                 : global.color == "never" ? ColorMode::never
                                           : ColorMode::automatic);
  const auto* chosen = app.get_subcommands().front();
  set_progress_allowed(!global.settings.quiet && !asks_machine_output(*chosen));
  // Once per command line: a run for one of several targets (--as-target) leaves it to the first.
  if (global.target_label.empty()) note_old_spellings(app);
  try {
    if (const auto environments = target_environments(global, multi)) {
      if (!runs_per_environment(chosen->get_name())) {
        throw Error(ExitCode::usage, fmt::format("{}: runs against one database at a time", chosen->get_name()),
                    "several environments work with migrate, status, verify, diff, checklist, adopt and baseline");
      }
      return run_for_each_environment(argc, argv, *environments, multi.jobs, output_of(*chosen), chosen->get_name());
    }
    for (auto& [subcommand, command] : registered) {
      if (subcommand->parsed()) return command->run(global);
    }
    return to_int(ExitCode::usage);
  } catch (...) {
    const auto failure = current_failure();
    print_failure(failure);
    // Asked for JSON, a script reads stdout: a document that says what failed, not nothing.
    if (output_of(*chosen) == TargetOutput::json) {
      auto doc = command_document(command_name(*chosen), std::nullopt);
      doc["error"] = failure_json(failure);
      print_json_document(doc);
    }
    return to_int(failure.code);
  }
}

}  // namespace cora::cli
