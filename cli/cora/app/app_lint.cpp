#include "cora/app/app_lint.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "cora/app/find_app_calls.hpp"
#include "cora/app/offline_app_schema.hpp"
#include "cora/error.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora::app {

namespace {

std::vector<std::string> python_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The text after "# cora-migrate:" in a Python line, if it has one.
std::optional<std::string> silence_text(const std::string& line) {
  static const std::string marker = "cora-migrate:";
  const auto hash = line.find('#');
  if (hash == std::string::npos) return std::nullopt;
  const auto at = line.find_first_not_of(" \t", hash + 1);
  if (at == std::string::npos || line.compare(at, marker.size(), marker) != 0) return std::nullopt;
  return line.substr(at + marker.size());
}

bool comment_only(const std::string& line) {
  const auto first = line.find_first_not_of(" \t");
  return first != std::string::npos && line[first] == '#';
}

// The silences of one Python file, by line; a malformed one becomes an invalid_silence error.
class FileSilences {
 public:
  FileSilences(const std::string& path, lint::LintReport& report) : lines_(python_lines(path)) {
    MigrationFile file;
    file.path = path;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const auto text = silence_text(lines_[i]);
      if (!text) continue;
      const int line = static_cast<int>(i) + 1;
      MigrationDirectives directives;
      try {
        parse_directive_line(file, line, *text, directives, false);
      } catch (const Error& e) {
        report.findings.push_back(
            {std::string(lint::kInvalidSilence), lint::Severity::error, path, line, 0, e.message(), e.hint()});
        continue;
      }
      for (const auto& silence : directives.silences) {
        for (const auto& rule : silence.rules) {
          if (!lint::is_offline_rule(rule)) {
            report.findings.push_back(
                {std::string(lint::kInvalidSilence), lint::Severity::error, path, line, 0,
                 "unknown rule \"" + rule + "\" in ignore=", "`cora-migrate lints` lists the rules"});
          }
        }
        by_line_[line] = silence;
      }
    }
  }

  // The silence covering `rule` at `line` or the call's first line, or in the comment lines just
  // above that call.
  const LintSilence* find(const std::string& rule, int line, int call_line) const {
    for (const int at : {line, call_line}) {
      if (const auto* s = at_line(rule, at)) return s;
    }
    for (int at = call_line - 1; at >= 1 && comment_only(lines_[static_cast<std::size_t>(at) - 1]); --at) {
      if (const auto* s = at_line(rule, at)) return s;
    }
    return nullptr;
  }

 private:
  const LintSilence* at_line(const std::string& rule, int line) const {
    const auto it = by_line_.find(line);
    if (it == by_line_.end()) return nullptr;
    for (const auto& r : it->second.rules) {
      if (r == rule) return &it->second;
    }
    return nullptr;
  }

  std::vector<std::string> lines_;
  std::map<int, LintSilence> by_line_;
};

}  // namespace

std::optional<AppCheckReport> lint_app_calls(const AppSettings& settings,
                                             const std::vector<std::filesystem::path>& module_roots,
                                             const std::vector<const MigrationFile*>& files) {
  const auto python_files = app_files(settings, module_roots);
  if (python_files.empty()) return std::nullopt;
  const auto calls = find_app_calls(python_files, settings);
  return check_app_calls(calls, offline_app_schema(files, settings.role), settings.role);
}

void add_app_findings(lint::LintReport& report, const AppCheckReport& app, const LintLevels& levels) {
  report.app = lint::AppCallsSummary{app.files, app.calls, app.not_checked};
  std::map<std::string, FileSilences> silences;
  for (const auto& f : app.findings) {
    const LintRule* rule = find_lint_rule(f.rule);
    const LintLevel level = rule ? level_of(*rule, levels) : LintLevel::error;
    if (level == LintLevel::off) continue;
    auto it = silences.find(f.file);
    if (it == silences.end()) it = silences.emplace(f.file, FileSilences(f.file, report)).first;
    lint::Finding finding{f.rule, level == LintLevel::error ? lint::Severity::error : lint::Severity::warning,
                          f.file, f.line,
                          0,      f.message,
                          f.hint};
    if (const auto* silence = it->second.find(f.rule, f.line, f.call_line)) {
      report.silenced.push_back({std::move(finding), silence->reason, silence->line});
    } else {
      report.findings.push_back(std::move(finding));
    }
  }
}

}  // namespace cora::app
