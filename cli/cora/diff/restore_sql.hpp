#pragma once
// The SQL that makes the database match the files again for one difference: what to put in a
// new migration when running the defining file again would not restore it. Pure.

#include <string>

#include "cora/diff/compare_schemas.hpp"

namespace cora {

// Statements ending in ";\n". A change PostgreSQL cannot make in place (a generated column's
// expression, an enum label to remove) is a "-- " comment saying what to do by hand.
// `expected` is the snapshot the difference's expected side comes from (for a missing table's parts).
std::string restore_sql(const SchemaDifference& difference, const SchemaSnapshot& expected);

}  // namespace cora
