#pragma once
// The relations a function body names, and the functions it calls, with the line in the body.
// Pure: no database. Shared by verify (bodies from the catalog) and lint (bodies from the files).
//
// PL/pgSQL resolves table names only when a statement first runs, so CREATE FUNCTION succeeds with
// a body naming a table that does not (or no longer) exist, and every call fails with 42P01.
// `verify` reads each body from the catalog (pg_proc.prosrc) and resolves what this finds there.

#include <optional>
#include <string>
#include <vector>

namespace cora {

struct RelationReference {
  std::string schema;  // empty when unqualified: resolve through the function's search_path
  std::string name;    // as PostgreSQL folds it: unquoted names lower-cased, quoted ones verbatim
  int line = 0;        // 1-based line within the function body (prosrc; line 1 is usually empty)
};

// A function the body calls (a FuncCall in one of its statements or expressions). Built-ins
// come too (count, now): a caller looks up only the names it knows a file creates.
struct FunctionCall {
  std::string schema;  // empty when unqualified
  std::string name;
  int line = 0;  // as RelationReference::line
};

// EXECUTE of a computed string (EXECUTE, FOR ... IN EXECUTE, RETURN QUERY EXECUTE,
// OPEN ... FOR EXECUTE): what it names cannot be known without running it.
struct DynamicSql {
  int line = 0;
};

// The signature as the catalog prints it. Optional, but it lets the PL/pgSQL parser know the
// parameters and OUT/TABLE columns a body assigns to, which it otherwise rejects as unknown.
struct FunctionSignature {
  std::string arguments;  // pg_get_function_arguments(oid), e.g. "p_user_id bigint, OUT n integer"
  std::string result;     // pg_get_function_result(oid), e.g. "trigger", "TABLE(id integer)"
};

struct BodyAnalysis {
  // Ordered by line; no two equal (schema, name, line). Excludes names of CTEs in scope, relations
  // the body itself creates (CREATE [TEMP] TABLE, SELECT INTO, CREATE VIEW/SEQUENCE/TYPE) and
  // ALTER TABLE IF EXISTS targets. Includes %ROWTYPE and table.column%TYPE declarations.
  std::vector<RelationReference> relations;
  std::vector<FunctionCall> calls;      // ordered by line; no two equal (schema, name, line)
  std::vector<DynamicSql> dynamic_sql;  // ordered by line, one per line
  // Set when the body, or one expression in it, could not be parsed; `relations` then holds
  // whatever could be found, which may be nothing.
  std::optional<std::string> parse_error;
};

// `language` is pg_language.lanname: "plpgsql" or "sql" (anything else is a parse_error).
// `body` is pg_proc.prosrc exactly. Never throws for bad input.
BodyAnalysis analyse_function_body(const std::string& language, const std::string& body,
                                   const FunctionSignature& signature = {});

}  // namespace cora
