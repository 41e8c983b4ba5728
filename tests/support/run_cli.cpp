#include "support/run_cli.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace cora::test {

std::string squeezed(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

std::filesystem::path source_dir() { return CORA_SOURCE_DIR; }

namespace {

// The environment the test asked for, on top of ours without the settings that pick a database.
std::map<std::string, std::optional<std::string>> cli_environment(
    const CliOptions& options, std::map<std::string, std::optional<std::string>> env) {
  // Tests say which database to use; the developer's own settings must not leak in. CI too: the
  // suite runs with CI=true in CI, and the tests of the embedded fallback set it themselves.
  for (const char* name : {"CORA_DATABASE_URL", "DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE",
                           "PGPASSWORD", "PGSERVICE", "NO_COLOR", "FORCE_COLOR", "CI"}) {
    env[name] = std::nullopt;
  }
  for (const auto& [name, value] : options.env) env[name] = value;
  return env;
}

std::vector<std::string> full_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{CORA_MIGRATE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CliResult cli_result(cora::Subprocess::Result done) {
  return {done.exit_code, std::move(done.out), std::move(done.err)};
}

}  // namespace

CliResult run_cli_on_terminal(const std::vector<std::string>& args, const CliOptions& options, unsigned short columns) {
  cora::Subprocess::Options run;
  run.terminal_columns = columns;
  run.cwd = options.cwd;
  run.env = cli_environment(options, {{"TERM", "xterm"}});
  run.output = cora::Subprocess::Output::terminal;
  return cli_result(cora::Subprocess::run(full_argv(args), run));
}

RunningCli start_cli(const std::vector<std::string>& args, const CliOptions& options) {
  return start_program(full_argv(args), options);
}

RunningCli start_program(const std::vector<std::string>& argv, const CliOptions& options) {
  cora::Subprocess::Options run;
  run.cwd = options.cwd;
  run.env = cli_environment(options, {});
  run.stdin_file = "/dev/null";
  auto process = std::make_shared<cora::Subprocess>(cora::Subprocess::start(argv, run));
  return {process->pid(), std::move(process)};
}

CliResult wait_cli(RunningCli running) {
  if (!running.process) throw std::logic_error("wait_cli: nothing was started");
  return cli_result(running.process->wait());
}

CliResult run_cli(const std::vector<std::string>& args, const CliOptions& options) {
  return wait_cli(start_cli(args, options));
}

CliResult run_cli_with_memory_limit(const std::vector<std::string>& args, std::size_t megabytes,
                                    const CliOptions& options) {
  // The shell sets the limit, then becomes the binary: the limit is the binary's own.
  std::vector<std::string> argv{"/bin/sh", "-c", "ulimit -v \"$0\" && exec \"$@\"", std::to_string(megabytes * 1024)};
  const auto binary = full_argv(args);
  argv.insert(argv.end(), binary.begin(), binary.end());
  return wait_cli(start_program(argv, options));
}

std::string unwrapped(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    // A continuation: two spaces then text (the message), or the eight that line up under "help: ".
    const bool message_part =
        line.size() > 2 && line.substr(0, 2) == "  " && line[2] != ' ' && line.substr(2, 5) != "help:";
    const bool help_part = line.size() > 8 && line.substr(0, 8) == "        " && line[8] != ' ';
    if ((message_part || help_part) && !out.empty() && out.back() == '\n') {
      out.back() = ' ';
      out.append(line.substr(message_part ? 2 : 8));
    } else {
      out.append(line);
    }
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace cora::test
