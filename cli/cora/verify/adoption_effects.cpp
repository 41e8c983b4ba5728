#include "cora/verify/adoption_effects.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "cora/sql/names.hpp"
#include "cora/sql/parse_tree.hpp"
#include "cora/sql/script.hpp"
#include "cora/util/text_position.hpp"

namespace cora {

namespace {

using nlohmann::json;

std::string name_without_arguments(const std::string& name) { return name.substr(0, name.find('(')); }

// The key (DefinedObject::key) a statement defining `object` itself carries.
std::string defining_key(const SchemaObject& object) {
  if (object.kind == "function") return "function:" + name_without_arguments(object.name);
  if (object.kind == "grant") {
    const std::string on = name_without_arguments(object.parent.substr(object.parent.find(':') + 1));
    return "grant:" + on + " to " + object.name.substr(object.name.rfind(" to ") + 4);
  }
  return object.kind + ":" + object.name;
}

// The key (SqlStatement::drops) of a DROP of `object`.
std::string dropping_key(const SchemaObject& object) {
  if (object.kind == "function") return "function:" + name_without_arguments(object.name);
  if (object.kind == "view") return "table:" + object.name;
  return object.kind + ":" + object.name;
}

const json& node_field(const json& node, const char* key) {
  static const json empty = json::object();
  const auto it = node.find(key);
  return it == node.end() ? empty : *it;
}

// The trees of `migration`'s statements, in statement order: the parse prepare_migration made,
// shared, not a second one (nor a copy).
class StatementTrees {
 public:
  explicit StatementTrees(const PreparedMigration& migration) {
    try {
      parsed_ = parse_statements(migration.file->content);
    } catch (const std::exception&) {
      // prepare_migration parsed it already; a failure here leaves the trees unknown
    }
  }
  // The tree of statement `i`: null when not kept (see keeps_tree) or unknown.
  const json& operator[](std::size_t i) const {
    static const json none;
    return parsed_ && i < parsed_->size() ? (*parsed_)[i].node : none;
  }

