#pragma once
// Rendering a drift report: for people, JSON, Markdown (for a pull request), GitHub workflow
// annotations, the SQL that restores the files' version, and one line for `status --drift`.
// Pure: the report in, text out.

#include <string>

#include "cora/diff/drift.hpp"

namespace cora {

struct DriftHeader {
  std::string database;  // redacted
  std::string files;     // "migrations/ (8 files)"
  std::string target;    // one of several environments (--as-target): GitHub titles start "[NAME] "
};

std::string render_drift_human(const DriftReport& report, const DriftHeader& header, bool color);
std::string render_drift_json(const DriftReport& report, const DriftHeader& header);
std::string render_drift_markdown(const DriftReport& report, const DriftHeader& header);
std::string render_drift_github(const DriftReport& report, const DriftHeader& header);
std::string render_drift_sql(const DriftReport& report, const DriftHeader& header);

// "drift: none" or "drift: 3 differences (1 missing, 1 extra, 1 changed): run `cora-migrate diff`".
std::string drift_summary_line(const DriftReport& report);

// What differs in one attribute, short enough for a line: a multi-line value (a function body)
// is shown by its first differing line.
struct ValueChange {
  std::string where;     // "" or "line 4"
  std::string expected;  // "(none)" when empty
  std::string actual;
};
ValueChange describe_change(const std::string& expected, const std::string& actual);

}  // namespace cora
