#include "cora/sql/script.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include "cora/sql/parse_tree.hpp"
#include "cora/sql/session_effects.hpp"
#include "cora/util/line_index.hpp"

namespace cora {

namespace {

std::string qualified_relation(const nlohmann::json& range_var) {
  const std::string schema = range_var.value("schemaname", "");
  return (schema.empty() ? "public" : schema) + "." + range_var.value("relname", "");
}

std::vector<std::string> created_objects(const std::string& type, const nlohmann::json& node) {
  if (type == "CreateStmt" || type == "CreateTableAsStmt") {
    const auto& relation = type == "CreateStmt"
                               ? node.value("relation", nlohmann::json::object())
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

std::vector<std::string> list_name_parts(const nlohmann::json& list) {
  std::vector<std::string> parts;
  const auto& items = list.contains("List") ? list["List"].value("items", nlohmann::json::array()) : list;
  if (!items.is_array()) return parts;
  for (const auto& part : items) parts.push_back(part.value("String", nlohmann::json::object()).value("sval", ""));
  return parts;
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

std::optional<CascadeDrop> cascade_drop(const std::string& type, const nlohmann::json& node) {
  if (type != "DropStmt" || node.value("behavior", "") != "DROP_CASCADE") return std::nullopt;
  static const std::map<std::string, std::string> kinds{
      {"OBJECT_TYPE", "type"},          {"OBJECT_DOMAIN", "type"},         {"OBJECT_SCHEMA", "schema"},
      {"OBJECT_FUNCTION", "function"},  {"OBJECT_PROCEDURE", "function"},  {"OBJECT_ROUTINE", "function"},
      {"OBJECT_AGGREGATE", "function"}, {"OBJECT_COLLATION", "collation"}, {"OBJECT_EXTENSION", "extension"}};
  const auto kind = kinds.find(node.value("removeType", ""));
  if (kind == kinds.end()) return std::nullopt;
  CascadeDrop drop{kind->second, {}};
  for (const auto& object : node.value("objects", nlohmann::json::array())) {
    // A schema or extension is a String; a type a TypeName; a function an ObjectWithArgs; a
    // collation a List of its name's parts.
    std::vector<std::string> parts;
    if (object.contains("String")) parts.push_back(object["String"].value("sval", ""));
    else if (object.contains("TypeName"))
      parts = list_name_parts(object["TypeName"].value("names", nlohmann::json::array()));
    else if (object.contains("ObjectWithArgs"))
      parts = list_name_parts(object["ObjectWithArgs"].value("objname", nlohmann::json::array()));
    else parts = list_name_parts(object);
    if (parts.empty()) continue;
    drop.objects.emplace_back(parts.size() > 1 ? parts[parts.size() - 2] : std::string(), parts.back());
  }
  return drop;
}

std::string destructive_action(const std::string& type, const nlohmann::json& node) {
  if (type == "TruncateStmt") return "TRUNCATE";
  if (type == "DeleteStmt" && !node.contains("whereClause")) return "DELETE without WHERE";
  if (type == "DropStmt" && node.value("removeType", "") == "OBJECT_TABLE") return "DROP TABLE";
  if (type == "DropOwnedStmt") return "DROP OWNED";  // every table the role owns, in this database
  if (const auto drop = cascade_drop(type, node)) {
    static const std::map<std::string, std::string> words{
        {"OBJECT_TYPE", "TYPE"},           {"OBJECT_DOMAIN", "DOMAIN"},       {"OBJECT_SCHEMA", "SCHEMA"},
        {"OBJECT_FUNCTION", "FUNCTION"},   {"OBJECT_PROCEDURE", "PROCEDURE"}, {"OBJECT_ROUTINE", "ROUTINE"},
        {"OBJECT_AGGREGATE", "AGGREGATE"}, {"OBJECT_COLLATION", "COLLATION"}, {"OBJECT_EXTENSION", "EXTENSION"}};
    std::string names;
    for (const auto& [schema, name] : drop->objects)
      names += (names.empty() ? "" : ", ") + (schema.empty() ? name : schema + "." + name);
    return "DROP " + words.at(node.value("removeType", "")) + " " + names + " CASCADE";
  }
  return {};
}

std::vector<std::string> dropped_objects(const std::string& type, const nlohmann::json& node) {
  if (type != "DropStmt") return {};
  const std::string kind = node.value("removeType", "");
  std::vector<std::string> out;
  for (const auto& object : node.value("objects", nlohmann::json::array())) {
    if (kind == "OBJECT_FUNCTION" || kind == "OBJECT_PROCEDURE") {
      const auto parts = list_name_parts(
          object.value("ObjectWithArgs", nlohmann::json::object()).value("objname", nlohmann::json::array()));
      if (parts.empty()) continue;
      out.push_back("function:" + (parts.size() > 1 ? parts[parts.size() - 2] : std::string("public")) + "." +
                    parts.back());
      continue;
    }
    if (kind == "OBJECT_TYPE" || kind == "OBJECT_DOMAIN") {
      // DROP TYPE's objects are TypeNames: {"TypeName": {"names": [...]}}.
      const auto names =
          list_name_parts(object.value("TypeName", nlohmann::json::object()).value("names", nlohmann::json::array()));
      if (!names.empty()) {
        out.push_back("type:" + (names.size() > 1 ? names[names.size() - 2] : std::string("public")) + "." +
                      names.back());
      }
      continue;
    }
    const auto parts = list_name_parts(object);
    if (parts.empty()) continue;
    const std::string qualified =
        (parts.size() > 1 ? parts[parts.size() - 2] : std::string("public")) + "." + parts.back();
    if (kind == "OBJECT_TABLE" || kind == "OBJECT_VIEW" || kind == "OBJECT_MATVIEW")
      out.push_back("table:" + qualified);
    if (kind == "OBJECT_INDEX") out.push_back("index:" + qualified);
    if (kind == "OBJECT_SEQUENCE") out.push_back("sequence:" + qualified);
    if (kind == "OBJECT_TRIGGER" && parts.size() >= 2) {
      // [schema,] table, trigger
      const std::string table =
          parts.size() > 2 ? parts[parts.size() - 3] + "." + parts[parts.size() - 2] : "public." + parts[0];
      out.push_back("trigger:" + table + "." + parts.back());
    }
    if (kind == "OBJECT_POLICY" && parts.size() >= 2) {
      // [schema,] table, policy
      const std::string table =
          parts.size() > 2 ? parts[parts.size() - 3] + "." + parts[parts.size() - 2] : "public." + parts[0];
      out.push_back("policy:" + table + " " + parts.back());
    }
  }
  return out;
}

std::size_t skip_blanks_and_comments(const std::string& sql, std::size_t offset) {
  std::size_t i = offset;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      // A line comment ends at a carriage return too, as in PostgreSQL's scanner: a file with
      // bare \r line ends has its next statement on the same counted line.
      while (i < sql.size() && sql[i] != '\n' && sql[i] != '\r') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      int depth = 0;
      do {
        if (sql.compare(i, 2, "/*") == 0) {
          ++depth;
          i += 2;
        } else if (sql.compare(i, 2, "*/") == 0) {
          --depth;
          i += 2;
        } else ++i;
      } while (depth > 0 && i < sql.size());
    } else {
      break;
    }
  }
  return i;
}

namespace {

// CREATE EXTENSION's options are DefElems: {"defname": "schema", "arg": {"String": {"sval": ...}}},
// "new_version" likewise, and "cascade" with {"Boolean": {"boolval": true}}.
ExtensionRequest extension_request(const nlohmann::json& node) {
  ExtensionRequest out;
  out.name = node.value("extname", "");
  out.if_not_exists = node.value("if_not_exists", false);
  for (const auto& item : node.value("options", nlohmann::json::array())) {
    const auto& def = item.value("DefElem", nlohmann::json::object());
    const std::string name = def.value("defname", "");
    const auto& arg = def.value("arg", nlohmann::json::object());
    const std::string text = arg.value("String", nlohmann::json::object()).value("sval", "");
    if (name == "schema") out.schema = text;
    if (name == "new_version") out.version = text;
    if (name == "cascade") out.cascade = arg.value("Boolean", nlohmann::json::object()).value("boolval", false);
  }
  return out;
}

}  // namespace

namespace {

void visit_parsed(const std::string& sql, const std::vector<ParsedStatement>& parsed,
                  const std::function<void(SqlStatement&&)>& visit) {
  const LineIndex lines(sql);
  for (const auto& p : parsed) {
    SqlStatement statement;
    statement.offset = p.offset;
    statement.length = p.length;
    statement.first_line = lines.line_of(skip_blanks_and_comments(sql, statement.offset));
    statement.node_type = std::string(p.type);
    if (p.node.is_object()) {
      const auto& node = p.node;
      statement.concurrently = is_concurrent(statement.node_type, node);
      statement.creates = created_objects(statement.node_type, node);
      statement.drops = dropped_objects(statement.node_type, node);
      statement.defines = defined_objects(statement.node_type, node, skip_blanks_and_comments(sql, statement.offset));
      if (statement.node_type == "IndexStmt" && node.contains("idxname")) {
        const std::string schema = node.value("relation", nlohmann::json::object()).value("schemaname", "");
        statement.index_name = (schema.empty() ? "" : schema + ".") + node.value("idxname", "");
      }
      statement.copy_from_stdin =
          statement.node_type == "CopyStmt" && node.value("is_from", false) && !node.contains("filename");
      statement.destructive = destructive_action(statement.node_type, node);
      statement.cascade_drop = cascade_drop(statement.node_type, node);
      if (statement.node_type == "TransactionStmt") statement.transaction_kind = node.value("kind", "");
      if (statement.node_type == "CreateExtensionStmt") statement.extension = extension_request(node);
    }
    statement.leaves_session_unchanged =
        leaves_session_unchanged(statement.node_type, p.node,
                                 std::string_view(sql).substr(statement.offset, statement.length));
    visit(std::move(statement));
  }
}

}  // namespace

std::size_t for_each_sql_statement(const std::string& sql, const std::function<void(SqlStatement&&)>& visit) {
  const auto parsed = parse_statements(sql);
  visit_parsed(sql, *parsed, visit);
  return parsed->size();
}

SqlScript parse_sql_script(const std::string& sql) {
  const auto parsed = parse_statements(sql);
  SqlScript script;
  script.statements.reserve(parsed->size());
  visit_parsed(sql, *parsed,
               [&script](SqlStatement&& statement) { script.statements.push_back(std::move(statement)); });
  return script;
}

}  // namespace cora
