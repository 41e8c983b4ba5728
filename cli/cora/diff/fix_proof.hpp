#pragma once
// `diff --sql`'s check before it prints: the fix, saved as the next migration, must also run after
// the files on a fresh build, where nothing drifted. Tried on the files' own schema (the expected
// schema database) inside a transaction that is rolled back, so the cached template is unchanged.

#include <string>
#include <vector>

#include "cora/diff/compare_schemas.hpp"
#include "cora/diff/schema_snapshot.hpp"

namespace cora {

class Connection;

struct FixProof {
  bool proven = false;
  std::string failure;  // when not proven: what still differs afterwards
  // One per part of the fix, in order: "" when it ran, else the server's error. A part that
  // fails there is not run (a savepoint is rolled back) and the others go on.
  std::vector<std::string> part_failures;
  std::size_t failed_parts() const;
};

// Runs each of `parts` (one difference's fix each) on `files_schema` (what the files create,
// `expected` its snapshot) and compares the result with `expected`. Throws ConnectionLost.
FixProof prove_fix_on_fresh_build(Connection& files_schema, const SchemaSnapshot& expected,
                                  const std::vector<std::string>& parts, const CompareOptions& compare);

// A part that failed on the fresh build, for a migration file: commented out under one line with
// the reason (it would break every fresh build). `as_comment` false: run as it is, under a line
// saying it fails there (for a fix run once by hand on the drifted database).
std::string mark_unsafe_fix_part(const std::string& sql, const std::string& failure, bool as_comment);

}  // namespace cora