 private:
  std::shared_ptr<const std::vector<ParsedStatement>> parsed_;
};

// Columns and constraints an ALTER TABLE drops ("column:s.t.c", "constraint:s.t.name").
std::vector<std::string> altered_away(const std::string& node_type, const json& node) {
  std::vector<std::string> out;
  if (node_type != "AlterTableStmt") return out;
  const std::string table = lint::relation_name(node_field(node, "relation")).text();
  for (const auto& c : node.value("cmds", json::array())) {
    const auto& cmd = node_field(c, "AlterTableCmd");
    const std::string subtype = cmd.value("subtype", "");
    if (subtype == "AT_DropColumn") out.push_back("column:" + table + "." + cmd.value("name", ""));
    if (subtype == "AT_DropConstraint") out.push_back("constraint:" + table + "." + cmd.value("name", ""));
  }
  return out;
}

std::string attribute_shown(const std::string& value) { return value.empty() ? "(none)" : value; }

std::string difference_text(const SchemaDifference& d) {
  const auto& object = d.object();
  if (d.kind == DifferenceKind::missing) return fmt::format("{} {} does not exist", object.kind, object.name);
  if (d.kind == DifferenceKind::extra)
    return fmt::format("{} {} still exists (the file drops it)", object.kind, object.name);
  std::string text = fmt::format("{} {}:", object.kind, object.name);
  for (std::size_t i = 0; i < d.attributes.size(); ++i) {
    const auto& a = d.attributes[i];
    text += fmt::format("{} {} is {}, the file makes it {}", i == 0 ? "" : ";", a.attribute, attribute_shown(a.actual),
                        attribute_shown(a.expected));
  }
  return text;
}

bool is_candidate(const MigrationFile* file, const std::vector<PreparedMigration>& candidates) {
  return std::any_of(candidates.begin(), candidates.end(), [&](const PreparedMigration& m) { return m.file == file; });
}

// The first candidate statement that defines `key` itself.
std::optional<AdoptionEffect> first_definition(const std::string& key,
                                               const std::vector<PreparedMigration>& candidates) {
  for (const auto& m : candidates) {
    for (const auto& statement : m.script.statements) {
      for (const auto& defined : statement.defines) {
        if (defined.key == key) return AdoptionEffect{m.file, line_column_at(m.file->content, defined.offset).line, ""};
      }
    }
  }
  return std::nullopt;
}

// The last candidate statement that defines `key` (a "changed:" key: alters the object).
std::optional<AdoptionEffect> last_definition(const std::string& key,
                                              const std::vector<PreparedMigration>& candidates) {
  std::optional<AdoptionEffect> found;
  for (const auto& m : candidates) {
    for (const auto& statement : m.script.statements) {
      for (const auto& defined : statement.defines) {
        if (defined.key == key) found = AdoptionEffect{m.file, statement.first_line, ""};
      }
    }
  }
  return found;
}

// The last candidate statement that drops `key` (DROP ..., ALTER TABLE ... DROP COLUMN/CONSTRAINT).
std::optional<AdoptionEffect> last_drop(const std::string& key, const std::vector<PreparedMigration>& candidates) {
  std::optional<AdoptionEffect> found;
  for (const auto& m : candidates) {
    const StatementTrees trees(m);
    for (std::size_t i = 0; i < m.script.statements.size(); ++i) {
      const auto& statement = m.script.statements[i];
      auto dropped = statement.drops;
      const auto away = altered_away(statement.node_type, trees[i]);
      dropped.insert(dropped.end(), away.begin(), away.end());
      if (std::find(dropped.begin(), dropped.end(), key) != dropped.end())
        found = AdoptionEffect{m.file, statement.first_line, ""};
    }
  }
  return found;
}

// ---------------------------------------------------------------- schemas and default privileges

// pg_default_acl's letter for an object type ("n": a schema); "" for one adopt does not check.
std::string acl_type_letter(const std::string& objtype) {
  if (objtype == "OBJECT_TABLE") return "r";
  if (objtype == "OBJECT_SEQUENCE") return "S";
  if (objtype == "OBJECT_FUNCTION" || objtype == "OBJECT_PROCEDURE" || objtype == "OBJECT_ROUTINE") return "f";
  if (objtype == "OBJECT_TYPE" || objtype == "OBJECT_DOMAIN") return "T";
  if (objtype == "OBJECT_SCHEMA") return "n";
  return "";
}

// The privileges a GRANT names, upper case; ALL (no list) as what it stands for on `letter`.
std::vector<std::string> granted_privileges(const json& grant, const std::string& letter) {
  std::vector<std::string> out;
  for (const auto& p : grant.value("privileges", json::array())) {
    std::string name = node_field(p, "AccessPriv").value("priv_name", "");
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!name.empty()) out.push_back(name);
  }
  if (!out.empty()) return out;
  if (letter == "r") return {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"};
  if (letter == "S") return {"USAGE", "SELECT", "UPDATE"};
  if (letter == "f") return {"EXECUTE"};
  if (letter == "T") return {"USAGE"};
  return {"USAGE", "CREATE"};
}

// PUBLIC or the role's name; roles given as CURRENT_USER and the like are left out.
std::vector<std::string> grant_grantees(const json& grant) {
  std::vector<std::string> out;
  for (const auto& g : grant.value("grantees", json::array())) {
    const auto& role = node_field(g, "RoleSpec");
    if (role.value("roletype", "") == "ROLESPEC_PUBLIC") out.push_back("PUBLIC");
    else if (role.contains("rolename")) out.push_back(role.value("rolename", ""));
  }
  return out;
}

const char* acl_type_words(const std::string& letter) {
  if (letter == "r") return "TABLES";
  if (letter == "S") return "SEQUENCES";
  if (letter == "f") return "FUNCTIONS";
  if (letter == "T") return "TYPES";
  return "SCHEMAS";
}

bool adoption_checks_privileges(const std::string& type, const json& tree) {
  if (type == "CreateSchemaStmt") return tree.contains("schemaname");
  if (type == "AlterDefaultPrivilegesStmt")
    return !acl_type_letter(node_field(tree, "action").value("objtype", "")).empty();
  return type == "GrantStmt" && tree.value("objtype", "") == "OBJECT_SCHEMA" &&
         tree.value("targtype", "") == "ACL_TARGET_OBJECT";
}

std::vector<std::string> privileges_not_there(const std::string& type, const json& tree, const LivePrivileges& live) {
  std::vector<std::string> out;
  if (type == "CreateSchemaStmt") {
    const std::string schema = tree.value("schemaname", "");
    if (!live.schemas.count(schema)) out.push_back(fmt::format("schema {} does not exist", schema));
    return out;
  }
  if (type == "GrantStmt") {
    const bool grant = tree.value("is_grant", false);
    for (const auto& object : tree.value("objects", json::array())) {
      const std::string schema = node_field(object, "String").value("sval", "");
      for (const auto& grantee : grant_grantees(tree)) {
        for (const auto& privilege : granted_privileges(tree, "n")) {
          if (live.schema_grants.count({schema, grantee, privilege}) == (grant ? 0U : 1U))
            out.push_back(
                fmt::format("schema {}: {} {} {}", schema, grantee, grant ? "has no" : "still has", privilege));
        }
      }
    }
    return out;
  }
  const auto& action = node_field(tree, "action");
  const std::string letter = acl_type_letter(action.value("objtype", ""));
  std::vector<std::string> schemas;
  for (const auto& option : tree.value("options", json::array())) {
    const auto& def = node_field(option, "DefElem");
    if (def.value("defname", "") != "schemas") continue;
    for (const auto& item : node_field(node_field(def, "arg"), "List").value("items", json::array()))
      schemas.push_back(node_field(item, "String").value("sval", ""));
  }
  if (schemas.empty()) schemas.push_back("");
  const bool grant = action.value("is_grant", false);
  for (const auto& schema : schemas) {
    const auto entry = live.defaults.find({schema, letter});
    for (const auto& grantee : grant_grantees(action)) {
      for (const auto& privilege : granted_privileges(action, letter)) {
        // Without an entry, the built-in defaults hold: EXECUTE on functions and USAGE on types
        // for PUBLIC, nothing for anyone else.
        const bool built_in = grantee == "PUBLIC" && (letter == "f" || letter == "T");
        const bool has = entry == live.defaults.end() ? built_in : entry->second.count({grantee, privilege}) > 0;
        if (has == grant) continue;
        out.push_back(fmt::format("default privileges{} on {}: {} {} {}", schema.empty() ? "" : " in schema " + schema,
                                  acl_type_words(letter), grantee, grant ? "gets no" : "still gets", privilege));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- what the comparison sees

bool adoption_sees_alter_table_command(const std::string& subtype) {
  static const char* const seen[] = {"AT_AddColumn",           "AT_DropColumn",         "AT_ColumnDefault",
                                     "AT_CookedColumnDefault", "AT_SetNotNull",         "AT_DropNotNull",
                                     "AT_AlterColumnType",     "AT_AddConstraint",      "AT_DropConstraint",
                                     "AT_ValidateConstraint",  "AT_AddIndexConstraint", "AT_AddIdentity",
                                     "AT_DropIdentity",        "AT_SetIdentity",        "AT_EnableRowSecurity",
                                     "AT_DisableRowSecurity",  "AT_ForceRowSecurity",   "AT_NoForceRowSecurity",
                                     "AT_EnableTrig",          "AT_DisableTrig",        "AT_EnableAlwaysTrig",
                                     "AT_EnableReplicaTrig"};
  return std::any_of(std::begin(seen), std::end(seen), [&](const char* s) { return subtype == s; });
}

bool adoption_sees_object_type(const std::string& objtype) {
  static const char* const seen[] = {"OBJECT_TABLE",   "OBJECT_VIEW",         "OBJECT_MATVIEW",   "OBJECT_INDEX",
                                     "OBJECT_POLICY",  "OBJECT_FUNCTION",     "OBJECT_PROCEDURE", "OBJECT_ROUTINE",
                                     "OBJECT_TRIGGER", "OBJECT_SEQUENCE",     "OBJECT_TYPE",      "OBJECT_DOMAIN",
                                     "OBJECT_COLUMN",  "OBJECT_TABCONSTRAINT"};
  return std::any_of(std::begin(seen), std::end(seen), [&](const char* s) { return objtype == s; });
}

// Statements whose every effect is in the schema snapshot (read_schema_snapshot).
bool adoption_sees_statement_kind(const std::string& type) {
  static const char* const seen[] = {"CreateStmt",         "IndexStmt",         "CreatePolicyStmt",  "AlterPolicyStmt",
                                     "CreateFunctionStmt", "AlterFunctionStmt", "ViewStmt",          "CreateTrigStmt",
                                     "CreateSeqStmt",      "AlterSeqStmt",      "CompositeTypeStmt", "CreateEnumStmt",
                                     "AlterEnumStmt",      "CreateDomainStmt",  "CreateTableAsStmt"};
  return std::any_of(std::begin(seen), std::end(seen), [&](const char* s) { return type == s; });
}

// Statements that leave nothing behind in the catalog.
bool adoption_inert_statement(const std::string& type, const std::string& text) {
  if (type == "TransactionStmt" || type == "VariableSetStmt" || type == "VariableShowStmt") return true;
  if (type != "SelectStmt") return false;
  // pg_dump's header: SELECT pg_catalog.set_config('search_path', '', false);
  std::string lower;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c)))
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower.rfind("selectpg_catalog.set_config(", 0) == 0 || lower.rfind("selectset_config(", 0) == 0;
}

// The statement's first words, as written ("CREATE SCHEMA", "ALTER DEFAULT"): what a person
// finds at the line.
std::string leading_words(const std::string& text) {
  std::string out;
  int words = 0;
  std::size_t i = 0;
  while (i < text.size() && words < 2) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string word;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) word += text[i++];
    if (word.empty()) break;
    for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : " ") + word;
    ++words;
  }
  return out.empty() ? "the statement" : out;
}

