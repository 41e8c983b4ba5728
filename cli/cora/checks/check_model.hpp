#pragma once
// Declarative checks of a live schema, as written in checks/*.toml.

#include <optional>
#include <string>
#include <vector>

namespace cora {

struct CheckOrigin {
  std::string file;
  int line = 0;
};

struct ColumnExpectation {
  std::string name;
  std::optional<std::string> type;
  std::optional<bool> nullable;
  std::optional<std::string> default_expr;
  std::optional<bool> generated;              // generated = true / false
  std::optional<std::string> generated_expr;  // generated = "expression": also compares it
};

struct TableCheck {
  CheckOrigin origin;
  std::string table;  // schema.name
  std::vector<ColumnExpectation> columns;
  std::optional<bool> rls;
  std::optional<bool> force_rls;
};

struct IndexCheck {
  CheckOrigin origin;
  std::string index;  // schema.name
  std::optional<std::string> table;
  std::optional<std::vector<std::string>> columns;  // "col" or "col DESC"
  std::optional<bool> unique;
  std::optional<std::string> where;  // compared in PostgreSQL's normalised form
  bool valid = true;
};

struct PolicyCheck {
  CheckOrigin origin;
  std::string table;  // schema.name
  std::string name;
  std::optional<std::string> command;  // SELECT, INSERT, UPDATE, DELETE, ALL
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> permissive;
};

struct FunctionCheck {
  CheckOrigin origin;
  std::string function;                  // schema.name
  std::optional<std::string> arguments;  // identity arguments, e.g. "p_session_id uuid"
  std::optional<std::string> language;
  std::optional<bool> security_definer;
  std::optional<bool> search_path_pinned;
  std::vector<std::string> references;          // schema.name the body must name
  std::vector<std::string> must_not_reference;  // schema.name the body must not name
};

struct RoleCheck {
  CheckOrigin origin;
  std::string role;
  std::optional<bool> login;
  std::optional<bool> bypassrls;
  std::optional<bool> superuser;
};

enum class ProbeExpectation { succeed, fail, rows };

struct ProbeCheck {
  CheckOrigin origin;
  std::string name;
  std::string role;                   // SET LOCAL ROLE
  std::optional<std::string> claims;  // JSON for request.jwt.claims
  std::vector<std::string> setup;     // run first, as the connecting user
  std::string sql;
  ProbeExpectation expect = ProbeExpectation::succeed;
  std::string sqlstate;                        // with expect = fail (empty: any error)
  std::vector<std::vector<std::string>> rows;  // with expect = rows; NULL as "NULL"
};

struct CheckSet {
  std::vector<TableCheck> tables;
  std::vector<IndexCheck> indexes;
  std::vector<PolicyCheck> policies;
  std::vector<FunctionCheck> functions;
  std::vector<RoleCheck> roles;
  std::vector<ProbeCheck> probes;

  std::size_t size() const {
    return tables.size() + indexes.size() + policies.size() + functions.size() + roles.size() + probes.size();
  }
};

}  // namespace cora
