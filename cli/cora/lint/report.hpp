#pragma once
// The lint's findings for people and for programs.

#include <string>

#include "cora/lint/finding.hpp"
#include "cora/output/terminal.hpp"

namespace cora::lint {

// "FILE:LINE: warning[RULE]: MESSAGE (hint: FIX)"; errors also carry the column when known:
// "FILE:LINE:COLUMN: error[RULE]: ...".
std::string format_finding(const Finding& finding, const Style& style);

// One line per finding, then a summary line ("lint: 8 files, 1 warning, 0 errors, 2 silenced").
std::string human_report(const LintReport& report, const Style& style);

// {"files": N, "findings": [...], "silenced": [...], "summary": {...}}: docs/commands.md, `lint`.
std::string json_report(const LintReport& report);

}  // namespace cora::lint
