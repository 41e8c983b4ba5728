#include "commands/multi_target.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "cora/output/plural.hpp"
#include "cora/config/settings.hpp"
#include "cora/error.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/progress.hpp"
#include "cora/output/terminal.hpp"
#include "cora/util/subprocess.hpp"
#include "cora/util/text_lines.hpp"

namespace cora::cli {

namespace {

struct TargetRun {
  std::string environment;
  int exit_code = -1;
  int signal = 0;  // the signal that killed it, 0 when it exited by itself
  std::string out;
  std::string err;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// Our own arguments without any --env / --all-envs / --jobs / --as-target, which each run replaces.
std::vector<std::string> arguments_without_targets(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--env" || arg == "--jobs" || arg == "--as-target") {
      ++i;
    } else if (arg.rfind("--env=", 0) != 0 && arg.rfind("--jobs=", 0) != 0 && arg.rfind("--as-target=", 0) != 0 &&
               arg != "--all-envs") {
      out.push_back(arg);
    }
  }
  return out;
}

std::string self_path() {
  std::array<char, PATH_MAX> buffer{};
  const ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) throw Error(ExitCode::internal, "cannot find this program's own path in /proc/self/exe");
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

void run_one(const std::string& program, std::vector<std::string> args, TargetRun& run) {
  args.insert(args.begin(), {program, "--env", run.environment, "--as-target", run.environment});
  try {
    auto done = Subprocess::run(args);
    run.exit_code = done.exit_code;
    run.signal = done.signal;
    run.out = std::move(done.out);
    run.err = std::move(done.err);
  } catch (const std::system_error&) {
    // No pipe or process to be had: the run stays at exit -1, which the summary reports.
  }
}

void print_tagged(std::FILE* stream, const std::string& tag, const std::string& text) {
  for (const auto& line : lines_of(text)) std::fprintf(stream, "[%s] %s\n", tag.c_str(), line.c_str());
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// What a run that failed before printing its own report says: its last line on stderr.
std::string failure_text(const TargetRun& r) {
  const std::string said = last_line(r.err);
  const std::string how = r.signal ? fmt::format("killed by signal {}", r.signal) : fmt::format("exit {}", r.exit_code);
  return fmt::format("{}{}{}", how, said.empty() ? "" : ": ", said);
}

void print_json(const std::vector<TargetRun>& runs) {
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& r : runs) {
    // The run's own document, or null when it printed none (it failed first: see stderr).
    nlohmann::json result = nlohmann::json::parse(r.out, nullptr, false);
    if (result.is_discarded()) result = nullptr;
    doc.push_back({{"target", r.environment}, {"exit_code", r.exit_code}, {"result", result}, {"stderr", r.err}});
  }
  std::fprintf(stdout, "%s\n", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void print_junit(const std::vector<TargetRun>& runs, const std::string& command) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"cora-migrate {}\">\n", xml_escape(command));
  for (const auto& r : runs) {
    if (!r.out.empty()) {
      out += r.out;  // the run's <testsuite>, named after its target (--as-target)
      continue;
    }
    out += fmt::format(
        "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
        "    <testcase classname=\"cora-migrate\" name=\"{1}\">\n"
        "      <error message=\"{2}\">{3}</error>\n"
        "    </testcase>\n"
        "  </testsuite>\n",
        xml_escape(r.environment), xml_escape(command), xml_escape(failure_text(r)), xml_escape(r.err));
  }
  out += "</testsuites>\n";
  std::fputs(out.c_str(), stdout);
}

// Annotations exactly as each run printed them (their titles name the target); its other lines,
// for people, tagged. A run that failed without an error annotation gets one, so the job shows it;
// so does a run that was killed: the errors it annotated (findings, lints graded error) are not
// why it stopped.
void print_github(const std::vector<TargetRun>& runs, const std::string& command) {
  for (const auto& r : runs) {
    bool annotated_error = false;
    for (const auto& line : lines_of(r.out)) {
      if (line.rfind("::", 0) == 0) {
        annotated_error = annotated_error || line.rfind("::error", 0) == 0;
        std::fprintf(stdout, "%s\n", line.c_str());
      } else {
        std::fprintf(stdout, "[%s] %s\n", r.environment.c_str(), line.c_str());
      }
    }
    if (r.exit_code != 0 && (!annotated_error || r.signal != 0 || r.exit_code < 0)) {
      std::fprintf(stdout, "::error title=%s::%s\n", github_title(r.environment, "cora-migrate " + command).c_str(),
                   github_data(failure_text(r)).c_str());
    }
  }
}

}  // namespace

