#pragma once
// What a policy's USING or WITH CHECK expression does, read with PostgreSQL's own parser
// (libpg_query) from the text pg_get_expr() prints. Pure.

#include <string>
#include <vector>

namespace cora {

struct PolicyExpression {
  bool parsed = false;
  // Calls PostgreSQL evaluates once per row because no sub-select wraps them: auth.uid(),
  // auth.jwt(), auth.role(), auth.email(), current_setting(); as written, e.g. "auth.uid()".
  std::vector<std::string> per_row_calls;
  bool always_true = false;  // `true`, or a comparison of two equal constants such as 1 = 1
  // Relations its sub-queries name, as written: "schema.name", or "name" when unqualified
  // (pg_get_expr leaves out a schema the session's search_path finds).
  std::vector<std::string> relations;
};

// `expression` is pg_get_expr() output; "" (no expression) parses as nothing found.
PolicyExpression read_policy_expression(const std::string& expression);

}  // namespace cora
