#pragma once
// Whether running a file again would undo a later file: both define or drop the same object
// (a policy the later file drops, a function it replaces). Pure: from the parsed files.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cora/migrations/prepared_migration.hpp"

namespace cora {

// Objects each file defines or drops, by the keys defined_objects gives ("policy:public.t name").
// Grants are left out: they accumulate, and granting again undoes nothing.
using TouchedObjects = std::map<const MigrationFile*, std::set<std::string>>;

TouchedObjects touched_objects(const std::vector<PreparedMigration>& prepared);

// The first file after `file` (in `files`, in apply order) that touches an object `file` also
// touches, with that object's key; nullopt when running `file` again undoes no later file.
std::optional<std::pair<const MigrationFile*, std::string>> later_change(const MigrationFile* file,
                                                                         const std::vector<MigrationFile>& files,
                                                                         const TouchedObjects& touched);

}  // namespace cora
