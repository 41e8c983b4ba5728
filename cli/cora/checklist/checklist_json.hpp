#pragma once
// `checklist --format json`: the run's decisions as one document. Pure: result in, text out.

#include <string>

#include "cora/checklist/checklist_result.hpp"

namespace cora {

// {"command": "checklist", "database", "title", "file", "strict", "passed", "sections": [{"name",
// "items": [{"id", "kind", "text", "file", "line", "state" (ticked / failed / unticked),
// "unticked", "notes": [{"ok", "text", "quotes", "fix"}]}]}], "figures", "queries", "summary"}.
std::string render_checklist_json(const ChecklistResult& result);

}  // namespace cora
