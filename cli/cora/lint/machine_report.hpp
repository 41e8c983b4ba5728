#pragma once
// The lint's findings for CI systems: GitHub workflow annotations and SARIF 2.1.0 (code scanning).

#include <string>

#include "cora/lint/finding.hpp"

namespace cora::lint {

// One `::warning file=F,line=L,col=C,title=cora-migrate RULE::MESSAGE` (or ::error) per finding;
// line and col only when known. Silenced findings are left out.
std::string github_report(const LintReport& report);

// One finding as a workflow command: "::warning file=F,line=L,title=cora-migrate RULE::MESSAGE\n".
std::string github_annotation(const Finding& finding, const std::string& target = {});

// A SARIF 2.1.0 log with one run: the tool with every rule it knows, a result per finding and
// one per silenced finding (with an in-source suppression and its reason).
std::string sarif_report(const LintReport& report);

}  // namespace cora::lint
