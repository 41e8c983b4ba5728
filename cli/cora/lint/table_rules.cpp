#include "cora/lint/table_rules.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/lint/volatility.hpp"
#include "cora/sql/names.hpp"
#include "cora/sql/tokens.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

constexpr const char* kExisting = "a table that already exists";

Finding warning(const LintFile& file, const char* rule, int line, std::string message, std::string hint) {
  Finding f;
  f.rule = rule;
  f.file = file.file->path.string();
  f.line = line;
  f.message = std::move(message);
  f.hint = std::move(hint);
  return f;
}

bool is_temporary(const json& range_var) { return range_var.value("relpersistence", "p") == "t"; }

void check_index(const LintFile& file, const LintStatement& s, const SchemaState& state, std::vector<Finding>& out) {
  if (s.node.value("concurrent", false)) return;
  const auto& relation = s.node.value("relation", json::object());
  const QualifiedName table = relation_name(relation);
  if (state.is_new_table(table) || is_temporary(relation)) return;
  const std::string index = s.node.contains("idxname") ? " " + s.node.value("idxname", "") : std::string();
  out.push_back(warning(
      file, "create_index_concurrently", s.line,
      fmt::format("CREATE INDEX{} on {}, {}, without CONCURRENTLY: every INSERT, UPDATE and DELETE on the table "
                  "waits until the index is built",
                  index, table.text(), kExisting),
      file.directives.transaction ? "write CREATE INDEX CONCURRENTLY in a migration of its own that starts with "
                                    "\"-- cora-migrate: transaction=false\""
                                  : "write CREATE INDEX CONCURRENTLY (this file already runs outside a transaction)"));
}

struct ColumnFacts {
  bool not_null = false;
  const json* default_expression = nullptr;
  bool identity = false;
  bool generated = false;
};

// Pointers into `column` itself (json::value() would copy).
ColumnFacts column_facts(const json& column) {
  ColumnFacts facts;
  const auto constraints = column.find("constraints");
  if (constraints == column.end() || !constraints->is_array()) return facts;
  for (const auto& item : *constraints) {
    if (!item.contains("Constraint")) continue;
    const auto& c = item["Constraint"];
    const std::string type = c.value("contype", "");
    if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") facts.not_null = true;
    if (type == "CONSTR_DEFAULT" && c.contains("raw_expr")) facts.default_expression = &c["raw_expr"];
    if (type == "CONSTR_IDENTITY") facts.identity = true;
    if (type == "CONSTR_GENERATED") facts.generated = true;
  }
  return facts;
}

bool is_serial(const json& column) {
  const auto& type = column.value("typeName", json::object());
  if (string_list(type.value("names", json::array())).size() != 1) return false;
  const std::string name = type_key(type);
  return name == "serial" || name == "serial4" || name == "bigserial" || name == "serial8" || name == "smallserial" ||
         name == "serial2";
}

constexpr const char* kRewriteHint =
    "add the column without a default (or with a constant one), fill the existing rows in batches, then ALTER "
    "COLUMN ... SET DEFAULT for new rows";

void check_add_column(const LintFile& file, const json& column, const QualifiedName& table, const SchemaState& state,
                      std::vector<Finding>& out) {
  const auto facts = column_facts(column);
  const std::string name = column.value("colname", "");
  const int line = file.line_at(column, 0);
  const std::string rewrite =
      "rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock (no reads, no writes) for as long "
      "as that takes";
  if (facts.not_null && !facts.default_expression && !facts.identity && !facts.generated && !is_serial(column)) {
    out.push_back(warning(
        file, "not_null_without_default", line,
        fmt::format("ADD COLUMN {} NOT NULL without a DEFAULT on {}, {}: it fails with \"column contains null "
                    "values\" [SQLSTATE 23502] as soon as the table has a row",
                    name, table.text(), kExisting),
        "give it a DEFAULT (a constant one costs no table rewrite on PostgreSQL 11+), or add it nullable, fill it, "
        "then ALTER COLUMN ... SET NOT NULL"));
  }
  if (facts.default_expression) {
    if (const auto call = first_volatile_call(*facts.default_expression, state)) {
      out.push_back(
          warning(file, "volatile_default", file.line_at(*call->call, line),
                  fmt::format("ADD COLUMN {} DEFAULT {} on {}, {}, {}: PostgreSQL 11+ avoids that rewrite only for a "
                              "non-volatile default (a constant, now()), and {} is volatile, evaluated once per row",
                              name, call->name, table.text(), kExisting, rewrite, call->name),
                  kRewriteHint));
    }
  } else if (is_serial(column) || facts.identity) {
    out.push_back(warning(
        file, "volatile_default", line,
        fmt::format("ADD COLUMN {} {} on {}, {}, {}: each existing row gets its own value from a sequence "
                    "(nextval() is volatile), so PostgreSQL 11+ cannot store one default for them all",
                    name, facts.identity ? "GENERATED AS IDENTITY" : type_key(column.value("typeName", json::object())),
                    table.text(), kExisting, rewrite),
        "add the column as a plain nullable integer, fill it in batches, then attach the sequence or identity"));
  } else if (facts.generated) {
    out.push_back(warning(
        file, "volatile_default", line,
        fmt::format("ADD COLUMN {} GENERATED ALWAYS AS (...) STORED on {}, {}, {}: the value is computed and "
                    "stored for every existing row",
                    name, table.text(), kExisting, rewrite),
        "if the table is large, add a plain column filled in batches and kept up to date by a trigger instead"));
  }
}

