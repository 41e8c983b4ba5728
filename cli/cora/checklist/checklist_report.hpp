#pragma once
// Rendering a checklist run: for a terminal, and as GitHub task-list Markdown to paste into a
// pull request. Pure: result in, text out.

#include <string>

#include "cora/checklist/checklist_result.hpp"

namespace cora {

// Grouped by section: [x] ticked, [!] failed (with what was expected, found and quoted, and the
// fix), [ ] unticked (manual: with how to check it; evidence: which --evidence to pass); then
// the monitoring figures and a summary line.
std::string render_checklist_human(const ChecklistResult& result, bool color);

// "- [x]" / "- [ ]" items under "### Section" headings, each with its evidence in one short line
// (what failed: one line per finding, quoted lines as code), the figures as a table, a summary.
std::string render_checklist_markdown(const ChecklistResult& result);

// "14 of 20 items ticked: 1 failed, 4 manual, 1 without evidence".
std::string checklist_summary(const ChecklistResult& result);

}  // namespace cora