// Why the comparison does not see `statement`'s effect; nullopt when it does (or there is none).
std::optional<std::string> unseen_because(const SqlStatement& statement, const json& tree, const std::string& text,
                                          const std::vector<std::string>& managed_schemas) {
  const std::string& type = statement.node_type;
  if (adoption_inert_statement(type, text)) return std::nullopt;
  const std::string words = leading_words(text);
  if (type == "InsertStmt" || type == "UpdateStmt" || type == "DeleteStmt" || type == "CopyStmt" ||
      type == "MergeStmt") {
    return fmt::format("{} changes rows, which adopt does not compare", words);
  }
  if (type == "DoStmt" || type == "SelectStmt" || type == "CallStmt") {
    return fmt::format("{} runs code whose effect adopt cannot know", words);
  }
  if (adoption_checks_privileges(type, tree)) return std::nullopt;
  bool seen = adoption_sees_statement_kind(type);
  if (type == "AlterTableStmt") {
    seen = true;
    for (const auto& c : tree.value("cmds", json::array())) {
      const std::string subtype = node_field(c, "AlterTableCmd").value("subtype", "");
      if (!adoption_sees_alter_table_command(subtype)) {
        return fmt::format("{} ... {} is not among what adopt compares", words, subtype.substr(3));
      }
    }
  } else if (type == "GrantStmt") {
    seen = adoption_sees_object_type(tree.value("objtype", ""));
  } else if (type == "DropStmt") {
    seen = adoption_sees_object_type(tree.value("removeType", ""));
  } else if (type == "RenameStmt") {
    seen = adoption_sees_object_type(tree.value("renameType", ""));
  }
  if (!seen) {
    return fmt::format(
        "{}: its effect is not among what adopt compares (tables, columns, constraints, indexes, policies, grants "
        "on tables and functions, functions, triggers, views, sequences, types)",
        words);
  }
  for (const auto& defined : statement.defines) {
    const auto colon = defined.key.find(':');
    const std::string kind = defined.key.substr(0, colon);
    if (kind == "extension" || kind == "changed" || kind == "renamed" || kind == "drop-if-exists") continue;
    const std::string schema = defined.key.substr(colon + 1, defined.key.find('.', colon) - colon - 1);
    if (std::find(managed_schemas.begin(), managed_schemas.end(), schema) == managed_schemas.end()) {
      return fmt::format("{} changes schema {}, which adopt does not compare (not in [verify] schemas)", words, schema);
    }
  }
  return std::nullopt;
}

