#include "cora/lint/schema_state.hpp"

#include "cora/db/sql_text.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

bool is_function_object(const std::string& remove_type) {
  return remove_type == "OBJECT_FUNCTION" || remove_type == "OBJECT_PROCEDURE" || remove_type == "OBJECT_ROUTINE";
}

std::string function_key(const QualifiedName& name, const std::vector<std::string>& argument_types) {
  std::string key = name.text() + "(";
  for (std::size_t i = 0; i < argument_types.size(); ++i) key += (i ? "," : "") + argument_types[i];
  return key + ")";
}

// A pointer into `node` (never into a copy).
const json* option(const json& node, const char* name) {
  const auto options = node.find("options");
  if (options == node.end() || !options->is_array()) return nullptr;
  for (const auto& item : *options) {
    if (item.contains("DefElem") && item["DefElem"].value("defname", "") == name) return &item["DefElem"];
  }
  return nullptr;
}

// LANGUAGE plpgsql, STABLE, ...: {"arg": {"String": {"sval": ...}}}.
std::string string_argument(const json& def_elem) {
  const auto arg = def_elem.find("arg");
  if (arg == def_elem.end() || !arg->contains("String")) return {};
  return (*arg)["String"].value("sval", "");
}

// SET search_path = a, b / = '' inside CREATE FUNCTION: {"arg": {"VariableSetStmt": {"name":
// "search_path", "args": [{"A_Const": {"sval": {"sval": "a"}}}, ...]}}}. FROM CURRENT is unknown.
std::optional<std::string> search_path_setting(const json& def_elem) {
  const auto& set = def_elem.value("arg", json::object()).value("VariableSetStmt", json::object());
  if (set.value("name", "") != "search_path" || set.value("kind", "") != "VAR_SET_VALUE") return std::nullopt;
  std::string setting;
  for (const auto& arg : set.value("args", json::array())) {
    const std::string value = arg.value("A_Const", json::object()).value("sval", json::object()).value("sval", "");
    setting += (setting.empty() ? "" : ", ") + (value.empty() ? std::string("''") : quote_identifier(value));
  }
  return setting;
}

bool is_relation_object(const std::string& remove_type) {
  return remove_type == "OBJECT_TABLE" || remove_type == "OBJECT_VIEW" || remove_type == "OBJECT_MATVIEW" ||
         remove_type == "OBJECT_FOREIGN_TABLE" || remove_type == "OBJECT_SEQUENCE";
}

void create_relation(SchemaState& state, const QualifiedName& name) {
  state.relations.insert(name);
  state.renamed.erase(name);
}

void define_function(SchemaState& state, const LintFile& file, const LintStatement& statement) {
  const auto& node = statement.node;
  FunctionDefinition f;
  f.name = list_name(node.value("funcname", json::array()));
  f.file = file.file->path.string();
  f.line = statement.line;

  std::vector<std::string> key_types;
  std::string arguments;
  std::string table_columns;
  for (const auto& item : node.value("parameters", json::array())) {
    if (!item.contains("FunctionParameter")) continue;
    const auto& p = item["FunctionParameter"];
    const std::string mode = p.value("mode", "FUNC_PARAM_DEFAULT");
    const auto& type = p.value("argType", json::object());
    const std::string name = p.contains("name") ? quote_identifier(p.value("name", "")) + " " : std::string();
    if (mode == "FUNC_PARAM_TABLE") {
      table_columns += (table_columns.empty() ? "" : ", ") + name + type_sql(type);
      continue;
    }
    const char* prefix = mode == "FUNC_PARAM_OUT"        ? "OUT "
                         : mode == "FUNC_PARAM_INOUT"    ? "INOUT "
                         : mode == "FUNC_PARAM_VARIADIC" ? "VARIADIC "
                                                         : "";
    arguments += (arguments.empty() ? "" : ", ") + std::string(prefix) + name + type_sql(type);
    if (mode != "FUNC_PARAM_OUT") key_types.push_back(type_key(type));
  }
  f.signature.arguments = arguments;
  if (!table_columns.empty()) {
    f.signature.result = "TABLE(" + table_columns + ")";
  } else if (node.contains("returnType")) {
    f.signature.result = type_sql(node["returnType"]);
  }

  if (const auto* language = option(node, "language")) f.language = lower(string_argument(*language));
  if (f.language.empty()) f.language = "sql";
  if (const auto* volatility = option(node, "volatility")) f.is_volatile = string_argument(*volatility) == "volatile";
  if (const auto* set = option(node, "set")) f.search_path = search_path_setting(*set);
  if (const auto* as = option(node, "as"); as && !node.contains("sql_body")) {
    const auto parts = string_list(as->value("arg", json::object()));
    if (!parts.empty()) f.body = parts.front();
    const auto from = static_cast<std::size_t>(std::max(0, as->value("location", 0)));
    const auto at = f.body.empty() ? std::string::npos : file.file->content.find(f.body, from);
    if (at != std::string::npos) f.body_line = file.line_of(at);
  }
  state.functions[function_key(f.name, key_types)] = std::move(f);
}

