#include "commands/app.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <vector>

#include "commands/command.hpp"
#include "commands/completion.hpp"
#include "commands/multi_target.hpp"
#include "commands/unknown_command.hpp"
#include "cora/db/server_error.hpp"
#include "cora/db/sqlstate_advice.hpp"
#include "cora/error.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/output/terminal.hpp"
#include "cora/version.hpp"

namespace cora::cli {

namespace {

// Errors quote what they were given (server messages, SQL, file names, TOML values): control
// characters and bytes that are not UTF-8 are escaped, so the error stays one printable line.
std::string printable(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (length > 0 && i + length <= text.size() && !find_invalid_utf8(text.substr(i, length))) {
      out.append(text, i, length);
      i += length;
      continue;
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
    ++i;
  }
  return out;
}

void print_error(const std::string& message, const std::string& hint) {
  const auto style = Style::for_stream(stderr);
  std::string line = fmt::format("cora-migrate: {} {}", style.paint("error:", Tone::bad), printable(message));
  if (!hint.empty()) line += fmt::format(" (hint: {})", printable(hint));
  std::fprintf(stderr, "%s\n", line.c_str());
}

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
  app.add_flag("-q,--quiet", s.quiet, "Print only warnings, errors and the output asked for (no progress or notes)");
  app.add_option("--env-file", s.env_file,
                 "Read variables from this .env file (KEY=VALUE lines, as dbmate reads them); the environment wins");
  app.add_flag("--local", s.local,
               "Use the embedded PostgreSQL in .cora/local on purpose (never refused in CI, not announced)");
  app.add_option("--wait", s.wait,
                 "Wait up to this long (e.g. 30s) for the database to accept connections, for CI jobs that start one");
  // Not for people: the runner of several targets names each run's target with it.
  app.add_option("--as-target", global.target_label)->group("");
}

// The command's machine format, if it asked for one (--json, or --format json|junit|github).
TargetOutput output_of(const CLI::App& command) {
  if (const auto* json = command.get_option_no_throw("--json"); json && json->count() > 0) return TargetOutput::json;
  const auto* format = command.get_option_no_throw("--format");
  if (!format || format->count() == 0) return TargetOutput::human;
  const auto value = format->as<std::string>();
  if (value == "json") return TargetOutput::json;
  if (value == "junit") return TargetOutput::junit;
  if (value == "github") return TargetOutput::github;
  return TargetOutput::human;
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
  app.add_flag("--all-envs", multi.all_envs, "Run migrate, status or verify against every [environments.NAME]");
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
  commands.push_back(make_diff_command());
  commands.push_back(make_local_command());
  std::vector<std::pair<CLI::App*, Command*>> registered;
  for (auto& command : commands) registered.emplace_back(command->add_to(app), command.get());

  // Not in --help: the build writes the installed completion scripts with it.
  if (argc == 3 && std::string(argv[1]) == "--completion") {
    const auto script = completion_script(app, argv[2]);
    if (!script) {
      print_error(fmt::format("--completion {}: not bash, zsh or fish", argv[2]), "");
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
    const auto unknown = unknown_command_message(app, argc, argv);
    print_error(unknown ? *unknown : e.what(), "see `cora-migrate --help`");
    return to_int(ExitCode::usage);
  }

  try {
    if (const auto environments = target_environments(global, multi)) {
      const auto* chosen = app.get_subcommands().front();
      if (chosen->get_name() != "migrate" && chosen->get_name() != "status" && chosen->get_name() != "verify") {
        throw Error(ExitCode::usage, fmt::format("{}: runs against one database at a time", chosen->get_name()),
                    "several environments work with migrate, status and verify");
      }
      return run_for_each_environment(argc, argv, *environments, multi.jobs, output_of(*chosen), chosen->get_name());
    }
    for (auto& [subcommand, command] : registered) {
      if (subcommand->parsed()) return command->run(global);
    }
    return to_int(ExitCode::usage);
  } catch (const Error& e) {
    print_error(e.what(), e.hint());
    return to_int(e.code());
  } catch (const ConnectionLost& e) {
    print_error(fmt::format("lost the connection to the database: {}", e.what()),
                "run the command again; a migration that was running was rolled back by the server");
    return to_int(ExitCode::connection);
  } catch (const QueryFailed& e) {
    print_error(fmt::format("the database refused a query: {} [SQLSTATE {}]", e.what(), e.error().sqlstate),
                sqlstate_advice(e.error().sqlstate));
    return to_int(ExitCode::connection);
  } catch (const std::exception& e) {
    print_error(fmt::format("internal error: {}", e.what()), "please report this");
    return to_int(ExitCode::internal);
  }
}

}  // namespace cora::cli