// Line of `DROP [COLUMN] [IF EXISTS] name` in the statement, searched from `from`; 0 if not found.
// Read from PostgreSQL's own tokens, so strings, comments and quoted names cannot mislead it:
// the statement's alone, so that a large file's tokens are never all held at once.
int drop_column_line(const LintFile& file, const LintStatement& s, const std::string& column, std::size_t& from) {
  const std::string_view content = file.file->content;
  auto tokens =
      scan_sql_tokens(std::string(content.substr(s.start, s.end - s.start))).value_or(std::vector<SqlToken>{});
  for (auto& t : tokens) {
    t.start += s.start;
    t.end += s.start;
  }
  if (from < s.start) from = s.start;
  auto it = std::lower_bound(tokens.begin(), tokens.end(), from,
                             [](const SqlToken& t, std::size_t offset) { return t.start < offset; });
  for (; it != tokens.end() && it->start < s.end; ++it) {
    if (it->kind != token::drop_kw) continue;
    auto name = it + 1;
    if (name != tokens.end() && name->kind == token::column_kw) ++name;
    if (name != tokens.end() && name->kind == token::if_kw && name + 1 != tokens.end() &&
        (name + 1)->kind == token::exists_kw) {
      name += 2;
    }
    if (name == tokens.end() || name->start >= s.end || (name->kind != token::ident && !name->keyword)) continue;
    if (identifier_name(content.substr(name->start, name->end - name->start)) != column) continue;
    from = name->end;
    return file.line_of(it->start);
  }
  return 0;
}

void check_alter_table(const LintFile& file, const LintStatement& s, const SchemaState& state,
                       std::vector<Finding>& out) {
  if (s.node.value("objtype", "") != "OBJECT_TABLE") return;
  const auto& relation = s.node.value("relation", json::object());
  const QualifiedName table = relation_name(relation);
  if (state.is_new_table(table) || is_temporary(relation)) return;
  std::size_t search_from = s.start;
  for (const auto& item : s.node.value("cmds", json::array())) {
    if (!item.contains("AlterTableCmd")) continue;
    const auto& cmd = item["AlterTableCmd"];
    const std::string subtype = cmd.value("subtype", "");
    if (subtype == "AT_AddColumn" && cmd.contains("def") && cmd["def"].contains("ColumnDef")) {
      check_add_column(file, cmd["def"]["ColumnDef"], table, state, out);
    } else if (subtype == "AT_DropColumn") {
      const std::string column = cmd.value("name", "");
      const int line = drop_column_line(file, s, column, search_from);
      out.push_back(warning(file, "drop_column", line > 0 ? line : s.line,
                            fmt::format("DROP COLUMN {} of {}, {}: its data is gone for good, and application "
                                        "code still reading or writing the column fails",
                                        column, table.text(), kExisting),
                            "first deploy application code that no longer uses the column; then say so in a "
                            "silence: -- cora-migrate: ignore=drop_column reason=\"...\""));
    }
  }
}

void check_drop_table(const LintFile& file, const LintStatement& s, const SchemaState& state,
                      std::vector<Finding>& out) {
  if (s.node.value("removeType", "") != "OBJECT_TABLE") return;
  for (const auto& object : s.node.value("objects", json::array())) {
    const QualifiedName table = list_name(object);
    if (state.is_new_table(table)) continue;
    out.push_back(warning(file, "drop_table", s.line,
                          fmt::format("DROP TABLE {}, {}: the table and its data are gone for good, and "
                                      "application code still using it fails",
                                      table.text(), kExisting),
                          "first deploy application code that no longer uses the table (and keep a backup); then "
                          "say so in a silence: -- cora-migrate: ignore=drop_table reason=\"...\""));
  }
}

}  // namespace

std::vector<Finding> check_table_rules(const LintFile& file, const LintStatement& statement, const SchemaState& state) {
  std::vector<Finding> out;
  if (statement.type == "IndexStmt") check_index(file, statement, state, out);
  if (statement.type == "AlterTableStmt") check_alter_table(file, statement, state, out);
  if (statement.type == "DropStmt") check_drop_table(file, statement, state, out);
  return out;
}

}  // namespace cora::lint
