#pragma once
// The lint's findings for people and for programs.

#include <optional>
#include <string>

#include "cora/lint/finding.hpp"
#include "cora/output/terminal.hpp"

namespace cora::lint {

// "FILE:LINE: warning[RULE]: MESSAGE (hint: FIX)"; errors also carry the column when known:
// "FILE:LINE:COLUMN: error[RULE]: ...".
std::string format_finding(const Finding& finding, const Style& style);

// One line per finding, then a summary line ("lint: 8 files, 1 warning, 0 errors, 2 silenced").
std::string human_report(const LintReport& report, const Style& style);

// {"command": "lint", "database": (with --pending, else null), "files": N, "findings": [...],
// "silenced": [...], "summary": {...}}: docs/output-formats.md.
std::string json_report(const LintReport& report, const std::optional<std::string>& database = std::nullopt);

}  // namespace cora::lint
