#include "cora/lint/rerun_rules.hpp"

#include <fmt/format.h>

#include "cora/sql/defined_objects.hpp"
#include "cora/sql/names.hpp"
#include "cora/sql/script.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

Finding finding(const LintFile& file, const LintStatement& statement, const char* rule, std::string message,
                std::string hint) {
  Finding f;
  f.rule = rule;
  f.severity = Severity::error;
  f.file = file.file->path.string();
  f.line = statement.line;
  f.message = std::move(message);
  f.hint = std::move(hint);
  return f;
}

// The object a CREATE statement makes, as its defined_objects key: "table:public.t", ...
const DefinedObject* created_object(const std::vector<DefinedObject>& defined) {
  static const char* const kinds[] = {"table:",    "view:",     "index:",  "type:",     "trigger:",
                                      "function:", "sequence:", "policy:", "extension:"};
  for (const auto& object : defined) {
    for (const char* kind : kinds) {
      if (object.key.rfind(kind, 0) == 0) return &object;
    }
  }
  return nullptr;
}

std::string key_kind(const std::string& key) { return key.substr(0, key.find(':')); }
std::string name_of(const std::string& key) { return key.substr(key.find(':') + 1); }

// dropped_objects() names a dropped view "table:".
std::string drop_key(const std::string& key) { return key_kind(key) == "view" ? "table:" + name_of(key) : key; }

std::string upper(std::string s) {
  for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

// The table an index, policy or trigger belongs to ("public.t"), or "" for other objects: a DROP
// TABLE earlier in the file has taken it with the table.
std::string owning_table(const std::string& kind, const std::string& key, const json& node) {
  const std::string name = name_of(key);
  if (kind == "policy") return name.substr(0, name.find(' '));
  if (kind == "trigger") return name.substr(0, name.rfind('.'));
  if (kind == "index" && node.contains("relation")) return relation_name(node["relation"]).text();
  return "";
}

const char* guard_for(const std::string& kind) {
  if (kind == "table" || kind == "index" || kind == "sequence" || kind == "extension") return "IF NOT EXISTS";
  if (kind == "function" || kind == "view" || kind == "trigger") return "OR REPLACE";
  return "a DROP ... IF EXISTS before it";
}

// The schemas a DROP SCHEMA names.
std::vector<std::string> dropped_schemas(const std::string& type, const json& node) {
  std::vector<std::string> out;
  if (type != "DropStmt" || node.value("removeType", "") != "OBJECT_SCHEMA") return out;
  for (const auto& object : node.value("objects", json::array())) {
    if (object.contains("String")) out.push_back(object["String"].value("sval", ""));
  }
  return out;
}

std::string schema_of(const std::string& qualified) { return qualified.substr(0, qualified.find('.')); }

}  // namespace

bool RerunHazards::gone_earlier(const std::string& table) const {
  return dropped_.count("table:" + table) > 0 || dropped_schemas_.count(schema_of(table)) > 0;
}

// ALTER TABLE ... ADD COLUMN / ADD CONSTRAINT NAME: the second run fails (42701 / 42710) unless
// guarded or dropped earlier in the file; DROP COLUMN / DROP CONSTRAINT are remembered.
std::vector<Finding> RerunHazards::check_alter_table(const LintStatement& statement) {
  std::vector<Finding> out;
  const auto& node = statement.node;
  const std::string table = relation_name(node.value("relation", json::object())).text();
  if (table.empty()) return out;
  for (const auto& item : node.value("cmds", json::array())) {
    const auto& cmd = item.value("AlterTableCmd", json::object());
    const std::string subtype = cmd.value("subtype", "");
    const auto& def = cmd.value("def", json::object());
    if (subtype == "AT_DropColumn") dropped_parts_.insert("column:" + table + "." + cmd.value("name", ""));
    if (subtype == "AT_DropConstraint") dropped_parts_.insert("constraint:" + table + "." + cmd.value("name", ""));
    std::string part;
    std::string what;
    std::string guard;
    if (subtype == "AT_AddColumn" && def.contains("ColumnDef") && !cmd.value("missing_ok", false)) {
      const std::string column = def["ColumnDef"].value("colname", "");
      part = "column:" + table + "." + column;
      what = fmt::format("ADD COLUMN {} to {} in a file that runs again: the second run fails (42701, already exists)",
                         column, table);
      guard = "write ADD COLUMN IF NOT EXISTS";
    } else if (subtype == "AT_AddConstraint" && def.contains("Constraint") && def["Constraint"].contains("conname")) {
      const std::string name = def["Constraint"].value("conname", "");
      part = "constraint:" + table + "." + name;
      what = fmt::format(
          "ADD CONSTRAINT {} to {} in a file that runs again: the second run fails (42710, already "
          "exists)",
          name, table);
      guard = fmt::format("write ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}; just before it", table, name);
    }
    if (part.empty() || dropped_parts_.count(part) > 0 || gone_earlier(table) ||
        scratch_tables_.count("table:" + table))
      continue;
    out.push_back(finding(file_, statement, "rerun_create_not_guarded", what, guard));
  }
  return out;
}