// The statement's text from its first token: leading comments and blanks left out.
std::string statement_words(const PreparedMigration& migration, const SqlStatement& statement) {
  const std::string text = migration.statement_text(statement);
  return text.substr(skip_blanks_and_comments(text, 0));
}

}  // namespace

std::string AdoptionEffect::text() const { return fmt::format("{}:{}: {}", file->path.string(), line, what); }

std::vector<AdoptionEffect> missing_effects(const std::vector<DriftEntry>& drift,
                                            const std::vector<PreparedMigration>& candidates) {
  std::vector<AdoptionEffect> out;
  for (const auto& entry : drift) {
    const auto& d = entry.difference;
    std::optional<AdoptionEffect> at;
    if (d.kind == DifferenceKind::missing) {
      at = first_definition(defining_key(d.object()), candidates);
      // A part no statement names (a constraint PostgreSQL names): the last ALTER of its table.
      if (!at && d.object().parent.rfind("table:", 0) == 0)
        at = last_definition("changed:relation:" + d.object().parent.substr(6), candidates);
      if (!at && entry.source && is_candidate(entry.source->file, candidates))
        at = AdoptionEffect{entry.source->file, entry.source->line, ""};
    } else if (d.kind == DifferenceKind::changed) {
      if (entry.source && is_candidate(entry.source->file, candidates))
        at = AdoptionEffect{entry.source->file, entry.source->line, ""};
    } else {
      at = last_drop(dropping_key(d.object()), candidates);
    }
    if (!at) continue;
    at->what = difference_text(d);
    out.push_back(std::move(*at));
  }
  return out;
}

