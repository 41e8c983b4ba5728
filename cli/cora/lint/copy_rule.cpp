#include "cora/lint/copy_rule.hpp"

namespace cora::lint {

std::optional<Finding> copy_to_stdout(const LintFile& file, const LintStatement& statement) {
  // COPY … TO STDOUT has neither a file name nor PROGRAM; FROM STDIN is prepare_migration's.
  if (statement.type != "CopyStmt" || !statement.node.is_object()) return std::nullopt;
  if (statement.node.value("is_from", false) || statement.node.contains("filename")) return std::nullopt;
  Finding f;
  f.rule = "copy_to_stdout";
  f.severity = Severity::warning;
  f.file = file.file->path.string();
  f.line = statement.line;
  f.message = "COPY ... TO STDOUT sends its rows to cora-migrate, which drops them";
  f.hint = "write them to a server file (COPY ... TO '/path'), or remove the statement";
  return f;
}

}  // namespace cora::lint
