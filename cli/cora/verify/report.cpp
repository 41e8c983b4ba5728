#include "cora/verify/report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

#include "cora/output/clauses.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/plural.hpp"
#include "cora/output/terminal.hpp"
#include "cora/output/wrap.hpp"
#include "cora/verify/finding_sources.hpp"

namespace cora {

namespace {

std::string where(const CheckOutcome& o) {
  return o.origin.file.empty() ? "built-in lint" : fmt::format("{}:{}", o.origin.file, o.origin.line);
}

std::string finding_text(const Finding& f) {
  return then_clause(then_clause("expected " + f.expected, "found " + f.found), "fix: " + f.fix);
}

// Where the object came from, for the one-line formats: "last created or altered by FILE:LINE",
// or that no file creates it. Empty when the files were not read or the outcome is about no object.
std::string source_text(const CheckOutcome& o) {
  if (!o.source) return "";
  if (!o.source->from_files()) return no_file_creates(o.subject);
  return "last created or altered by " + describe_origin(*o.source);
}

// The exact next step, for the one-line formats, when the outcome failed and concerns an object.
std::string next_text(const CheckOutcome& o) {
  if (!o.source || o.passed()) return "";
  return "next: " + fix_advice(*o.source, o.subject);
}

// The check's own file, when the annotation is placed on the .sql file instead.
std::string check_text(const CheckOutcome& o) {
  if (o.origin.file.empty() || !o.source || !o.source->from_files()) return "";
  return fmt::format("check: {}:{}", o.origin.file, o.origin.line);
}

// The "made by" line for people: the statement that defines the object, as `diff` names it, and
// the later statement that altered it when there is one.
std::string made_by_text(const ObjectOrigin& src, const std::string& subject) {
  if (!src.from_files()) return no_file_creates(subject);
  if (src.defined_file.empty()) return describe_origin(src) + " (the last statement that creates or alters it)";
  const std::string defined =
      fmt::format("{}{}:{}", src.module.empty() ? "" : src.module + ": ", src.defined_file, src.defined_line);
  if (src.defined_file == src.file && src.defined_line == src.line) return defined + " (the statement that defines it)";
  return fmt::format("{} (the statement that defines it; last altered by {}:{})", defined, src.file, src.line);
}

// A finding on one line (JUnit, GitHub annotations): the finding, where the object came from, the
// next step and the check's file, as clauses joined without doubled punctuation.
std::string one_line(const Finding& f, const CheckOutcome& o) {
  return then_clause(then_clause(then_clause(finding_text(f), source_text(o)), next_text(o)), check_text(o));
}

// The file and line an annotation or test case belongs to: the .sql statement that made the
// object when one did, else the check's own file (nothing for a lint about no object).
std::pair<std::string, int> annotated_location(const CheckOutcome& o) {
  if (o.source && o.source->from_files()) return {o.source->file, o.source->line};
  return {o.origin.file, o.origin.line};
}

// Outcomes by what they do to the run: passed (no finding), warned (warnings only), failed (an
// error): the three add up to the total. The findings are counted apart, since one outcome may
// hold several.
struct OutcomeCounts {
  std::size_t passed = 0, warned = 0, failed = 0;
};

OutcomeCounts count_outcomes(const std::vector<const CheckOutcome*>& outcomes) {
  OutcomeCounts c;
  for (const auto* o : outcomes) {
    if (o->passed()) {
      ++c.passed;
    } else if (o->failed()) {
      ++c.failed;
    } else {
      ++c.warned;
    }
  }
  return c;
}

std::vector<const CheckOutcome*> pointers_to(const std::vector<CheckOutcome>& outcomes) {
  std::vector<const CheckOutcome*> out;
  out.reserve(outcomes.size());
  for (const auto& o : outcomes) out.push_back(&o);
  return out;
}

std::string summary_line(const std::vector<CheckOutcome>& outcomes, const VerifySummary& s) {
  const auto c = count_outcomes(pointers_to(outcomes));
  return fmt::format("{}: {} passed, {} warned, {} failed; findings: {}, {}; {} to {}",
                     plural(outcomes.size(), "check or lint", "checks and lints"), c.passed, c.warned, c.failed,
                     plural(count_findings(outcomes, Severity::error), "error"),
                     plural(count_findings(outcomes, Severity::warning), "warning"),
                     plural(s.queries, "query", "queries"), s.database);
}

}  // namespace

std::size_t count_findings(const std::vector<CheckOutcome>& outcomes, Severity severity) {
  std::size_t n = 0;
  for (const auto& o : outcomes) {
    for (const auto& f : o.findings) n += f.severity == severity ? 1U : 0U;
  }
  return n;
}

std::string render_human(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary, const Style& style) {
  // Grouped by file, then kind; only what did not pass is spelled out.
  std::map<std::string, std::map<std::string, std::vector<const CheckOutcome*>>> groups;
  std::map<std::string, std::vector<const CheckOutcome*>> by_file;
  for (const auto& o : outcomes) {
    const std::string file = o.origin.file.empty() ? "built-in lints" : o.origin.file;
    by_file[file].push_back(&o);
    if (!o.passed()) groups[file][o.kind].push_back(&o);
  }
  std::string out;
  for (const auto& [file, in_file] : by_file) {
    // FAIL only where an error fails the run; WARN where there are warnings alone.
    const auto c = count_outcomes(in_file);
    const char* mark = c.failed > 0 ? "FAIL" : c.warned > 0 ? "WARN" : "ok  ";
    const Tone tone = c.failed > 0 ? Tone::bad : c.warned > 0 ? Tone::warn : Tone::good;
    out += fmt::format("{} {} ({} checked, {} warned, {} failed)\n", style.paint(mark, tone),
                       style.paint(file, Tone::bold), in_file.size(), c.warned, c.failed);
    for (const auto& [kind, listed] : groups[file]) {
      for (const auto* o : listed) {
        // Names come from the database and the file system: printable_text keeps a line break or a
        // control character in one from starting a line of its own (a CI log reads "::error::").
        out +=
            fmt::format("  {} {} ({})\n", printable_text(kind), printable_text(o->subject), printable_text(where(*o)));
        if (o->source) out += "    made by  " + printable_text(made_by_text(*o->source, o->subject)) + "\n";
        for (const auto& f : o->findings) {
          out += fmt::format("    {} expected {}\n",
                             style.paint(f.severity == Severity::error ? "error:  " : "warning:",
                                         f.severity == Severity::error ? Tone::bad : Tone::warn),
                             printable_text(f.expected));
          out += wrap_text("             found    ", printable_text(f.found), style.width()) + "\n";
          out += wrap_text("             fix      ", printable_text(f.fix), style.width()) + "\n";
        }
        // Not wrapped: the command must stay on one line to be pasted.
        if (o->source) out += "    next     " + printable_text(fix_advice(*o->source, o->subject)) + "\n";
      }
    }
  }
  out += summary_line(outcomes, summary) + "\n";
  return out;
}

std::string render_json(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& o : outcomes) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : o.findings) {
      findings.push_back(
          {{"severity", to_string(f.severity)}, {"expected", f.expected}, {"found", f.found}, {"fix", f.fix}});
    }
    checks.push_back({{"kind", o.kind},
                      {"subject", o.subject},
                      {"file", o.origin.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.origin.file)},
                      {"line", o.origin.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.origin.line)},
                      {"passed", o.passed()},
                      {"findings", findings}});
    if (!o.silenced.empty()) checks.back()["silenced"] = o.silenced;
    if (o.source) {
      const auto& src = *o.source;
      const bool known = src.from_files();
      checks.back()["source"] = {
          {"module", src.module.empty() ? nlohmann::json(nullptr) : nlohmann::json(src.module)},
          {"file", known ? nlohmann::json(src.file) : nlohmann::json(nullptr)},
          {"line", known ? nlohmann::json(src.line) : nlohmann::json(nullptr)},
          {"defined_file", src.defined_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(src.defined_file)},
          {"defined_line", src.defined_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(src.defined_line)},
          {"note", known ? nlohmann::json(nullptr) : nlohmann::json(no_file_creates(o.subject))},
          {"next", o.passed() ? nlohmann::json(nullptr) : nlohmann::json(fix_advice(src, o.subject))}};
    } else {
      checks.back()["source"] = nullptr;
    }
  }
  const auto counts = count_outcomes(pointers_to(outcomes));
  const nlohmann::json doc{{"command", "verify"},
                           {"database", summary.database},
                           {"queries", summary.queries},
                           {"checks", checks},
                           {"summary",
                            {{"total", outcomes.size()},
                             {"passed", counts.passed},
                             {"warned", counts.warned},
                             {"failed", counts.failed},
                             {"errors", count_findings(outcomes, Severity::error)},
                             {"warnings", count_findings(outcomes, Severity::warning)}}}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";  // non-UTF-8 paths
}