RerunHazards::RerunHazards(const LintFile& file) : file_(file) {
  for (const auto& statement : file.statements) {
    drops_.push_back(statement.node.is_object() ? dropped_objects(statement.type, statement.node)
                                                : std::vector<std::string>{});
  }
}

std::vector<Finding> RerunHazards::check(std::size_t index) {
  std::vector<Finding> out;
  const LintFile& file = file_;
  const LintStatement& statement = file.statements.at(index);
  const auto& node = statement.node;
  if (!node.is_object()) return out;
  const auto& type = statement.type;

  const std::string destructive = destructive_action(type, node);
  if (!destructive.empty()) {
    const auto& dropped = drops_[index];
    bool scratch = type == "DropStmt" && !dropped.empty();
    for (const auto& key : dropped) scratch = scratch && scratch_tables_.count(key) > 0;
    if (!scratch && cascade_drop(type, node)) {
      out.push_back(finding(
          file, statement, "rerun_destroys_data",
          fmt::format("{} in a file that runs again: CASCADE also drops what depends on it, columns of that type "
                      "and tables of that schema included, with their rows, on every re-run",
                      destructive),
          "drop it without CASCADE (PostgreSQL then refuses while anything uses it), or create it only when missing "
          "(a DO block that catches duplicate_object); changes go in a migration of their own"));
    } else if (!scratch) {
      const bool cascade = node.value("behavior", "") == "DROP_CASCADE";
      out.push_back(finding(file, statement, "rerun_destroys_data",
                            fmt::format("{}{} in a file that runs again: every re-run loses the rows{}", destructive,
                                        cascade ? " ... CASCADE" : "",
                                        cascade ? ", and CASCADE drops what depends on the table too" : ""),
                            "move it to a migration of its own, which runs once; a schema file should only add "
                            "what is missing (IF NOT EXISTS)"));
    }
  }
  for (const auto& key : drops_[index]) dropped_.insert(key);
  for (const auto& schema : dropped_schemas(type, node)) dropped_schemas_.insert(schema);
  if (type == "DropStmt") return out;
  if (type == "AlterTableStmt" && node.value("objtype", "OBJECT_TABLE") == "OBJECT_TABLE") {
    for (auto& f : check_alter_table(statement)) out.push_back(std::move(f));
    return out;
  }

  if (type == "IndexStmt" && !node.contains("idxname")) {
    out.push_back(finding(file, statement, "rerun_create_not_guarded",
                          "CREATE INDEX without a name in a file that runs again: every run builds another copy",
                          "name the index and write CREATE INDEX IF NOT EXISTS name ON ..."));
    return out;
  }
  if (type == "CreateSchemaStmt") {
    if (!node.value("if_not_exists", false) && !dropped_schemas_.count(node.value("schemaname", ""))) {
      out.push_back(
          finding(file, statement, "rerun_create_not_guarded",
                  fmt::format("CREATE SCHEMA {} in a file that runs again: the second run fails [SQLSTATE 42P06]",
                              node.value("schemaname", "")),
                  "write CREATE SCHEMA IF NOT EXISTS"));
    }
    return out;
  }

  const auto defined = defined_objects(type, node, statement.start);
  const DefinedObject* created = created_object(defined);
  if (!created) return out;
  const std::string kind = key_kind(created->key);
  if (kind == "table" && !created->if_not_exists) scratch_tables_.insert(created->key);
  if (created->if_not_exists || created->or_replace || dropped_.count(drop_key(created->key)) > 0) return out;
  const std::string table = owning_table(kind, created->key, node);
  if (!table.empty() && dropped_.count("table:" + table) > 0) return out;  // gone with its table
  // Gone with its schema: the object's own name, or its table's, is schema-qualified.
  if (dropped_schemas_.count(schema_of(name_of(created->key))) > 0) return out;
  for (std::size_t later = index + 1; later < drops_.size(); ++later) {
    for (const auto& key : drops_[later]) {
      if (key == drop_key(created->key)) return out;              // dropped again before the file ends
      if (!table.empty() && key == "table:" + table) return out;  // so is its table
    }
  }
  if (kind == "policy") {
    const std::string name = name_of(created->key);
    const auto space = name.find(' ');
    out.push_back(finding(
        file, statement, "rerun_policy_not_dropped",
        fmt::format("CREATE POLICY \"{}\" ON {} in a file that runs again, with no DROP POLICY before it: the second "
                    "run fails (42710, policy already exists)",
                    name.substr(space + 1), name.substr(0, space)),
        fmt::format("write DROP POLICY IF EXISTS \"{}\" ON {}; just before it", name.substr(space + 1),
                    name.substr(0, space))));
    return out;
  }
  out.push_back(finding(file, statement, "rerun_create_not_guarded",
                        fmt::format("CREATE {} {} in a file that runs again: the second run fails (already exists)",
                                    upper(kind), name_of(created->key)),
                        fmt::format("write {} (or DROP {} IF EXISTS before it, where that loses nothing)",
                                    guard_for(kind), upper(kind))));
  return out;
}

}  // namespace cora::lint
