#pragma once
// `diff --sql`'s check before it prints: the fix, saved as the next migration, must also run after
// the files on a fresh build, where nothing drifted. Tried on the files' own schema (the expected
// schema database) inside a transaction that is rolled back, so the cached template is unchanged.

#include <string>

#include "cora/diff/compare_schemas.hpp"
#include "cora/diff/schema_snapshot.hpp"

namespace cora {

class Connection;

struct FixProof {
  bool proven = false;
  std::string failure;  // when not proven: the server's error, or what still differs afterwards
};

// Runs `sql` on `files_schema` (what the files create, `expected` its snapshot) and compares the
// result with `expected`. Throws ConnectionLost; a failing statement is a FixProof, not a throw.
FixProof prove_fix_on_fresh_build(Connection& files_schema, const SchemaSnapshot& expected, const std::string& sql,
                                  const CompareOptions& compare);

}  // namespace cora
