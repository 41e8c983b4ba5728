#pragma once
// What running a file again would destroy, asked of the database it runs on: a DROP ... CASCADE
// of a type, schema, function and the like removes whatever depends on the object now, which the
// files alone cannot tell (a column of an enum type, the tables of a schema, a generated column
// computed by a function). PostgreSQL records those dependencies in pg_depend.

#include <optional>
#include <string>
#include <vector>

#include "cora/db/connection.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/sql/script.hpp"

namespace cora {

// The tables and columns that `drop` would remove with the objects it names, as "table
// app.items" or "column public.orders.status" (schema-qualified, quoted where needed), sorted; a
// column of a table that goes as a whole is not listed apart. Empty when none of the objects
// exists or nothing with rows depends on them.
std::vector<std::string> cascade_removes(Connection& db, const CascadeDrop& drop);

// The first statement of `file` that would destroy data on this database if the file ran again:
// DROP TABLE, TRUNCATE, DELETE without WHERE and DROP OWNED as first_destructive_statement() says,
// and a DROP ... CASCADE when cascade_removes() names something, which the action then names.
// nullopt also when the file does not parse (preparing it reports that).
std::optional<DestructiveStatement> destructive_statement_now(Connection& db, const MigrationFile& file);

}  // namespace cora
