#include "cora/lints/policy_expression.hpp"

#include <nlohmann/json.hpp>

#include "cora/sql/names.hpp"
#include "cora/sql/parser.hpp"

namespace cora {

namespace {

using nlohmann::json;

bool is_per_row_call(const std::vector<std::string>& name) {
  if (name.size() == 2 && name[0] == "auth") {
    return name[1] == "uid" || name[1] == "jwt" || name[1] == "role" || name[1] == "email";
  }
  return name.back() == "current_setting" && (name.size() == 1 || name[0] == "pg_catalog");
}

// Walks the expression but not into sub-selects: what a SubLink computes is an InitPlan,
// evaluated once per statement when it does not refer to the row.
void find_per_row_calls(const json& node, std::vector<std::string>& out) {
  if (node.is_array()) {
    for (const auto& child : node) find_per_row_calls(child, out);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, child] : node.items()) {
    if (key == "SubLink") continue;
    if (key == "FuncCall" && child.is_object()) {
      const auto name = lint::string_list(child.value("funcname", json::array()));
      if (!name.empty() && is_per_row_call(name)) {
        std::string text;
        for (const auto& part : name) text += (text.empty() ? "" : ".") + part;
        out.push_back(text + "()");
      }
    }
    find_per_row_calls(child, out);
  }
}

bool is_true_constant(const json& node) {
  const auto it = node.find("A_Const");
  if (it == node.end()) return false;
  const auto b = it->find("boolval");
  return b != it->end() && b->is_object() && b->value("boolval", false);
}

bool is_constant(const json& node) {
  return node.is_object() && node.contains("A_Const") && !node["A_Const"].contains("isnull");
}

bool is_always_true(const json& where) {
  if (!where.is_object()) return false;
  if (is_true_constant(where)) return true;
  const auto e = where.find("A_Expr");
  if (e == where.end()) return false;
  const auto op = lint::string_list(e->value("name", json::array()));
  const json left = e->value("lexpr", json::object());
  const json right = e->value("rexpr", json::object());
  return op.size() == 1 && op[0] == "=" && is_constant(left) && is_constant(right) &&
         left["A_Const"] == right["A_Const"] && e->value("kind", "") == "AEXPR_OP";
}

// A_Const carries its location; equal constants at two places still compare equal without it.
void drop_locations(json& node) {
  if (node.is_object()) {
    node.erase("location");
    for (auto& [key, child] : node.items()) drop_locations(child);
  } else if (node.is_array()) {
    for (auto& child : node) drop_locations(child);
  }
}

}  // namespace

PolicyExpression read_policy_expression(const std::string& expression) {
  PolicyExpression out;
  if (expression.empty()) return out;
  const std::string sql = "SELECT WHERE (" + expression + ")";
  const SqlParseResult result(sql);
  if (!result.error() && !result.json().empty()) {
    try {
      json tree = json::parse(result.json());
      drop_locations(tree);
      const json& where = tree.at("stmts").at(0).at("stmt").at("SelectStmt").at("whereClause");
      out.parsed = true;
      find_per_row_calls(where, out.per_row_calls);
      out.always_true = is_always_true(where);
      lint::for_each_node(where, "RangeVar", [&](const json& r) {
        const std::string schema = r.value("schemaname", "");
        out.relations.push_back(schema.empty() ? r.value("relname", "") : schema + "." + r.value("relname", ""));
      });
    } catch (const json::exception&) {
      out.parsed = false;
    }
  }
  return out;
}

}  // namespace cora
