#pragma once
// Adopting a hand-applied database: may a pending migration be recorded as applied without
// running it? Yes when every object it creates exists in the live schema and every declared
// check and lint about those objects passes. Pure.

#include <string>
#include <vector>

#include "cora/migrations/prepared_migration.hpp"
#include <set>

#include "cora/catalog/catalog_snapshot.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

struct AdoptionVerdict {
  bool adoptable = false;
  std::size_t objects = 0;  // objects the file creates that were found
  std::size_t checks = 0;   // declared checks about them that passed
  // Why not, one line each, in two kinds that call for different fixes: an object the file
  // creates is missing (the file did not run, or only in part: apply it), or it exists but a
  // declared check or built-in lint about it fails (it ran, then changed, or ran another way).
  std::vector<std::string> missing;
  std::vector<std::string> failing;
  // Statements whose effect adopt cannot compare ("PATH:LINE: INSERT changes rows, ..."), and
  // how many it did compare (adoption_effects.hpp): set by the command, which has the schema
  // the files build.
  std::vector<std::string> unchecked;
  std::size_t statements_checked = 0;
};

// `outcomes` are the evaluated declared checks (evaluate_checks) and built-in lints (run_lints)
// over the same snapshot; their errors about the file's objects block adoption. Objects in
// `dropped_later` (which a later file drops: see objects_dropped_after) need not exist.
AdoptionVerdict judge_adoption(const PreparedMigration& migration, const CatalogSnapshot& snapshot,
                               const std::vector<CheckOutcome>& outcomes,
                               const std::set<std::string>& dropped_later = {});

// The objects ("kind:name", as SqlStatement::creates) the migrations after `index` drop.
std::set<std::string> objects_dropped_after(const std::vector<PreparedMigration>& migrations, std::size_t index);

}  // namespace cora
