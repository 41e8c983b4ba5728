#include "cora/verify/drift_pointer.hpp"

#include <algorithm>
#include <string>

#include "cora/output/clauses.hpp"

namespace cora {

void point_drift_findings_at_diff(std::vector<CheckOutcome>& outcomes) {
  static const std::vector<std::string> kinds{
      "table", "index", "policy", "function", "lint:unresolved_relation", "lint:invalid_index"};
  for (auto& o : outcomes) {
    if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) continue;
    if (o.source && !o.source->from_files()) continue;
    for (auto& f : o.findings) {
      if (f.severity == Severity::error && !f.module_not_installed) f.fix = then_clause(f.fix, kDriftPointer);
    }
  }
}

}  // namespace cora
