#include "commands/app.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <vector>

#include "commands/command.hpp"
#include "db/server_error.hpp"
#include "error.hpp"
#include "output/terminal.hpp"
#include "version.hpp"

namespace cora::cli {

namespace {

void print_error(const std::string& message, const std::string& hint) {
  const auto style = Style::for_stream(stderr);
  std::string line = fmt::format("cora-migrate: {} {}", style.paint("error:", Tone::bad), message);
  if (!hint.empty()) line += fmt::format(" (hint: {})", hint);
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
}

}  // namespace

int run_app(int argc, char** argv) {
  CLI::App app("cora-migrate: apply versioned PostgreSQL migrations and verify the live schema", "cora-migrate");
  app.set_version_flag("--version", std::string("cora-migrate ") + tool_version());
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  GlobalOptions global;
  add_global_options(app, global);

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_migrate_command());
  commands.push_back(make_status_command());
  commands.push_back(make_verify_command());
  commands.push_back(make_adopt_command());
  commands.push_back(make_baseline_command());
  commands.push_back(make_repair_command());
  commands.push_back(make_local_command());
  std::vector<std::pair<CLI::App*, Command*>> registered;
  for (auto& command : commands) registered.emplace_back(command->add_to(app), command.get());

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what(), "see `cora-migrate --help`");
    return to_int(ExitCode::usage);
  }

  try {
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
                "check the database user's privileges");
    return to_int(ExitCode::connection);
  } catch (const std::exception& e) {
    print_error(fmt::format("internal error: {}", e.what()), "please report this");
    return to_int(ExitCode::internal);
  }
}

}  // namespace cora::cli
