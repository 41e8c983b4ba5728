#include "cora/checks/check_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cora/config/toml_reader.hpp"
#include "cora/sql/names.hpp"
#include "cora/sql/script.hpp"
#include "cora/checks/check_reader.hpp"

namespace cora {

namespace {

// "user_sessions" means "public.user_sessions", as in PostgreSQL's default search_path.

class CheckReader {
 public:
  explicit CheckReader(const std::string& file_name) : toml_(file_name) {}
  explicit CheckReader(TomlReader toml) : toml_(std::move(toml)) {}

  void read(const std::string& text, CheckSet& into) const {
    const toml::table root = toml_.parse(text);
    toml_.reject_unknown_keys(root, "", {"table", "index", "policy", "function", "role", "probe"});
    read_kinds(root, into);
  }

  // The [[table]], [[index]], ... arrays in `parent`: a check file's root, or a table that
  // embeds checks (a checklist item). Other keys in `parent` are the caller's to check.
  void read_kinds(const toml::table& parent, CheckSet& into) const {
    for (const auto* t : toml_.tables_at(parent, "table", "")) into.tables.push_back(table(*t));
    for (const auto* t : toml_.tables_at(parent, "index", "")) into.indexes.push_back(index(*t));
    for (const auto* t : toml_.tables_at(parent, "policy", "")) into.policies.push_back(policy(*t));
    for (const auto* t : toml_.tables_at(parent, "function", "")) into.functions.push_back(function(*t));
    for (const auto* t : toml_.tables_at(parent, "role", "")) into.roles.push_back(role(*t));
    for (const auto* t : toml_.tables_at(parent, "probe", "")) into.probes.push_back(probe(*t));
  }

  // request.jwt.claims as JSON: from an inline table, or a JSON string as written.
  std::string claims(const toml::node& node, const std::string& key) const {
    if (const auto* table = node.as_table()) {
      std::ostringstream out;
      out << toml::json_formatter{*table, toml::format_flags::none};
      return out.str();
    }
    if (const auto* text = node.as_string()) return text->get();
    toml_.fail(node, key, "must be an inline table such as { sub = \"...\", role = \"authenticated\" }");
  }

  // Expected rows: an array of arrays of strings, cells as PostgreSQL prints them.
  std::vector<std::vector<std::string>> rows(const toml::node& node, const std::string& key) const {
    const auto* array = node.as_array();
    if (!array) toml_.fail(node, key, "must be an array of rows, e.g. [[\"1\", \"alice\"]]");
    std::vector<std::vector<std::string>> out;
    for (const auto& row : *array) {
      const auto* cells = row.as_array();
      if (!cells) toml_.fail(row, key, "each row must be an array of strings");
      auto& cells_out = out.emplace_back();
      for (const auto& cell : *cells) {
        const auto* s = cell.as_string();
        if (!s) toml_.fail(cell, key, "cells are strings, as PostgreSQL prints them (\"NULL\" for null)");
        cells_out.push_back(s->get());
      }
    }
    return out;
  }

 private:
  CheckOrigin origin(const toml::table& t) const { return {toml_.file_name(), TomlReader::line_of(t)}; }

  TableCheck table(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "table.", {"name", "columns", "rls", "force_rls"});
    TableCheck check{origin(t),
                     lint::public_qualified(toml_.required_string(t, "name", "table.")),
                     {},
                     toml_.optional_bool(t, "rls", "table."),
                     toml_.optional_bool(t, "force_rls", "table.")};
    if (const toml::node* node = t.get("columns")) {
      const auto* array = node->as_array();
      if (!array) toml_.fail(*node, "table.columns", "must be an array of { name = ..., type = ... } tables");
      for (const auto& item : *array) {
        const auto* c = item.as_table();
        if (!c) toml_.fail(item, "table.columns", "each column must be a { name = ..., type = ... } table");
        toml_.reject_unknown_keys(*c, "table.columns.", {"name", "type", "nullable", "default", "generated"});
        ColumnExpectation column{toml_.required_string(*c, "name", "table.columns."),
                                 toml_.optional_string(*c, "type", "table.columns."),
                                 toml_.optional_bool(*c, "nullable", "table.columns."),
                                 toml_.optional_string(*c, "default", "table.columns."),
                                 std::nullopt,
                                 std::nullopt};
        if (const toml::node* generated = c->get("generated")) {
          if (const auto* flag = generated->as_boolean()) column.generated = flag->get();
          else if (const auto* expression = generated->as_string()) column.generated_expr = expression->get();
          else toml_.fail(*generated, "table.columns.generated", "must be true, false or the expression as a string");
        }
        check.columns.push_back(std::move(column));
      }
    }
    return check;
  }

  IndexCheck index(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "index.", {"name", "table", "columns", "unique", "where", "valid"});
    IndexCheck check;
    check.origin = origin(t);
    check.index = lint::public_qualified(toml_.required_string(t, "name", "index."));
    if (auto table = toml_.optional_string(t, "table", "index.")) check.table = lint::public_qualified(*table);
    check.columns = toml_.optional_strings(t, "columns", "index.");
    check.unique = toml_.optional_bool(t, "unique", "index.");
    check.where = toml_.optional_string(t, "where", "index.");
    check.valid = toml_.optional_bool(t, "valid", "index.").value_or(true);
    return check;
  }

