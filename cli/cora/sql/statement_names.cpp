#include "cora/sql/statement_names.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <utility>

#include "cora/sql/json_fields.hpp"
#include "cora/sql/nesting.hpp"
#include "cora/sql/parser.hpp"
#include "cora/sql/tokens.hpp"

namespace cora::body {

namespace {

using nlohmann::json;

// Fields typed RangeVar* are printed without the {"RangeVar": ...} wrapper.
bool is_bare_range_var(const json& j) {
  return j.is_object() && j.contains("relname") && j["relname"].is_string() && j.contains("relpersistence");
}

bool is_node_name(const std::string& key) { return !key.empty() && key[0] >= 'A' && key[0] <= 'Z'; }

// (node, field) pairs whose RangeVar names what the statement creates.
bool is_creation_target(std::string_view kind, std::string_view key) {
  return (kind == "CreateStmt" && key == "relation") || (kind == "IntoClause" && key == "rel") ||
         (kind == "ViewStmt" && key == "view") || (kind == "CreateSeqStmt" && key == "sequence") ||
         (kind == "CompositeTypeStmt" && key == "typevar");
}

class RangeVarWalker {
 public:
  explicit RangeVarWalker(SqlNames& out) : out_(out) {}

  // `kind`: the node type `j` is the body of ("SelectStmt"), or empty.
  void walk(const json& j, const std::vector<std::string>& ctes, std::string_view kind) {
    if (j.is_array()) {
      for (const auto& element : j) walk(element, ctes, {});
      return;
    }
    if (!j.is_object()) return;
    if (is_bare_range_var(j)) {
      record(j, ctes, false);
      return;
    }
    if (kind == "FuncCall") record_call(j);

    // WITH a AS (...), b AS (...): b sees a; the main statement sees both; RECURSIVE: all see all.
    std::vector<std::string> scope = ctes;
    const auto with = j.find("withClause");
    const bool has_with = with != j.end() && with->is_object();
    if (has_with) {
      const json no_ctes = json::array();
      const auto ctes_it = with->find("ctes");
      const json& cte_list = (ctes_it != with->end() && ctes_it->is_array()) ? *ctes_it : no_ctes;
      const bool recursive = bool_field(*with, "recursive");
      std::vector<std::string> names;
      for (const auto& cte : cte_list) {
        names.push_back(cte.contains("CommonTableExpr") ? string_field(cte["CommonTableExpr"], "ctename") : "");
      }
      for (std::size_t i = 0; i < cte_list.size(); ++i) {
        std::vector<std::string> inner = ctes;
        const std::size_t visible = recursive ? names.size() : i;
        inner.insert(inner.end(), names.begin(), names.begin() + static_cast<std::ptrdiff_t>(visible));
        walk(cte_list[i], inner, {});
      }
      scope.insert(scope.end(), names.begin(), names.end());
    }

    const bool missing_ok = bool_field(j, "missing_ok");  // ALTER TABLE IF EXISTS x
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      if (has_with && key == "withClause") continue;
      if (key == "lockedRels") continue;  // FOR UPDATE OF <alias>: names aliases, not tables
      if (key == "RangeVar") {
        record(it.value(), scope, false);
        continue;
      }
      if (key == "FuncCall") record_call(it.value());
      if (is_creation_target(kind, key)) {
        if (is_bare_range_var(it.value())) record(it.value(), scope, true);
        continue;
      }
      if (missing_ok && key == "relation") continue;
      std::string_view child_kind;
      if (key == "into" || key == "intoClause") {
        child_kind = "IntoClause";
      } else if (key == "base") {
        child_kind = "CreateStmt";  // CREATE FOREIGN TABLE
      } else if (is_node_name(key)) {
        child_kind = key;
      }
      walk(it.value(), scope, child_kind);
    }
  }

 private:
  void record(const json& range_var, const std::vector<std::string>& ctes, bool created) {
    if (!range_var.is_object()) return;
    FoundName found{string_field(range_var, "schemaname"), string_field(range_var, "relname"),
                    int_field(range_var, "location", 0)};
    if (found.name.empty()) return;
    if (created) {
      out_.created.push_back(std::move(found));
      return;
    }
    if (found.schema.empty() && std::find(ctes.begin(), ctes.end(), found.name) != ctes.end()) return;
    out_.references.push_back(std::move(found));
  }

  // funcname is a list of {"String": {"sval": ...}}: [schema,] name.
  void record_call(const json& call) {
    if (!call.is_object()) return;
    const auto names = call.find("funcname");
    if (names == call.end() || !names->is_array() || names->empty()) return;
    std::vector<std::string> parts;
    for (const auto& part : *names) {
      const auto str = part.find("String");
      if (str == part.end()) return;
      parts.push_back(string_field(*str, "sval"));
    }
    const std::string schema = parts.size() > 1 ? parts[parts.size() - 2] : std::string();
    out_.calls.push_back({schema, parts.back(), int_field(call, "location", 0)});
  }

  SqlNames& out_;
};

}  // namespace

bool nests_too_deeply(const std::string& sql) {
  const auto tokens = scan_sql_tokens(sql);
  return tokens && nesting_bound(*tokens).levels > kMaxNesting;
}

std::optional<SqlNames> names_in_sql(const std::string& sql, std::string* error, int* error_cursor) {
  if (nests_too_deeply(sql)) {
    if (error) *error = kTooDeep;
    if (error_cursor) *error_cursor = 0;
    return std::nullopt;
  }
  const SqlParseResult parse(sql);
  if (const auto& failure = parse.error()) {
    if (error) *error = failure->message.empty() ? "syntax error" : failure->message;
    if (error_cursor) *error_cursor = failure->cursor;
    return std::nullopt;
  }
  SqlNames names;
  RangeVarWalker walker(names);
  try {
    walker.walk(json::parse(parse.json().empty() ? std::string_view("{}") : parse.json()), {}, {});
  } catch (const json::exception& e) {
    if (error) *error = std::string("unreadable parse tree: ") + e.what();
    if (error_cursor) *error_cursor = 0;
    return std::nullopt;
  }
  return names;
}

}  // namespace cora::body
