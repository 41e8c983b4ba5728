#pragma once
// What adopt compares beyond the objects a file creates: every effect the files have on the
// catalog (columns, types, defaults, NOT NULL, constraints, indexes, policies, grants, function
// signatures and bodies, triggers, views, sequences, types), as `diff` finds it: the files built
// on the embedded cluster and compared with the live schema. Each difference is laid at the file
// and line of the statement whose effect is missing; the statements whose effect that comparison
// cannot see are listed, one each. Pure.

#include <string>
#include <vector>

#include "cora/diff/drift.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "cora/verify/live_privileges.hpp"

namespace cora {

struct AdoptionEffect {
  const MigrationFile* file = nullptr;
  int line = 0;
  std::string what;  // "column public.t.c does not exist", "INSERT changes rows, which adopt does not compare"

  std::string text() const;  // "PATH:LINE: WHAT"
};

// The differences of `drift` (find_drift over all the project's files, in order) that a file of
// `candidates` (the pending files adopt considers) accounts for: an object missing, at the first
// candidate statement that defines it; an attribute that differs, at the last statement that
// defines the object, when that is a candidate's; an object the database still has, at the
// candidate statement that drops it. Differences no candidate accounts for (drift from files
// already recorded, objects no file speaks of) are not adopt's to judge and are left out.
std::vector<AdoptionEffect> missing_effects(const std::vector<DriftEntry>& drift,
                                            const std::vector<PreparedMigration>& candidates);

// What the schema snapshot does not read, checked statement by statement against `live`: CREATE
// SCHEMA, GRANT/REVOKE on a schema, ALTER DEFAULT PRIVILEGES (whichever role's defaults hold the
// grant: the role that pasted the files is not known). One line per effect not there.
std::vector<AdoptionEffect> privilege_effects_missing(const PreparedMigration& migration, const LivePrivileges& live);

// The statements of `migration` whose effect the comparison does not see, in file order: rows
// (INSERT, UPDATE, DELETE, COPY), code whose effect is unknown before it runs (DO, a SELECT that
// calls a function), and catalog changes outside what the snapshot and privilege_effects_missing
// read (roles, comments, owners, grants on databases or types, ...) or outside `managed_schemas`.
// SET, transaction control and SELECT set_config(...) change nothing that lasts and are not
// listed.
std::vector<AdoptionEffect> unchecked_statements(const PreparedMigration& migration,
                                                 const std::vector<std::string>& managed_schemas);

// How many statements of `migration` have an effect the comparison does see.
std::size_t checked_statement_count(const PreparedMigration& migration,
                                    const std::vector<std::string>& managed_schemas);

}  // namespace cora
