#include "cora/diff/undo_sql.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"
#include "cora/diff/expected_schema.hpp"
#include "cora/diff/restore_sql.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/output/machine_text.hpp"

namespace cora {

std::string ComputedUndo::sql() const {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += "-- " + sql_comment_text(labels.at(i)) + "\n" + parts[i];
  }
  return out;
}

ComputedUndo compute_undo_sql(LocalCluster& cluster, const std::vector<const MigrationFile*>& now,
                              const std::vector<const MigrationFile*>& before, const DriftOptions& options) {
  const auto schemas = managed_schemas(options.schemas);
  // The older build first: opening the newer one drops the other templates, and the newer one is
  // where the SQL is tried, on the connection kept open.
  SchemaSnapshot target;
  {
    auto opened = open_expected_schema(cluster, before, options.history_table, options.timeouts);
    target = read_schema_snapshot(*opened.db, schemas);
  }
  auto opened = open_expected_schema(cluster, now, options.history_table, options.timeouts);
  const auto current = read_schema_snapshot(*opened.db, schemas);
  const CompareOptions compare{schemas, options.ignore, true};
  ComputedUndo undo;
  for (const auto& d : compare_schemas(target, current, compare)) {
    undo.parts.push_back(restore_sql(d, target));
    // Said from the rollback's side: what the newer files added goes, what they removed comes back.
    const char* verb = d.kind == DifferenceKind::extra     ? "drop"
                       : d.kind == DifferenceKind::missing ? "re-create"
                                                           : "change back";
    undo.labels.push_back(fmt::format("{} {} {}", verb, d.object().kind, d.object().name));
  }
  undo.proof = prove_fix_on_fresh_build(*opened.db, target, undo.parts, compare);
  return undo;
}

}  // namespace cora
