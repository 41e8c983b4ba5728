#include "cora/app/offline_app_schema.hpp"

#include <algorithm>

#include "cora/lint/lint_file.hpp"
#include "cora/sql/names.hpp"

namespace cora::app {

namespace {

using lint::list_name;
using lint::relation_name;
using nlohmann::json;

const json& tree_field(const json& node, const char* key) {
  static const json empty = json::object();
  const auto it = node.find(key);
  return it == node.end() ? empty : *it;
}

const json& tree_items(const json& node, const char* key) {
  static const json empty = json::array();
  const auto it = node.find(key);
  return it == node.end() || !it->is_array() ? empty : *it;
}

bool is_relation_type(const std::string& type) {
  return type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_FOREIGN_TABLE";
}

bool is_function_type(const std::string& type) {
  return type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE";
}

// A view's columns when its select list names each plainly (a column or an alias); nullopt for
// `*`, an unnamed expression, or a set operation.
std::optional<std::vector<std::string>> view_columns(const json& view) {
  std::vector<std::string> columns;
  for (const auto& alias : tree_items(view, "aliases"))
    columns.push_back(tree_field(alias, "String").value("sval", ""));
  if (!columns.empty()) return columns;
  const json& select = tree_field(tree_field(view, "query"), "SelectStmt");
  if (select.contains("op") && select.value("op", "") != "SETOP_NONE") return std::nullopt;
  const json& targets = tree_items(select, "targetList");
  if (targets.empty()) return std::nullopt;
  for (const auto& target : targets) {
    const json& res = tree_field(target, "ResTarget");
    if (res.contains("name")) {
      columns.push_back(res.value("name", ""));
      continue;
    }
    const json& fields = tree_items(tree_field(tree_field(res, "val"), "ColumnRef"), "fields");
    if (fields.empty() || !fields.back().contains("String")) return std::nullopt;  // * or an expression
    columns.push_back(fields.back()["String"].value("sval", ""));
  }
  return columns;
}

// The argument types telling overloads apart: a CREATE's parameter types (TypeName nodes) or a
// DROP's, GRANT's or RENAME's (wrapped as {"TypeName": ...}).
std::string overload_key(const json& types) {
  std::string key;
  for (const auto& type : types) {
    key += (key.empty() ? "" : ",") + lint::type_key(type.contains("TypeName") ? type["TypeName"] : type);
  }
  return key;
}

struct AppSchemaBuilder {
  const std::string& role;
  AppSchema schema;
  // Overloads by name, each by its argument types.
  std::map<std::string, std::map<std::string, AppFunction>> functions;

  DefinedAt at(const lint::LintFile& file, int line) const { return {file.file->path.string(), line}; }

  void create_relation(const std::string& name, const std::string& kind,
                       std::optional<std::vector<std::string>> columns, DefinedAt where, bool if_not_exists) {
    if (if_not_exists && schema.relations.count(name)) return;
    AppRelation r;
    r.name = name;
    r.kind = kind;
    r.columns = std::move(columns);
    r.at = std::move(where);
    schema.relations[name] = std::move(r);
    schema.renamed.erase(name);
  }

  void define_function(const json& node, DefinedAt where) {
    const std::string name = list_name(tree_items(node, "funcname")).text();
    AppFunction f;
    f.name = name;
    f.at = std::move(where);
    json types = json::array();
    for (const auto& item : tree_items(node, "parameters")) {
      const json& p = tree_field(item, "FunctionParameter");
      const std::string mode = p.value("mode", "FUNC_PARAM_DEFAULT");
      if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_TABLE") continue;
      f.inputs.push_back({p.value("name", ""), p.contains("defexpr")});
      types.push_back(tree_field(p, "argType"));
    }
    functions[name][overload_key(types)] = std::move(f);
  }