void drop_functions(SchemaState& state, const json& node) {
  for (const auto& object : node.value("objects", json::array())) {
    if (!object.contains("ObjectWithArgs")) continue;
    const auto& o = object["ObjectWithArgs"];
    const QualifiedName name = list_name(o.value("objname", json::array()));
    if (o.value("args_unspecified", false)) {
      for (auto it = state.functions.begin(); it != state.functions.end();) {
        it = it->second.name == name ? state.functions.erase(it) : std::next(it);
      }
      continue;
    }
    std::vector<std::string> types;
    for (const auto& argument : o.value("objargs", json::array())) {
      if (argument.contains("TypeName")) types.push_back(type_key(argument["TypeName"]));
    }
    state.functions.erase(function_key(name, types));
  }
}

}  // namespace

std::optional<bool> SchemaState::defined_function_volatile(const QualifiedName& name, bool schema_given) const {
  std::optional<bool> result;
  for (const auto& [key, f] : functions) {
    if (f.name.name != name.name || (schema_given && f.name.schema != name.schema)) continue;
    result = result.value_or(false) || f.is_volatile;
  }
  return result;
}

bool SchemaState::defines_function(const std::string& schema, const std::string& name) const {
  for (const auto& [key, f] : functions) {
    if (f.name.schema == schema && f.name.name == name) return true;
  }
  return false;
}

void SchemaState::start_unit() {
  new_tables.clear();
  new_indexes.clear();
}

void apply_statement(SchemaState& state, const LintFile& file, const LintStatement& statement) {
  const auto& node = statement.node;
  const auto& type = statement.type;
  if (type == "CreateStmt") {
    state.new_tables.insert(relation_name(node.value("relation", json::object())));
    create_relation(state, relation_name(node.value("relation", json::object())));
  } else if (type == "CreateTableAsStmt") {
    state.new_tables.insert(relation_name(node.value("into", json::object()).value("rel", json::object())));
    create_relation(state, relation_name(node.value("into", json::object()).value("rel", json::object())));
  } else if (type == "ViewStmt") {
    create_relation(state, relation_name(node.value("view", json::object())));
  } else if (type == "CreateForeignTableStmt") {
    create_relation(state, relation_name(node.value("base", json::object()).value("relation", json::object())));
  } else if (type == "CreateSeqStmt") {
    create_relation(state, relation_name(node.value("sequence", json::object())));
  } else if (type == "CompositeTypeStmt") {
    create_relation(state, relation_name(node.value("typevar", json::object())));
  } else if (type == "CreateExtensionStmt") {
    const auto* schema = option(node, "schema");
    state.extension_schemas.insert(schema ? string_argument(*schema) : std::string("public"));
  } else if (type == "IndexStmt" && node.contains("idxname")) {
    QualifiedName index = relation_name(node.value("relation", json::object()));
    index.name = node.value("idxname", "");
    state.new_indexes.insert(index);
  } else if (type == "DropStmt") {
    const std::string remove_type = node.value("removeType", "");
    if (is_function_object(remove_type)) {
      drop_functions(state, node);
    } else if (is_relation_object(remove_type)) {
      for (const auto& object : node.value("objects", json::array())) {
        state.new_tables.erase(list_name(object));
        state.relations.erase(list_name(object));
      }
    } else if (remove_type == "OBJECT_TYPE") {
      for (const auto& object : node.value("objects", json::array())) {
        state.relations.erase(list_name(object.value("TypeName", json::object()).value("names", json::array())));
      }
    }
  } else if (type == "RenameStmt" && is_relation_object(node.value("renameType", ""))) {
    const QualifiedName old_name = relation_name(node.value("relation", json::object()));
    const QualifiedName new_name{old_name.schema, node.value("newname", "")};
    if (state.new_tables.erase(old_name) > 0) state.new_tables.insert(new_name);
    if (state.relations.erase(old_name) > 0) {
      create_relation(state, new_name);
      state.renamed[old_name] = {new_name, file.file->path.string(), statement.line};
    }
  } else if (type == "CreateFunctionStmt") {
    define_function(state, file, statement);
  }
}

}  // namespace cora::lint