  PolicyCheck policy(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "policy.", {"table", "name", "command", "roles", "permissive"});
    PolicyCheck check{origin(t),
                      lint::public_qualified(toml_.required_string(t, "table", "policy.")),
                      toml_.required_string(t, "name", "policy."),
                      toml_.optional_string(t, "command", "policy."),
                      toml_.optional_strings(t, "roles", "policy."),
                      toml_.optional_bool(t, "permissive", "policy.")};
    if (check.command) {
      std::transform(check.command->begin(), check.command->end(), check.command->begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      static const char* commands[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "ALL"};
      if (std::none_of(std::begin(commands), std::end(commands), [&](const char* c) { return *check.command == c; })) {
        toml_.fail(*t.get("command"), "policy.command", "must be SELECT, INSERT, UPDATE, DELETE or ALL");
      }
    }
    return check;
  }

  FunctionCheck function(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "function.",
                              {"name", "arguments", "language", "security_definer", "search_path_pinned", "references",
                               "must_not_reference"});
    FunctionCheck check{
        origin(t),
        lint::public_qualified(toml_.required_string(t, "name", "function.")),
        toml_.optional_string(t, "arguments", "function."),
        toml_.optional_string(t, "language", "function."),
        toml_.optional_bool(t, "security_definer", "function."),
        toml_.optional_bool(t, "search_path_pinned", "function."),
        toml_.optional_strings(t, "references", "function.").value_or(std::vector<std::string>{}),
        toml_.optional_strings(t, "must_not_reference", "function.").value_or(std::vector<std::string>{})};
    for (auto& r : check.references) r = lint::public_qualified(r);
    for (auto& r : check.must_not_reference) r = lint::public_qualified(r);
    return check;
  }

  RoleCheck role(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "role.", {"name", "login", "bypassrls", "superuser"});
    return {origin(t), toml_.required_string(t, "name", "role."), toml_.optional_bool(t, "login", "role."),
            toml_.optional_bool(t, "bypassrls", "role."), toml_.optional_bool(t, "superuser", "role.")};
  }

  ProbeCheck probe(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "probe.", {"name", "role", "claims", "setup", "sql", "expect", "sqlstate", "rows"});
    ProbeCheck check;
    check.origin = origin(t);
    check.name = toml_.required_string(t, "name", "probe.");
    check.role = toml_.required_string(t, "role", "probe.");
    check.sql = toml_.required_string(t, "sql", "probe.");
    check.setup = toml_.optional_strings(t, "setup", "probe.").value_or(std::vector<std::string>{});
    if (const toml::node* node = t.get("claims")) check.claims = claims(*node, "probe.claims");
    reject_transaction_control(t, "setup", check.setup);
    reject_transaction_control(t, "sql", {check.sql});
    const std::string expect = toml_.optional_string(t, "expect", "probe.").value_or("succeed");
    if (expect == "succeed") check.expect = ProbeExpectation::succeed;
    else if (expect == "fail") check.expect = ProbeExpectation::fail;
    else if (expect == "rows") check.expect = ProbeExpectation::rows;
    else toml_.fail(*t.get("expect"), "probe.expect", "must be \"succeed\", \"fail\" or \"rows\"");
    check.sqlstate = toml_.optional_string(t, "sqlstate", "probe.").value_or("");
    if (!check.sqlstate.empty() && check.expect != ProbeExpectation::fail) {
      toml_.fail(*t.get("sqlstate"), "probe.sqlstate", "goes with expect = \"fail\"");
    }
    if (const toml::node* node = t.get("rows")) {
      if (check.expect != ProbeExpectation::rows) toml_.fail(*node, "probe.rows", "goes with expect = \"rows\"");
      check.rows = rows(*node, "probe.rows");
    } else if (check.expect == ProbeExpectation::rows) {
      toml_.fail(t, "probe.rows", "is required with expect = \"rows\"");
    }
    return check;
  }

  // Probes run in one transaction that verify rolls back: a COMMIT in one would make its changes,
  // and those of every later probe (then run outside any transaction and role), permanent.
  void reject_transaction_control(const toml::table& t, const char* key, const std::vector<std::string>& sqls) const {
    for (const auto& sql : sqls) {
      SqlScript script;
      try {
        script = parse_sql_script(sql);
      } catch (const SqlParseFailure&) {
        continue;  // the server reports it as the probe's failure
      }
      for (const auto& statement : script.statements) {
        if (statement.node_type == "TransactionStmt") {
          toml_.fail(*t.get(key), std::string("probe.") + key,
                     "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is not allowed: "
                     "each probe runs in a transaction that verify rolls back");
        }
      }
    }
  }

  TomlReader toml_;
};

}  // namespace

void parse_check_text(const std::string& text, const std::string& file_name, CheckSet& into) {
  CheckReader(file_name).read(text, into);
}

std::string qualified_name(const std::string& name) { return lint::public_qualified(name); }

void read_checks(const TomlReader& reader, const toml::table& parent, CheckSet& into) {
  CheckReader(reader).read_kinds(parent, into);
}

std::string read_claims(const TomlReader& reader, const toml::node& node, const std::string& key) {
  return CheckReader(reader).claims(node, key);
}

std::vector<std::vector<std::string>> read_rows(const TomlReader& reader, const toml::node& node,
                                                const std::string& key) {
  return CheckReader(reader).rows(node, key);
}

CheckSet load_checks(const std::filesystem::path& dir) {
  CheckSet checks;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return checks;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    parse_check_text(text.str(), file.string(), checks);
  }
  return checks;
}

}  // namespace cora