  void drop_functions(const json& node) {
    for (const auto& object : tree_items(node, "objects")) {
      const json& o = tree_field(object, "ObjectWithArgs");
      const std::string name = list_name(tree_items(o, "objname")).text();
      if (o.value("args_unspecified", false)) functions.erase(name);
      else if (functions.count(name)) functions[name].erase(overload_key(tree_items(o, "objargs")));
    }
  }

  // GRANT/REVOKE on tables or functions for the role: the privileges it gives or takes back.
  void grant(const json& node) {
    bool for_role = false;
    for (const auto& grantee : tree_items(node, "grantees")) {
      const json& spec = tree_field(grantee, "RoleSpec");
      if (spec.value("rolename", "") == role) for_role = true;
    }
    if (!for_role) return;
    const bool is_grant = node.value("is_grant", false);
    const std::string objtype = node.value("objtype", "");
    std::vector<AppAccess> privileges;
    const json& listed = tree_items(node, "privileges");
    for (const auto& p : listed) {
      const std::string name = tree_field(p, "AccessPriv").value("priv_name", "");
      if (name == "select") privileges.push_back(AppAccess::select);
      else if (name == "insert") privileges.push_back(AppAccess::insert);
      else if (name == "update") privileges.push_back(AppAccess::update);
      else if (name == "delete") privileges.push_back(AppAccess::delete_);
      else if (name == "execute") privileges.push_back(AppAccess::execute);
    }
    if (listed.empty()) {  // ALL
      privileges = objtype == "OBJECT_TABLE" ? std::vector<AppAccess>{AppAccess::select, AppAccess::insert,
                                                                      AppAccess::update, AppAccess::delete_}
                                             : std::vector<AppAccess>{AppAccess::execute};
    }
    const bool in_schema = node.value("targtype", "") == "ACL_TARGET_ALL_IN_SCHEMA";
    std::set<std::string> schemas;
    if (in_schema) {
      for (const auto& s : tree_items(node, "objects")) schemas.insert(tree_field(s, "String").value("sval", ""));
    }
    const auto in = [&](const std::string& qualified) {
      return schemas.count(qualified.substr(0, qualified.find('.'))) > 0;
    };
    if (objtype == "OBJECT_TABLE") {
      std::vector<std::string> names;
      if (in_schema) {
        for (const auto& [name, r] : schema.relations) {
          if (in(name)) names.push_back(name);
        }
      } else {
        for (const auto& object : tree_items(node, "objects")) names.push_back(relation_name(object).text());
      }
      for (const auto& name : names) {
        auto it = schema.relations.find(name);
        if (it == schema.relations.end()) continue;
        for (const auto access : privileges) it->second.role_may[access] = is_grant;
      }
    } else if (is_function_type(objtype)) {
      for (auto& [name, overloads] : functions) {
        for (auto& [key, f] : overloads) {
          bool named = in_schema && in(name);
          for (const auto& object : tree_items(node, "objects")) {
            const json& o = tree_field(object, "ObjectWithArgs");
            if (!o.is_object() || list_name(tree_items(o, "objname")).text() != name) continue;
            named = named || o.value("args_unspecified", false) || overload_key(tree_items(o, "objargs")) == key;
          }
          if (named) f.role_may_execute = is_grant;
        }
      }
    }
  }

