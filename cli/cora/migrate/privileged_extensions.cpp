#include "cora/migrate/privileged_extensions.hpp"

namespace cora {

std::set<std::string> read_privileged_extensions(Connection& db) {
  std::set<std::string> out;
  // The table is named only once it is known to exist: naming a missing one fails the query.
  const auto exists = db.query("SELECT pg_catalog.to_regclass('cora_compat.privileged_extensions') IS NOT NULL");
  if (exists.rows.empty() || exists.rows[0].at(0).value_or("f") != "t") return out;
  for (const auto& row : db.query("SELECT name FROM cora_compat.privileged_extensions").rows) {
    if (row.at(0)) out.insert(*row.at(0));
  }
  return out;
}

PipelineStep statement_step(const SqlStatement& statement, std::string text, const std::set<std::string>& allowed) {
  if (!statement.extension || allowed.count(statement.extension->name) == 0) return {std::move(text), {}, true};
  const auto& e = *statement.extension;
  return {"SELECT cora_compat.create_extension($1, $2, $3, $4, $5)",
          {e.name, e.schema, std::string(e.if_not_exists ? "true" : "false"), std::string(e.cascade ? "true" : "false"),
           e.version},
          true};
}

}  // namespace cora
