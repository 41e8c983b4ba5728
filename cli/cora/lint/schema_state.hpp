#pragma once
// What the migrations read so far have done, as far as the rules need to know: the tables created
// in the current deployment unit (so still empty when a later statement touches them) and the
// functions defined, with their bodies.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/lint/lint_file.hpp"
#include "cora/sql/function_references.hpp"
#include "cora/sql/names.hpp"

namespace cora::lint {

struct FunctionDefinition {
  QualifiedName name;
  std::string language;  // lower case: "plpgsql", "sql", ...
  std::string body;      // as pg_proc.prosrc will hold it; empty for BEGIN ATOMIC bodies
  FunctionSignature signature;
  bool is_volatile = true;  // VOLATILE is the default
  std::string file;         // where it is defined
  int line = 0;             // of CREATE
  int body_line = 0;        // file line of the body's first line; 0 when not found
  // SET search_path = ... of the definition, as the catalog would print it; unset when none.
  std::optional<std::string> search_path;
};

// A relation the migrations renamed: the name it has now, and where.
struct RelationRename {
  QualifiedName to;
  std::string file;
  int line = 0;
};

struct SchemaState {
  // Created earlier in the current deployment unit: a table that is still empty (or nearly) when
  // the statement runs. CREATE TABLE IF NOT EXISTS counts as creating it.
  std::set<QualifiedName> new_tables;
  std::set<QualifiedName> new_indexes;
  // By name(argument types): the latest definition wins; DROP FUNCTION removes.
  std::map<std::string, FunctionDefinition> functions;
  // Every relation (table, view, materialized view, foreign table, sequence, composite type) the
  // files read so far leave in place, whatever the unit: created, less dropped, renames followed.
  std::set<QualifiedName> relations;
  std::map<QualifiedName, RelationRename> renamed;  // old name -> new, while the old one is gone
  // Schemas extensions were installed in (CREATE EXTENSION ... SCHEMA s; public without one):
  // what they hold is not known offline.
  std::set<std::string> extension_schemas;

  bool is_new_table(const QualifiedName& table) const { return new_tables.count(table) > 0; }
  // Volatility of a function the migrations define, by name (any overload volatile: volatile).
  std::optional<bool> defined_function_volatile(const QualifiedName& name, bool schema_given) const;
  // True when a function of that name (any overload) is defined in `schema`.
  bool defines_function(const std::string& schema, const std::string& name) const;
  // A new deployment unit: what was created before now holds data.
  void start_unit();
};

// Records what `statement` creates, drops or renames.
void apply_statement(SchemaState& state, const LintFile& file, const LintStatement& statement);

}  // namespace cora::lint