  void statement(const lint::LintFile& file, const lint::LintStatement& s) {
    const json& node = s.node;
    const std::string& type = s.type;
    if (type == "CreateStmt" || type == "CreateForeignTableStmt") {
      const json& base = type == "CreateStmt" ? node : tree_field(node, "base");
      std::vector<std::string> columns;
      for (const auto& element : tree_items(base, "tableElts")) {
        if (element.contains("ColumnDef")) columns.push_back(element["ColumnDef"].value("colname", ""));
      }
      create_relation(relation_name(tree_field(base, "relation")).text(), "table", columns, at(file, s.line),
                      base.value("if_not_exists", false));
    } else if (type == "CreateTableAsStmt") {
      create_relation(relation_name(tree_field(tree_field(node, "into"), "rel")).text(), "view", std::nullopt,
                      at(file, s.line), node.value("if_not_exists", false));
    } else if (type == "ViewStmt") {
      create_relation(relation_name(tree_field(node, "view")).text(), "view", view_columns(node), at(file, s.line),
                      false);
    } else if (type == "AlterTableStmt") {
      auto it = schema.relations.find(relation_name(tree_field(node, "relation")).text());
      if (it == schema.relations.end() || !it->second.columns) return;
      auto& columns = *it->second.columns;
      for (const auto& cmd : tree_items(node, "cmds")) {
        const json& c = tree_field(cmd, "AlterTableCmd");
        const std::string subtype = c.value("subtype", "");
        if (subtype == "AT_AddColumn") {
          const std::string column = tree_field(tree_field(c, "def"), "ColumnDef").value("colname", "");
          if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(column);
        } else if (subtype == "AT_DropColumn") {
          columns.erase(std::remove(columns.begin(), columns.end(), c.value("name", "")), columns.end());
        }
      }
    } else if (type == "RenameStmt") {
      const std::string rename_type = node.value("renameType", "");
      if (rename_type == "OBJECT_COLUMN") {
        auto it = schema.relations.find(relation_name(tree_field(node, "relation")).text());
        if (it == schema.relations.end() || !it->second.columns) return;
        for (auto& column : *it->second.columns) {
          if (column == node.value("subname", "")) column = node.value("newname", "");
        }
      } else if (is_relation_type(rename_type)) {
        const auto old_name = relation_name(tree_field(node, "relation"));
        auto it = schema.relations.find(old_name.text());
        if (it == schema.relations.end()) return;
        AppRelation r = std::move(it->second);
        schema.relations.erase(it);
        r.name = lint::QualifiedName{old_name.schema, node.value("newname", "")}.text();
        schema.renamed[old_name.text()] = at(file, s.line);
        schema.relations[r.name] = std::move(r);
      } else if (is_function_type(rename_type)) {
        const json& o = tree_field(tree_field(node, "object"), "ObjectWithArgs");
        const auto old_name = list_name(tree_items(o, "objname"));
        auto it = functions.find(old_name.text());
        if (it == functions.end()) return;
        const std::string new_name = lint::QualifiedName{old_name.schema, node.value("newname", "")}.text();
        const std::string key = overload_key(tree_items(o, "objargs"));
        for (auto f = it->second.begin(); f != it->second.end();) {
          if (o.value("args_unspecified", false) || f->first == key) {
            f->second.name = new_name;
            functions[new_name][f->first] = std::move(f->second);
            f = it->second.erase(f);
          } else {
            ++f;
          }
        }
      }
    } else if (type == "DropStmt") {
      const std::string remove_type = node.value("removeType", "");
      if (is_function_type(remove_type)) {
        drop_functions(node);
      } else if (is_relation_type(remove_type)) {
        for (const auto& object : tree_items(node, "objects")) schema.relations.erase(list_name(object).text());
      }
    } else if (type == "CreateFunctionStmt") {
      define_function(node, at(file, s.line));
    } else if (type == "GrantStmt") {
      grant(node);
    }
  }
};

}  // namespace

AppSchema offline_app_schema(const std::vector<const MigrationFile*>& files, const std::string& role) {
  AppSchemaBuilder builder{role, {}, {}};
  for (const auto* file : files) {
    const auto loaded = lint::load_lint_file(*file, false);
    if (!loaded.file) continue;
    for (const auto& statement : loaded.file->statements) {
      if (!statement.node.is_null()) builder.statement(*loaded.file, statement);
    }
  }
  for (auto& [name, overloads] : builder.functions) {
    for (auto& [key, f] : overloads) builder.schema.functions[name].push_back(std::move(f));
  }
  for (auto it = builder.schema.functions.begin(); it != builder.schema.functions.end();) {
    it = it->second.empty() ? builder.schema.functions.erase(it) : std::next(it);
  }
  return builder.schema;
}

}  // namespace cora::app
