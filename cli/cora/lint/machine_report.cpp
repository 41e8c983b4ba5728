#include "cora/lint/machine_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cora/output/machine_text.hpp"
#include "cora/version.hpp"

namespace cora::lint {

namespace {

const char* level_of(const Finding& f) { return f.severity == Severity::error ? "error" : "warning"; }

std::string message_of(const Finding& f) { return f.hint.empty() ? f.message : f.message + " (hint: " + f.hint + ")"; }

nlohmann::ordered_json sarif_rules() {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  const auto rule = [](std::string_view id, std::string_view text) {
    return nlohmann::ordered_json{{"id", id}, {"shortDescription", {{"text", text}}}};
  };
  rules.push_back(rule(
      kInvalidFile,
      "A file migrate refuses to run: SQL syntax error, bad directive, BEGIN/COMMIT, COPY FROM STDIN, no statement"));
  rules.push_back(rule(kInvalidSilence, "A misused silence: an ignore= comment that cannot be applied as written"));
  for (const auto& r : offline_rules()) rules.push_back(rule(r.name, r.summary));
  return rules;
}

nlohmann::ordered_json sarif_result(const Finding& f) {
  nlohmann::ordered_json physical{{"artifactLocation", {{"uri", f.file}}}};
  // SARIF lines and columns start at 1: a finding about the whole file has no region, and one
  // on a line without a known column starts at column 1 (SARIF's own default, written out).
  if (f.line > 0) physical["region"] = {{"startLine", f.line}, {"startColumn", f.column > 0 ? f.column : 1}};
  return {{"ruleId", f.rule},
          {"level", level_of(f)},
          {"message", {{"text", message_of(f)}}},
          {"locations", nlohmann::ordered_json::array({{{"physicalLocation", physical}}})}};
}

}  // namespace

std::string github_annotation(const Finding& f, const std::string& target) {
  return fmt::format("::{} {},title={}::{}\n", level_of(f), github_location(f.file, f.line, f.column),
                     github_title(target, "cora-migrate " + f.rule), github_data(message_of(f)));
}

std::string github_report(const LintReport& report) {
  std::string out;
  for (const auto& f : report.findings) out += github_annotation(f);
  return out;
}

std::string sarif_report(const LintReport& report) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) results.push_back(sarif_result(f));
  for (const auto& s : report.silenced) {
    auto result = sarif_result(s.finding);
    result["suppressions"] = nlohmann::ordered_json::array({{{"kind", "inSource"}, {"justification", s.reason}}});
    results.push_back(std::move(result));
  }
  const nlohmann::ordered_json driver{{"name", "cora-migrate"}, {"version", tool_version()}, {"rules", sarif_rules()}};
  const nlohmann::ordered_json log{{"version", "2.1.0"},
                                   {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                                   {"runs", nlohmann::ordered_json::array(
                                                {{{"tool", {{"driver", driver}}}, {"results", results}}})}};
  return log.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace cora::lint
