#pragma once
// Re-run hazards, in files that must run again on a database that already has what they create:
// a module's schema/ snapshot files (re-run when they change), files with the header directive
// `-- cora-migrate: rerunnable=true`, and, inside migrate, the files this run applies again
// (--reapply, --reapply-changed).
//
//   rerun_policy_not_dropped   CREATE POLICY with no DROP POLICY of it earlier in the file
//   rerun_create_not_guarded   CREATE TABLE / INDEX / TYPE / TRIGGER / FUNCTION / VIEW / SEQUENCE /
//                              SCHEMA / EXTENSION without IF NOT EXISTS, OR REPLACE or a DROP of
//                              it earlier in the file; an index without a name (built again, as a
//                              duplicate, on every run). A table the file drops again later is a
//                              scratch table (each run starts without it): left alone. ALTER
//                              TABLE ... ADD COLUMN without IF NOT EXISTS, ADD CONSTRAINT NAME,
//                              unless the file dropped that column or constraint (or its table)
//                              earlier. What an earlier DROP SCHEMA took (every object of the
//                              schema, with CASCADE) is created afresh: left alone too
//   rerun_destroys_data        DROP TABLE (with or without CASCADE), TRUNCATE, DELETE without WHERE,
//                              DROP OWNED; DROP TYPE / DOMAIN / SCHEMA / FUNCTION / PROCEDURE /
//                              COLLATION / EXTENSION ... CASCADE, which takes the columns and tables
//                              that depend on the object with it (migrate asks the database which);
//                              a DROP of a table the same file created without IF NOT EXISTS is a
//                              scratch table and left alone
//
// Statements inside DO blocks are not seen: a CREATE TYPE guarded by an exception handler there
// is fine, and not reported.

#include <set>
#include <string>
#include <vector>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"

namespace cora::lint {

class RerunHazards {
 public:
  explicit RerunHazards(const LintFile& file);

  // Findings for statement `index` of the file; called for each statement in order.
  std::vector<Finding> check(std::size_t index);

 private:
  const LintFile& file_;
  std::vector<std::vector<std::string>> drops_;  // per statement: the keys it drops (dropped_objects)
  std::set<std::string> dropped_;                // keys dropped earlier in the file
  std::set<std::string> scratch_tables_;         // created without IF NOT EXISTS earlier in the file
  std::set<std::string> dropped_schemas_;        // DROP SCHEMA earlier in the file: their objects are gone
  // "column:s.t.c" / "constraint:s.t.name" dropped earlier by ALTER TABLE ... DROP
  std::set<std::string> dropped_parts_;

  std::vector<Finding> check_alter_table(const LintStatement& statement);
  bool gone_earlier(const std::string& schema_qualified_table) const;
};

}  // namespace cora::lint
