#pragma once
// A migration's SQL split into statements by PostgreSQL's own parser (libpg_query).

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cora/sql/defined_objects.hpp"

namespace cora {

// A DROP ... CASCADE of an object whose dependents may include columns or whole tables (a type,
// domain, schema, function, collation, extension): what it names, for asking a database what
// depends on it now. The table dropped by DROP TABLE is destructive by itself, so not listed.
struct CascadeDrop {
  std::string kind;  // "type" (types and domains), "schema", "function", "collation", "extension"
  // Each object as written: schema ("" when unqualified) and name. A function's argument types
  // are not kept: every function of that name counts.
  std::vector<std::pair<std::string, std::string>> objects;
};

// What a CREATE EXTENSION asks for.
struct ExtensionRequest {
  std::string name;
  std::optional<std::string> schema;   // SCHEMA ...
  std::optional<std::string> version;  // VERSION ...
  bool if_not_exists = false;
  bool cascade = false;
};

struct SqlStatement {
  std::size_t offset = 0;        // byte offset in the file; includes leading comments and blanks
  std::size_t length = 0;        // bytes
  int first_line = 1;            // line of the statement's first token
  std::string node_type;         // parse node, e.g. "CreateStmt", "IndexStmt", "TransactionStmt"
  bool concurrently = false;     // CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY
  bool copy_from_stdin = false;  // needs a client feeding data, as psql does
  std::string index_name;        // CREATE INDEX: the index's name (schema-qualified when written so)
  // Objects the statement creates, as "table:schema.name", "index:schema.name",
  // "policy:schema.table name" or "function:schema.name" (unqualified names taken as public).
  std::vector<std::string> creates;
  std::string transaction_kind;  // TransactionStmt: "TRANS_STMT_BEGIN", "TRANS_STMT_COMMIT", ...
  // Set when running the statement again destroys data: "DROP TABLE", "TRUNCATE",
  // "DELETE without WHERE", "DROP OWNED", or "DROP TYPE ... CASCADE" and the like, which may take
  // columns and tables with them (a schema file re-run must not do it unasked).
  std::string destructive;
  std::optional<CascadeDrop> cascade_drop;  // set with destructive for a DROP ... CASCADE but DROP TABLE
  std::vector<std::string> drops;           // DROP ... of such objects, with the same keys
  // Every object the statement defines, with where (see defined_objects.hpp): what `diff` cites.
  std::vector<DefinedObject> defines;
  std::optional<ExtensionRequest> extension;  // CreateExtensionStmt
  // Nothing of the session can change by running it (sql/session_effects.hpp): migrate need not
  // reset the session after a file of such statements.
  bool leaves_session_unchanged = false;
};

struct SqlSyntaxError {
  std::string message;
  int line = 0;
  int column = 0;
  std::string kind = "SQL syntax error";  // or why else the statement cannot be taken
};

struct SqlScript {
  std::vector<SqlStatement> statements;
};

// Splits `sql` into statements. Throws SqlParseFailure with line and column on a syntax error.
SqlScript parse_sql_script(const std::string& sql);

// Calls `visit` with each statement of `sql` in turn, as parse_sql_script would give it, holding
// one at a time: for a reader that looks at each once (a file of 500,000 statements held as
// SqlStatements is over 100 MB). Throws as parse_sql_script; returns the number of statements.
std::size_t for_each_sql_statement(const std::string& sql, const std::function<void(SqlStatement&&)>& visit);

class SqlParseFailure : public std::exception {
 public:
  explicit SqlParseFailure(SqlSyntaxError error) : error_(std::move(error)) {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const SqlSyntaxError& error() const noexcept { return error_; }

 private:
  SqlSyntaxError error_;
};

// "DROP TABLE", "TRUNCATE", "DELETE without WHERE", "DROP OWNED" or "DROP TYPE ... CASCADE" (and
// the other kinds of cascade_drop()) when running the statement (`type`, `node`) again destroys
// data, or may; empty otherwise.
std::string destructive_action(const std::string& type, const nlohmann::json& node);

// What a DROP ... CASCADE of a type, domain, schema, function, procedure, collation or extension
// names; nullopt for any other statement (DROP TABLE included) and for a DROP without CASCADE,
// which PostgreSQL refuses while anything depends on the object.
std::optional<CascadeDrop> cascade_drop(const std::string& type, const nlohmann::json& node);

// What a DROP statement drops, by the keys of SqlStatement::creates ("table:" also for views),
// plus "sequence:s.n", "type:s.n" (types and domains) and "trigger:s.t.name".
std::vector<std::string> dropped_objects(const std::string& type, const nlohmann::json& node);

// Byte offset of the first token at or after `offset`: skips blanks, -- comments and
// (nested) /* */ comments.
std::size_t skip_blanks_and_comments(const std::string& sql, std::size_t offset);

}  // namespace cora