std::vector<AdoptionEffect> privilege_effects_missing(const PreparedMigration& migration, const LivePrivileges& live) {
  std::vector<AdoptionEffect> out;
  const StatementTrees trees(migration);
  for (std::size_t i = 0; i < migration.script.statements.size(); ++i) {
    const auto& statement = migration.script.statements[i];
    if (!adoption_checks_privileges(statement.node_type, trees[i])) continue;
    for (auto& what : privileges_not_there(statement.node_type, trees[i], live))
      out.push_back({migration.file, statement.first_line, std::move(what)});
  }
  return out;
}

std::vector<AdoptionEffect> unchecked_statements(const PreparedMigration& migration,
                                                 const std::vector<std::string>& managed_schemas) {
  std::vector<AdoptionEffect> out;
  const StatementTrees trees(migration);
  for (std::size_t i = 0; i < migration.script.statements.size(); ++i) {
    const auto& statement = migration.script.statements[i];
    if (auto why = unseen_because(statement, trees[i], statement_words(migration, statement), managed_schemas))
      out.push_back({migration.file, statement.first_line, std::move(*why)});
  }
  return out;
}

std::size_t checked_statement_count(const PreparedMigration& migration,
                                    const std::vector<std::string>& managed_schemas) {
  const StatementTrees trees(migration);
  std::size_t count = 0;
  for (std::size_t i = 0; i < migration.script.statements.size(); ++i) {
    const auto& statement = migration.script.statements[i];
    const std::string text = statement_words(migration, statement);
    if (!adoption_inert_statement(statement.node_type, text) &&
        !unseen_because(statement, trees[i], text, managed_schemas))
      ++count;
  }
  return count;
}

}  // namespace cora