std::size_t default_jobs() {
  const std::size_t threads = std::max(1U, std::thread::hardware_concurrency());  // 0: unknown
  return std::min(kMaxJobs, std::max<std::size_t>(4, 4 * threads));
}

std::optional<std::vector<std::string>> target_environments(const GlobalOptions& global,
                                                            const MultiTargetOptions& multi) {
  if (multi.all_envs) {
    if (global.settings.environment) {
      throw Error(ExitCode::usage, "--all-envs and --env together", "pick one");
    }
    auto names = configured_environments(global.settings);
    if (names.empty()) {
      throw Error(ExitCode::config, "--all-envs: the config file defines no [environments.NAME]",
                  "add environments to cora-migrate.toml");
    }
    return names;
  }
  if (!global.settings.environment || global.settings.environment->find(',') == std::string::npos) return std::nullopt;
  auto names = split_list(*global.settings.environment);
  if (names.empty()) throw Error(ExitCode::usage, "--env: no environment named", "write --env a,b,c");
  return names;
}

int run_for_each_environment(int argc, char** argv, const std::vector<std::string>& environments, std::size_t jobs,
                             TargetOutput output, const std::string& command) {
  const std::string program = self_path();
  const auto args = arguments_without_targets(argc, argv);
  std::vector<TargetRun> runs(environments.size());
  for (std::size_t i = 0; i < environments.size(); ++i) runs[i].environment = environments[i];

  std::atomic<std::size_t> next{0};
  std::mutex printing;
  std::size_t finished = 0;  // under `printing`
  Progress progress(command + ": targets finished");
  auto worker = [&] {
    for (std::size_t i = next++; i < runs.size(); i = next++) {
      run_one(program, args, runs[i]);
      const std::lock_guard<std::mutex> lock(printing);
      progress.clear();
      // Machine output is one document, printed once every run has ended.
      if (output == TargetOutput::human) print_tagged(stdout, runs[i].environment, runs[i].out);
      print_tagged(stderr, runs[i].environment, runs[i].err);
      std::fflush(stdout);
      std::fflush(stderr);
      progress.update(++finished, runs.size(), "last: " + runs[i].environment);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < std::max<std::size_t>(1, std::min(jobs, runs.size())); ++w) workers.emplace_back(worker);
  for (auto& t : workers) t.join();
  progress.clear();

  if (output == TargetOutput::json) print_json(runs);
  if (output == TargetOutput::junit) print_junit(runs, command);
  if (output == TargetOutput::github) print_github(runs, command);
  std::fflush(stdout);

  // Beside a machine document, the table is for people: on stderr.
  std::FILE* table = output == TargetOutput::human ? stdout : stderr;
  const auto style = Style::for_stream(table);
  std::size_t width = 3;
  for (const auto& r : runs) width = std::max(width, r.environment.size());
  std::fprintf(table, "\n%-*s  %-6s  %4s  %s\n", static_cast<int>(width), "ENV", "RESULT", "EXIT", "DETAIL");
  int exit_code = 0;
  std::size_t failed = 0;
  for (const auto& r : runs) {
    const bool ok = r.exit_code == 0;
    if (!ok && exit_code == 0) exit_code = r.exit_code < 0 ? to_int(ExitCode::internal) : r.exit_code;
    failed += ok ? 0U : 1U;
    const std::string result = fmt::format("{:<6}", ok ? "ok" : "failed");
    // A machine run's last stdout line is part of its document, not a detail.
    const std::string detail = ok && output == TargetOutput::human ? last_line(r.out) : ok ? "" : last_line(r.err);
    std::fprintf(table, "%-*s  %s  %4d  %s\n", static_cast<int>(width), r.environment.c_str(),
                 style.paint(result, ok ? Tone::good : Tone::bad).c_str(), r.exit_code, detail.c_str());
  }
  std::fprintf(table, "%s: %zu ok, %zu failed\n", plural(runs.size(), "target").c_str(), runs.size() - failed, failed);
  return exit_code;
}

}  // namespace cora::cli
