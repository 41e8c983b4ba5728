#pragma once
// rename_referenced_table: ALTER TABLE old RENAME TO new while a PL/pgSQL or SQL function defined
// in the migrations still names `old`. PostgreSQL does not update function bodies (they are text,
// resolved when a statement first runs), so every call then fails with 42P01: how
// log_auth_event() came to insert into auth_event_log after the table had been renamed.
//
// Judged at the end of the deployment unit holding the rename: fine when each function naming the
// old name has been re-created (or dropped) after it, or a table or view of the old name exists
// again.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"
#include "cora/lint/schema_state.hpp"
#include "cora/sql/names.hpp"

namespace cora::lint {

struct TableRename {
  QualifiedName from;
  QualifiedName to;
  std::string file;
  int line = 0;
};

// ALTER TABLE / VIEW / MATERIALIZED VIEW / FOREIGN TABLE ... RENAME TO ...
std::optional<TableRename> table_rename(const LintFile& file, const LintStatement& statement);

// The relations `statement` makes exist under a name: CREATE TABLE / VIEW / TABLE AS / FOREIGN
// TABLE, and the new name of a rename.
std::vector<QualifiedName> created_relations(const LintStatement& statement);

// Relations named by each function body, analysed once per definition.
class FunctionReferences {
 public:
  // Relations `f` names (unqualified ones in public), each with its line in the file.
  const std::vector<std::pair<QualifiedName, int>>& of(const FunctionDefinition& f);
  // What verify's function_references finds in the body (lines in the body; empty for bodies
  // that are not PL/pgSQL or SQL).
  const BodyAnalysis& analysis(const FunctionDefinition& f);

 private:
  std::map<std::string, std::vector<std::pair<QualifiedName, int>>> cache_;  // by file:line
  std::map<std::string, BodyAnalysis> analyses_;                             // by file:line
};

// The line in the file of line `body_line` of f's body.
int file_line(const FunctionDefinition& f, int body_line);

// One finding per function in `state` whose body still names `rename.from`.
std::vector<Finding> check_rename(const TableRename& rename, const SchemaState& state, FunctionReferences& references);

}  // namespace cora::lint
