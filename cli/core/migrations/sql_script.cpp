#include "migrations/sql_script.hpp"

#include <nlohmann/json.hpp>
#include <pg_query.h>

#include <memory>

#include "util/text_position.hpp"

namespace cora {

namespace {

struct ParseResultDeleter {
  void operator()(PgQueryParseResult* r) const {
    pg_query_free_parse_result(*r);
    delete r;
  }
};

std::string qualified_relation(const nlohmann::json& range_var) {
  const std::string schema = range_var.value("schemaname", "");
  return (schema.empty() ? "public" : schema) + "." + range_var.value("relname", "");
}

std::vector<std::string> created_objects(const std::string& type, const nlohmann::json& node) {
  if (type == "CreateStmt" || type == "CreateTableAsStmt") {
    const auto& relation = type == "CreateStmt" ? node.value("relation", nlohmann::json::object())
                                                : node.value("into", nlohmann::json::object()).value("rel", nlohmann::json::object());
    return {"table:" + qualified_relation(relation)};
  }
  if (type == "ViewStmt") return {"table:" + qualified_relation(node.value("view", nlohmann::json::object()))};
  if (type == "IndexStmt" && node.contains("idxname")) {
    const std::string table = qualified_relation(node.value("relation", nlohmann::json::object()));
    return {"index:" + table.substr(0, table.find('.')) + "." + node.value("idxname", "")};
  }
  if (type == "CreatePolicyStmt") {
    return {"policy:" + qualified_relation(node.value("table", nlohmann::json::object())) + " " +
            node.value("policy_name", "")};
  }
  if (type == "CreateFunctionStmt") {
    std::vector<std::string> parts;
    for (const auto& part : node.value("funcname", nlohmann::json::array())) {
      parts.push_back(part.value("String", nlohmann::json::object()).value("sval", ""));
    }
    if (parts.empty()) return {};
    return {"function:" + (parts.size() > 1 ? parts[parts.size() - 2] : std::string("public")) + "." + parts.back()};
  }
  return {};
}

bool is_concurrent(const std::string& node_type, const nlohmann::json& node) {
  if (node_type == "IndexStmt") return node.value("concurrent", false);
  if (node_type == "DropStmt") return node.value("concurrent", false);
  if (node_type == "ReindexStmt") {
    for (const auto& param : node.value("params", nlohmann::json::array())) {
      if (param.contains("DefElem") && param["DefElem"].value("defname", "") == "concurrently") return true;
    }
  }
  return false;
}

}  // namespace

std::size_t skip_blanks_and_comments(const std::string& sql, std::size_t offset) {
  std::size_t i = offset;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      int depth = 0;
      do {
        if (sql.compare(i, 2, "/*") == 0) { ++depth; i += 2; }
        else if (sql.compare(i, 2, "*/") == 0) { --depth; i += 2; }
        else ++i;
      } while (depth > 0 && i < sql.size());
    } else {
      break;
    }
  }
  return i;
}

SqlScript parse_sql_script(const std::string& sql) {
  std::unique_ptr<PgQueryParseResult, ParseResultDeleter> result(
      new PgQueryParseResult(pg_query_parse(sql.c_str())));
  if (result->error) {
    const auto at = line_column_at(sql, byte_offset_of_character(sql, result->error->cursorpos));
    throw SqlParseFailure({result->error->message, at.line, at.column});
  }
  const auto tree = nlohmann::json::parse(result->parse_tree);
  SqlScript script;
  for (const auto& entry : tree.value("stmts", nlohmann::json::array())) {
    SqlStatement statement;
    statement.offset = entry.value("stmt_location", std::size_t{0});
    const auto length = entry.value("stmt_len", std::size_t{0});
    // libpg_query reports 0 for "until the end of the input" on the last statement.
    statement.length = length == 0 ? sql.size() - statement.offset : length;
    statement.first_line = line_column_at(sql, skip_blanks_and_comments(sql, statement.offset)).line;
    const auto& stmt = entry.at("stmt");
    if (!stmt.empty()) {
      statement.node_type = stmt.begin().key();
      const auto& node = stmt.begin().value();
      statement.concurrently = is_concurrent(statement.node_type, node);
      statement.creates = created_objects(statement.node_type, node);
      statement.defines = defined_objects(statement.node_type, node, skip_blanks_and_comments(sql, statement.offset));
      if (statement.node_type == "IndexStmt" && node.contains("idxname")) {
        const std::string schema = node.value("relation", nlohmann::json::object()).value("schemaname", "");
        statement.index_name = (schema.empty() ? "" : schema + ".") + node.value("idxname", "");
      }
      statement.copy_from_stdin = statement.node_type == "CopyStmt" && node.value("is_from", false) &&
                                  !node.contains("filename");
    }
    script.statements.push_back(std::move(statement));
  }
  return script;
}

}  // namespace cora