std::string render_junit_suite(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary) {
  std::size_t failures = 0;
  for (const auto& o : outcomes) failures += o.failed() ? 1U : 0U;
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n",
                  xml_escape(summary.target.empty() ? summary.database : summary.target), outcomes.size(), failures);
  if (!summary.target.empty()) {
    out += fmt::format("    <properties><property name=\"database\" value=\"{}\"/></properties>\n",
                       xml_escape(summary.database));
  }
  for (const auto& o : outcomes) {
    const auto [file, line] = annotated_location(o);
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"", xml_escape(o.kind),
                       xml_escape(o.subject), xml_escape(file));
    if (!file.empty()) out += fmt::format(" line=\"{}\"", line);
    if (o.passed()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    // Only what fails the run is a <failure>: a warning is the check's output, which JUnit
    // readers show beside a passed test, as verify's WARN is beside its FAIL.
    std::string warnings;
    for (const auto& f : o.findings) {
      if (f.severity != Severity::error) {
        warnings += one_line(f, o) + "\n";
        continue;
      }
      out += fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n", to_string(f.severity),
                         xml_escape("expected " + f.expected + "; found " + f.found), xml_escape(one_line(f, o)));
    }
    if (!warnings.empty()) out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(warnings));
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n";
  return out;
}

std::string render_junit(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary) {
  std::size_t failures = 0;
  for (const auto& o : outcomes) failures += o.failed() ? 1U : 0U;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"cora-migrate verify\" tests=\"{}\" failures=\"{}\">\n", outcomes.size(),
                     failures);
  out += render_junit_suite(outcomes, summary);
  out += "</testsuites>\n";
  return out;
}

std::string render_github(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary) {
  std::string out;
  for (const auto& o : outcomes) {
    for (const auto& f : o.findings) {
      const std::string level = f.severity == Severity::error ? "error" : "warning";
      const auto [file, line] = annotated_location(o);
      const std::string location = file.empty() ? "" : " " + github_location(file, line) + ",";
      out += fmt::format("::{}{}{}title={}::{}\n", level, location, file.empty() ? " " : "",
                         github_title(summary.target, o.kind + " " + o.subject), github_data(one_line(f, o)));
    }
  }
  out += summary_line(outcomes, summary) + "\n";
  return out;
}

}  // namespace cora
