#pragma once
// `diff --sql`'s check before it prints: the fix, saved as the next migration, must also run after
// the files on a fresh build, where nothing drifted. Tried on the files' own schema (the expected
// schema database) inside a transaction that is rolled back, so the cached template is unchanged.

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "cora/diff/compare_schemas.hpp"
#include "cora/diff/schema_snapshot.hpp"

namespace cora {

class Connection;
class LocalCluster;

struct FixProof {
  bool proven = false;
  std::string failure;  // when not proven: what still differs afterwards
  // One per part of the fix, in order: "" when it ran, else the server's error. A part that
  // fails there is not run (a savepoint is rolled back) and the others go on.
  std::vector<std::string> part_failures;
  std::size_t failed_parts() const;
};

// Runs each of `parts` (one difference's fix each) on `files_schema` (what the files create,
// `expected` its snapshot) and compares the result with `expected`. Differences whose
// difference_key is in `tolerated` do not count (those diff leaves alone). Throws ConnectionLost.
FixProof prove_fix_on_fresh_build(Connection& files_schema, const SchemaSnapshot& expected,
                                  const std::vector<std::string>& parts, const CompareOptions& compare,
                                  const std::set<std::string>& tolerated = {});

// "missing index public.x": what tells one difference from another.
std::string difference_key(const SchemaDifference& d);

// The fix tried on the drifted database itself, as far as that can be done without touching it:
// a schema-only copy of it made on the embedded cluster. Only a database on that cluster is
// copied (its own superuser dumps it; a remote one would need its credentials handed to pg_dump).
struct CopyProof {
  bool tried = false;
  bool proven = false;
  std::string why;  // not tried: why not; tried and not proven: what still differs
};

// `live`: the drifted database, `live_schema` its snapshot; `parts` as they would run there.
// Not tried when `live` is elsewhere, when its copy fails, or when the copy differs from it.
CopyProof prove_fix_on_drifted_copy(Connection& live, const SchemaSnapshot& live_schema, LocalCluster& cluster,
                                    const SchemaSnapshot& expected, const std::vector<std::string>& parts,
                                    const CompareOptions& compare, const std::set<std::string>& tolerated,
                                    std::chrono::milliseconds connect_timeout);

// A part that failed on the fresh build, for a migration file: commented out under one line with
// the reason (it would break every fresh build). `as_comment` false: run as it is, under a line
// saying it fails there (for a fix run once by hand on the drifted database).
std::string mark_unsafe_fix_part(const std::string& sql, const std::string& failure, bool as_comment);

}  // namespace cora
