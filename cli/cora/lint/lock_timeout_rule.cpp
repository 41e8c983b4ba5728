#include "cora/lint/lock_timeout_rule.hpp"

#include <fmt/format.h>

#include "cora/sql/names.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

std::optional<std::string> existing_table(const json& range_var, const SchemaState& state) {
  const QualifiedName table = relation_name(range_var);
  if (table.name.empty() || state.is_new_table(table) || range_var.value("relpersistence", "p") == "t")
    return std::nullopt;
  return "table " + table.text();
}

// DROP TRIGGER t ON s.tbl / DROP POLICY p ON s.tbl: the object is [schema,] table, name.
std::optional<std::string> table_of_named_object(const json& object, const SchemaState& state) {
  auto parts = string_list(object);
  if (parts.size() < 2) return std::nullopt;
  parts.pop_back();
  QualifiedName table;
  table.name = parts.back();
  if (parts.size() > 1) table.schema = parts[parts.size() - 2];
  if (state.is_new_table(table)) return std::nullopt;
  return "table " + table.text();
}

}  // namespace

std::optional<std::string> strong_lock_target(const LintStatement& statement, const SchemaState& state) {
  const auto& node = statement.node;
  const auto& type = statement.type;
  if (type == "AlterTableStmt") {
    if (node.value("objtype", "") != "OBJECT_TABLE") return std::nullopt;
    return existing_table(node.value("relation", json::object()), state);
  }
  if (type == "IndexStmt") {
    if (node.value("concurrent", false)) return std::nullopt;
    return existing_table(node.value("relation", json::object()), state);
  }
  if (type == "RenameStmt") {
    const std::string renamed = node.value("renameType", "");
    const std::string parent = node.value("relationType", "");
    if (renamed == "OBJECT_TABLE" || (renamed == "OBJECT_COLUMN" && parent == "OBJECT_TABLE")) {
      return existing_table(node.value("relation", json::object()), state);
    }
    return std::nullopt;
  }
  if (type == "CreateTrigStmt") return existing_table(node.value("relation", json::object()), state);
  if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt")
    return existing_table(node.value("table", json::object()), state);
  if (type == "TruncateStmt") {
    for (const auto& relation : node.value("relations", json::array())) {
      if (auto target = existing_table(relation, state)) return target;
    }
    return std::nullopt;
  }
  if (type == "DropStmt") {
    const std::string removed = node.value("removeType", "");
    for (const auto& object : node.value("objects", json::array())) {
      if (removed == "OBJECT_TABLE") {
        const QualifiedName table = list_name(object);
        if (!state.is_new_table(table)) return "table " + table.text();
      } else if (removed == "OBJECT_INDEX" && !node.value("concurrent", false)) {
        QualifiedName index = list_name(object);
        if (state.new_indexes.count(index) == 0) return "the table of index " + index.text();
      } else if (removed == "OBJECT_TRIGGER" || removed == "OBJECT_POLICY") {
        if (auto target = table_of_named_object(object, state)) return target;
      }
    }
  }
  return std::nullopt;
}

bool sets_lock_timeout(const LintStatement& statement) {
  return statement.type == "VariableSetStmt" && statement.node.value("name", "") == "lock_timeout" &&
         statement.node.value("kind", "") == "VAR_SET_VALUE";
}

bool runs_without_lock_timeout(const LintFile& file, std::chrono::milliseconds configured_default) {
  return !file.directives.lock_timeout.has_value() && configured_default.count() == 0;
}

Finding missing_lock_timeout(const LintFile& file, const LintStatement& statement, const std::string& target) {
  Finding f;
  f.rule = "missing_lock_timeout";
  f.file = file.file->path.string();
  f.line = statement.line;
  f.message = fmt::format(
      "locks {} with no lock_timeout ([timeouts] lock_timeout is \"0\" and the file sets none): should it wait "
      "behind a long-running query, every other query on the table queues behind it",
      target);
  f.hint = "add \"-- cora-migrate: lock_timeout=5s\" at the top of the file, or set [timeouts] lock_timeout";
  return f;
}

}  // namespace cora::lint
