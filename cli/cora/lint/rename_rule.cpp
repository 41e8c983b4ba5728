#include "cora/lint/rename_rule.hpp"

#include <fmt/format.h>

#include "cora/sql/function_references.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

bool is_relation_rename(const json& node) {
  const std::string type = node.value("renameType", "");
  return type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_FOREIGN_TABLE";
}

}  // namespace

std::optional<TableRename> table_rename(const LintFile& file, const LintStatement& statement) {
  if (statement.type != "RenameStmt" || !is_relation_rename(statement.node)) return std::nullopt;
  TableRename rename;
  rename.from = relation_name(statement.node.value("relation", json::object()));
  rename.to = {rename.from.schema, statement.node.value("newname", "")};
  rename.file = file.file->path.string();
  rename.line = statement.line;
  return rename;
}

std::vector<QualifiedName> created_relations(const LintStatement& statement) {
  const auto& node = statement.node;
  const auto& type = statement.type;
  if (type == "CreateStmt") return {relation_name(node.value("relation", json::object()))};
  if (type == "CreateForeignTableStmt") {
    return {relation_name(node.value("base", json::object()).value("relation", json::object()))};
  }
  if (type == "CreateTableAsStmt")
    return {relation_name(node.value("into", json::object()).value("rel", json::object()))};
  if (type == "ViewStmt") return {relation_name(node.value("view", json::object()))};
  if (type == "RenameStmt" && is_relation_rename(node)) {
    return {{relation_name(node.value("relation", json::object())).schema, node.value("newname", "")}};
  }
  return {};
}

int file_line(const FunctionDefinition& f, int body_line) {
  return f.body_line > 0 ? f.body_line + body_line - 1 : f.line;
}

const BodyAnalysis& FunctionReferences::analysis(const FunctionDefinition& f) {
  const std::string key = fmt::format("{}:{}", f.file, f.line);
  if (const auto it = analyses_.find(key); it != analyses_.end()) return it->second;
  auto& analysis = analyses_[key];
  if (f.body.empty() || (f.language != "plpgsql" && f.language != "sql")) return analysis;
  analysis = analyse_function_body(f.language, f.body, f.signature);
  return analysis;
}

const std::vector<std::pair<QualifiedName, int>>& FunctionReferences::of(const FunctionDefinition& f) {
  const std::string key = fmt::format("{}:{}", f.file, f.line);
  if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto& references = cache_[key];
  for (const auto& relation : analysis(f).relations) {
    QualifiedName name;
    if (!relation.schema.empty()) name.schema = relation.schema;
    name.name = relation.name;
    references.emplace_back(name, file_line(f, relation.line));
  }
  return references;
}

std::vector<Finding> check_rename(const TableRename& rename, const SchemaState& state, FunctionReferences& references) {
  std::vector<Finding> findings;
  for (const auto& [key, f] : state.functions) {
    for (const auto& [name, line] : references.of(f)) {
      if (!(name == rename.from)) continue;
      Finding finding;
      finding.rule = "rename_referenced_table";
      finding.file = rename.file;
      finding.line = rename.line;
      finding.message = fmt::format(
          "renames {} to {}, but function {} still names {} ({}:{}): PostgreSQL does not rewrite function bodies, "
          "so every call fails with \"relation {} does not exist\" [SQLSTATE 42P01]",
          rename.from.text(), rename.to.name, f.name.text(), rename.from.text(), f.file, line, rename.from.text());
      finding.hint = fmt::format(
          "re-create {} with the new name after the rename, in the same migration (CREATE OR REPLACE FUNCTION), or "
          "drop it",
          f.name.text());
      findings.push_back(std::move(finding));
      break;
    }
  }
  return findings;
}

}  // namespace cora::lint
