#include "cora/sql/defined_objects.hpp"

namespace cora {

namespace {

using nlohmann::json;

const json& field(const json& node, const char* key) {
  static const json empty = json::object();
  const auto it = node.find(key);
  return it == node.end() ? empty : *it;
}

std::string relation_name(const json& range_var) {
  const std::string schema = range_var.value("schemaname", "");
  return (schema.empty() ? "public" : schema) + "." + range_var.value("relname", "");
}

std::vector<std::string> name_parts(const json& list) {
  std::vector<std::string> parts;
  if (!list.is_array()) return parts;
  for (const auto& part : list) parts.push_back(field(part, "String").value("sval", ""));
  return parts;
}

// ["s", "name"] or ["name"] as "s.name", unqualified names taken as public.
std::string qualified(const std::vector<std::string>& parts) {
  if (parts.empty()) return "";
  return (parts.size() > 1 ? parts[parts.size() - 2] : std::string("public")) + "." + parts.back();
}

std::size_t location_or(const json& node, std::size_t fallback) {
  const auto it = node.find("location");
  return it != node.end() && it->is_number_integer() && it->get<long long>() >= 0 ? it->get<std::size_t>() : fallback;
}

void add_column(std::vector<DefinedObject>& out, const std::string& table, const json& column, std::size_t fallback) {
  const std::size_t at = location_or(column, fallback);
  out.push_back({"column:" + table + "." + column.value("colname", ""), at, false, false});
  for (const auto& c : column.value("constraints", json::array())) {
    const auto& constraint = field(c, "Constraint");
    if (constraint.contains("conname")) {
      out.push_back(
          {"constraint:" + table + "." + constraint.value("conname", ""), location_or(constraint, at), false, false});
    }
  }
}

void add_table_elements(std::vector<DefinedObject>& out, const std::string& table, const json& elements,
                        std::size_t fallback) {
  for (const auto& element : elements) {
    if (element.contains("ColumnDef")) add_column(out, table, element["ColumnDef"], fallback);
    const auto& constraint = field(element, "Constraint");
    if (constraint.contains("conname")) {
      out.push_back({"constraint:" + table + "." + constraint.value("conname", ""), location_or(constraint, fallback),
                     false, false});
    }
  }
}

void add_alter_table(std::vector<DefinedObject>& out, const json& node, std::size_t at) {
  const std::string table = relation_name(field(node, "relation"));
  for (const auto& c : node.value("cmds", json::array())) {
    const auto& cmd = field(c, "AlterTableCmd");
    const std::string subtype = cmd.value("subtype", "");
    const auto& def = field(cmd, "def");
    if (subtype == "AT_AddColumn" && def.contains("ColumnDef")) {
      add_column(out, table, def["ColumnDef"], at);
    } else if (subtype == "AT_AddConstraint" && field(def, "Constraint").contains("conname")) {
      out.push_back({"constraint:" + table + "." + def["Constraint"].value("conname", ""), at, false, false});
    } else if (subtype == "AT_SetNotNull" || subtype == "AT_DropNotNull" || subtype == "AT_ColumnDefault" ||
               subtype == "AT_AlterColumnType" || subtype == "AT_AddIdentity" || subtype == "AT_DropIdentity") {
      out.push_back({"column:" + table + "." + cmd.value("name", ""), at, false, false});
    } else if (subtype == "AT_EnableRowSecurity" || subtype == "AT_DisableRowSecurity" ||
               subtype == "AT_ForceRowSecurity" || subtype == "AT_NoForceRowSecurity") {
      out.push_back({"rls:" + table, at, false, false});
    }
  }
}

// DROP POLICY / TRIGGER IF EXISTS name ON [schema.]table: the objects list holds [schema,] table, name.
void add_drop_if_exists(std::vector<DefinedObject>& out, const json& node, std::size_t at) {
  if (!node.value("missing_ok", false)) return;
  const std::string type = node.value("removeType", "");
  if (type != "OBJECT_POLICY" && type != "OBJECT_TRIGGER") return;
  for (const auto& object : node.value("objects", json::array())) {
    auto parts = name_parts(field(object, "List").value("items", json::array()));
    if (parts.size() < 2) continue;
    const std::string name = parts.back();
    parts.pop_back();
    const std::string table = qualified(parts);
    out.push_back({type == "OBJECT_POLICY" ? "drop-if-exists:policy:" + table + " " + name
                                           : "drop-if-exists:trigger:" + table + "." + name,
                   at, false, false});
  }
}

void add_grant(std::vector<DefinedObject>& out, const json& node, std::size_t at) {
  if (node.value("targtype", "") != "ACL_TARGET_OBJECT") return;
  std::vector<std::string> grantees;
  for (const auto& g : node.value("grantees", json::array())) {
    const auto& role = field(g, "RoleSpec");
    if (role.value("roletype", "") == "ROLESPEC_PUBLIC") grantees.push_back("PUBLIC");
    else if (role.contains("rolename")) grantees.push_back(role.value("rolename", ""));
  }
  for (const auto& object : node.value("objects", json::array())) {
    std::string name;
    if (object.contains("RangeVar")) name = relation_name(object["RangeVar"]);
    else if (object.contains("ObjectWithArgs"))
      name = qualified(name_parts(object["ObjectWithArgs"].value("objname", json::array())));
    if (name.empty()) continue;
    out.push_back({"grant:" + name, at, false, false});
    for (const auto& grantee : grantees) out.push_back({"grant:" + name + " to " + grantee, at, false, false});
  }
}

std::string changed_kind(const std::string& objtype) {
  if (objtype == "OBJECT_TABLE" || objtype == "OBJECT_VIEW" || objtype == "OBJECT_MATVIEW" ||
      objtype == "OBJECT_FOREIGN_TABLE" || objtype == "OBJECT_SEQUENCE")
    return "relation";
  if (objtype == "OBJECT_INDEX") return "index";
  if (objtype == "OBJECT_POLICY") return "policy";
  if (objtype == "OBJECT_FUNCTION" || objtype == "OBJECT_PROCEDURE" || objtype == "OBJECT_ROUTINE") return "function";
  return "";
}

void add_changed(std::vector<DefinedObject>& out, const std::string& kind, const std::string& name, std::size_t at) {
  if (!kind.empty() && !name.empty()) out.push_back({"changed:" + kind + ":" + name, at, false, false});
}

// COMMENT ON / ALTER ... RENAME name their object by objtype and `object`: a List of name parts
// (relations, indexes, policies: [schema,] [table,] name) or an ObjectWithArgs (functions).
std::string object_name(const std::string& kind, const json& object) {
  if (kind == "function") return qualified(name_parts(field(object, "ObjectWithArgs").value("objname", json::array())));
  auto parts = name_parts(field(object, "List").value("items", json::array()));
  if (parts.empty() && object.contains("String")) parts.push_back(field(object, "String").value("sval", ""));
  if (kind != "policy") return qualified(parts);
  if (parts.size() < 2) return "";
  const std::string policy = parts.back();
  parts.pop_back();
  return qualified(parts) + " " + policy;
}

// What a statement that changes an object without defining it changes ("changed:" keys), and
// a rename's old name ("renamed:").
void add_changes(std::vector<DefinedObject>& out, const std::string& type, const json& node, std::size_t at) {
  if (type == "AlterTableStmt") {
    const std::string kind = changed_kind(node.value("objtype", "OBJECT_TABLE"));
    const std::string name = relation_name(field(node, "relation"));
    add_changed(out, kind, name, at);
  } else if (type == "AlterFunctionStmt") {
    add_changed(out, "function", qualified(name_parts(field(node, "func").value("objname", json::array()))), at);
  } else if (type == "AlterPolicyStmt") {
    add_changed(out, "policy", relation_name(field(node, "table")) + " " + node.value("policy_name", ""), at);
  } else if (type == "GrantStmt" && node.value("targtype", "") == "ACL_TARGET_OBJECT") {
    const std::string kind = changed_kind(node.value("objtype", ""));
    for (const auto& object : node.value("objects", json::array())) {
      if (object.contains("RangeVar")) add_changed(out, kind, relation_name(object["RangeVar"]), at);
      if (object.contains("ObjectWithArgs")) {
        add_changed(out, kind, qualified(name_parts(object["ObjectWithArgs"].value("objname", json::array()))), at);
      }
    }
  } else if (type == "CommentStmt") {
    const std::string kind = changed_kind(node.value("objtype", ""));
    add_changed(out, kind, object_name(kind, field(node, "object")), at);
  } else if (type == "RenameStmt") {
    const std::string kind = changed_kind(node.value("renameType", ""));
    if (kind.empty()) return;
    std::string from;
    std::string to;
    const std::string new_name = node.value("newname", "");
    if (kind == "relation" || kind == "index") {
      from = relation_name(field(node, "relation"));
      to = from.substr(0, from.find('.')) + "." + new_name;
    } else if (kind == "policy") {
      const std::string table = relation_name(field(node, "relation"));
      from = table + " " + node.value("subname", "");
      to = table + " " + new_name;
    } else {
      from = object_name(kind, field(node, "object"));
      to = from.substr(0, from.find('.')) + "." + new_name;
    }
    out.push_back({"renamed:" + kind + ":" + from, at, false, false});
    add_changed(out, kind, to, at);
  }
}

}  // namespace

std::vector<DefinedObject> defined_objects(const std::string& type, const json& node, std::size_t at) {
  std::vector<DefinedObject> out;
  const bool if_not_exists = node.value("if_not_exists", false);
  const bool or_replace = node.value("replace", false);
  if (type == "CreateStmt") {
    const std::string table = relation_name(field(node, "relation"));
    out.push_back({"table:" + table, at, if_not_exists, false});
    add_table_elements(out, table, node.value("tableElts", json::array()), at);
  } else if (type == "CreateTableAsStmt") {
    const auto& into = field(node, "into");
    const bool view = node.value("objtype", "") == "OBJECT_MATVIEW";
    out.push_back({(view ? "view:" : "table:") + relation_name(field(into, "rel")), at, if_not_exists, false});
  } else if (type == "ViewStmt") {
    out.push_back({"view:" + relation_name(field(node, "view")), at, false, or_replace});
  } else if (type == "IndexStmt" && node.contains("idxname")) {
    const std::string table = relation_name(field(node, "relation"));
    out.push_back(
        {"index:" + table.substr(0, table.find('.')) + "." + node.value("idxname", ""), at, if_not_exists, false});
  } else if (type == "CreatePolicyStmt") {
    out.push_back(
        {"policy:" + relation_name(field(node, "table")) + " " + node.value("policy_name", ""), at, false, false});
  } else if (type == "CreateFunctionStmt") {
    const auto name = qualified(name_parts(node.value("funcname", json::array())));
    if (!name.empty()) out.push_back({"function:" + name, at, false, or_replace});
  } else if (type == "CreateTrigStmt") {
    out.push_back({"trigger:" + relation_name(field(node, "relation")) + "." + node.value("trigname", ""), at, false,
                   or_replace});
  } else if (type == "CreateSeqStmt") {
    out.push_back({"sequence:" + relation_name(field(node, "sequence")), at, if_not_exists, false});
  } else if (type == "CreateEnumStmt") {
    out.push_back({"type:" + qualified(name_parts(node.value("typeName", json::array()))), at, false, false});
  } else if (type == "CreateDomainStmt") {
    out.push_back({"type:" + qualified(name_parts(node.value("domainname", json::array()))), at, false, false});
  } else if (type == "CompositeTypeStmt") {
    out.push_back({"type:" + relation_name(field(node, "typevar")), at, false, false});
  } else if (type == "CreateExtensionStmt") {
    out.push_back({"extension:" + node.value("extname", ""), at, if_not_exists, false});
  } else if (type == "AlterTableStmt") {
    add_alter_table(out, node, at);
  } else if (type == "DropStmt") {
    add_drop_if_exists(out, node, at);
  } else if (type == "GrantStmt") {
    add_grant(out, node, at);
  }
  add_changes(out, type, node, at);
  return out;
}

}  // namespace cora
