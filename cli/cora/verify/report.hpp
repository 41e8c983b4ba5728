#pragma once
// Rendering verify's outcomes: for people, JSON, JUnit XML (one testcase per check) and
// GitHub workflow annotations. Pure: outcomes in, text out.

#include <string>
#include <vector>

#include "cora/checks/outcome.hpp"
#include "cora/output/terminal.hpp"

namespace cora {

struct VerifySummary {
  std::string database;     // redacted
  std::size_t queries = 0;  // round trips verify made
  std::size_t checks = 0;   // declared checks (lints not counted)
  // Set when this run is one of several targets (--env a,b): the JUnit suite is named after it
  // and GitHub annotation titles start with "[NAME] ".
  std::string target;
};

// For people: colour and wrapping as `style` says (Style::for_stream(stdout), or Style::plain()).
std::string render_human(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary, const Style& style);
std::string render_json(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary);
std::string render_junit(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary);
// The <testsuite> element alone, for a document of several targets' suites.
std::string render_junit_suite(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary);
std::string render_github(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary);

// Errors and warnings over all outcomes.
std::size_t count_findings(const std::vector<CheckOutcome>& outcomes, Severity severity);

}  // namespace cora
