#include "cora/lint/report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cora/output/machine_text.hpp"
#include "cora/output/plural.hpp"
#include "cora/output/wrap.hpp"

namespace cora::lint {

namespace {

nlohmann::ordered_json position(int value) {
  return value > 0 ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json finding_json(const Finding& f) {
  return {{"rule", f.rule},
          {"severity", f.severity == Severity::error ? "error" : "warning"},
          {"file", f.file},
          {"line", position(f.line)},
          {"column", position(f.column)},
          {"message", f.message},
          {"hint", f.hint}};
}

}  // namespace

std::string format_finding(const Finding& f, const Style& style) {
  std::string where = printable_text(f.file);  // a module folder's name may hold a newline
  if (f.line > 0) where += fmt::format(":{}", f.line);
  if (f.line > 0 && f.column > 0 && f.severity == Severity::error) where += fmt::format(":{}", f.column);
  const bool error = f.severity == Severity::error;
  const std::string label = fmt::format("{}[{}]:", error ? "error" : "warning", f.rule);
  // Wrapped by its plain width (colour codes take no columns); the message's further lines sit
  // two columns in, not under the location.
  std::string line = wrap_text(fmt::format("{}: {} ", where, label), f.message, style.width(), "  ");
  line.replace(where.size() + 2, label.size(), style.paint(label, error ? Tone::bad : Tone::warn));
  // What to do goes on its own indented line, as squawk and rustc print it.
  if (!f.hint.empty()) line += "\n" + wrap_text("  help: ", f.hint, style.width());
  return line;
}

std::string human_report(const LintReport& report, const Style& style) {
  std::string out;
  for (const auto& finding : report.findings) out += format_finding(finding, style) + "\n";
  out += fmt::format("lint: {}, {}, {}, {} silenced\n", plural(report.files, "file"),
                     plural(report.count(Severity::warning), "warning"), plural(report.count(Severity::error), "error"),
                     report.silenced.size());
  if (report.app) {
    out += fmt::format("backend: {}, {}, {} not checked\n", plural(report.app->files, "Python file"),
                       plural(report.app->calls, "call"), report.app->not_checked);
  }
  return out;
}

std::string json_report(const LintReport& report, const std::optional<std::string>& database) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) findings.push_back(finding_json(f));
  nlohmann::ordered_json silenced = nlohmann::ordered_json::array();
  for (const auto& s : report.silenced) {
    auto entry = finding_json(s.finding);
    entry["reason"] = s.reason;
    entry["silence_line"] = s.silence_line;
    silenced.push_back(std::move(entry));
  }
  const nlohmann::ordered_json out = {{"command", "lint"},
                                      {"database",
                                       database ? nlohmann::ordered_json(*database) : nlohmann::ordered_json(nullptr)},
                                      {"files", report.files},
                                      {"findings", std::move(findings)},
                                      {"silenced", std::move(silenced)},
                                      {"app", report.app
                                                  ? nlohmann::ordered_json{{"files", report.app->files},
                                                                           {"calls", report.app->calls},
                                                                           {"not_checked", report.app->not_checked}}
                                                  : nlohmann::ordered_json(nullptr)},
                                      {"summary",
                                       {{"errors", report.count(Severity::error)},
                                        {"warnings", report.count(Severity::warning)},
                                        {"silenced", report.silenced.size()}}}};
  return out.dump(2) + "\n";
}

}  // namespace cora::lint
