#include "cora/sql/session_effects.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace cora {

namespace {

using json = nlohmann::json;

// Statement types that run no user code and leave nothing in the session, whatever their tree.
constexpr std::array<std::string_view, 14> kNeutralTypes = {
    "CommentStmt",    "GrantStmt",      "CreatePolicyStmt",           "AlterPolicyStmt",      "CreateEnumStmt",
    "AlterEnumStmt",  "RenameStmt",     "CompositeTypeStmt",          "CreateDomainStmt",     "DropStmt",
    "CreateTrigStmt", "AlterOwnerStmt", "AlterDefaultPrivilegesStmt", "AlterObjectSchemaStmt"};

// ALTER TABLE sub-commands that evaluate nothing over the table's rows.
constexpr std::array<std::string_view, 14> kNeutralAlterTable = {
    "AT_EnableRowSecurity", "AT_DisableRowSecurity", "AT_ForceRowSecurity",  "AT_NoForceRowSecurity", "AT_DropColumn",
    "AT_DropConstraint",    "AT_ChangeOwner",        "AT_ColumnDefault",     "AT_DropNotNull",        "AT_EnableTrig",
    "AT_DisableTrig",       "AT_EnableAlwaysTrig",   "AT_EnableReplicaTrig", "AT_EnableTrigAll"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Anything in pg_temp (a temporary table, view, function or type) lives as long as the session.
bool names_pg_temp(std::string_view text) {
  constexpr std::string_view word = "pg_temp";
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < word.size() && match; ++k) {
      match = std::tolower(static_cast<unsigned char>(text[i + k])) == word[k];
    }
    if (match) return true;
  }
  return false;
}

bool permanent(const json& node, const char* relation_key) {
  const auto it = node.find(relation_key);
  if (it == node.end() || !it->is_object()) return false;
  return it->value("relpersistence", "") != "t";
}

const json* function_option(const json& node, std::string_view name) {
  const auto it = node.find("options");
  if (it == node.end() || !it->is_array()) return nullptr;
  for (const auto& item : *it) {
    const auto def = item.find("DefElem");
    if (def != item.end() && def->value("defname", "") == name) return &*def;
  }
  return nullptr;
}

std::string lower_sval(const json& def_elem) {
  const auto arg = def_elem.find("arg");
  if (arg == def_elem.end()) return {};
  const auto str = arg->find("String");
  if (str == arg->end()) return {};
  std::string value = str->value("sval", "");
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value;
}

bool neutral_function(const json& node) {
  if (function_option(node, "set")) return false;
  // A language's validator runs when the function is created: PostgreSQL's own for these two.
  const json* language = function_option(node, "language");
  const std::string name = language ? lower_sval(*language) : "sql";
  return name == "sql" || name == "plpgsql";
}

bool neutral_alter_table(const json& node) {
  const auto cmds = node.find("cmds");
  if (cmds == node.end() || !cmds->is_array()) return false;
  return std::all_of(cmds->begin(), cmds->end(), [](const json& c) {
    const auto cmd = c.find("AlterTableCmd");
    return cmd != c.end() && listed(kNeutralAlterTable, cmd->value("subtype", ""));
  });
}

}  // namespace

bool leaves_session_unchanged(const std::string& type, const nlohmann::json& node, std::string_view text) {
  if (names_pg_temp(text)) return false;
  if (listed(kNeutralTypes, type)) return true;
  if (!node.is_object()) return false;
  // A new table is empty: its constraints and defaults are not evaluated. PARTITION OF checks
  // the rows of a default partition against the new bound.
  if (type == "CreateStmt") return permanent(node, "relation") && !node.contains("partbound");
  if (type == "ViewStmt") return permanent(node, "view");
  if (type == "CreateSeqStmt") return permanent(node, "sequence");
  if (type == "CreateFunctionStmt") return neutral_function(node);
  if (type == "AlterTableStmt") return neutral_alter_table(node);
  if (type == "CreateSchemaStmt") return !node.contains("schemaElts");
  return false;
}

}  // namespace cora
