#pragma once
// Which file and line define each object, from the statements of the files in the order they
// run: what a difference cites, and whether running that file again would restore the object.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/diff/schema_snapshot.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

struct SourceLocation {
  const MigrationFile* file = nullptr;
  int line = 0;
  // Running the file again puts back the file's definition (CREATE OR REPLACE, or a DROP ... IF
  // EXISTS before the CREATE in the same file). From last_change(): the file re-creates an object
  // of a recreatable_kind before its last change.
  bool restores_definition = false;
  // Running the file again creates the object when it is missing (IF NOT EXISTS, or the above).
  bool restores_if_missing = false;
  // The file's header says rerunnable=true: it is meant to run again on a database that has
  // what it creates, so `migrate --reapply` may run it after an edit.
  bool file_rerunnable = false;
};

// The kinds a file puts back exactly by running again (CREATE OR REPLACE, or DROP ... IF EXISTS
// then CREATE) without losing data: not a table, whose re-creation empties it.
inline bool recreatable_kind(const std::string& kind) {
  return kind == "function" || kind == "policy" || kind == "trigger" || kind == "view";
}

class ObjectSources {
 public:
  // `never_ran`: files left out, as a delta recorded `included` in a module's snapshot (it never
  // ran on the database, so it is never what a finding cites).
  explicit ObjectSources(const std::vector<PreparedMigration>& migrations,
                         const std::set<const MigrationFile*>& never_ran = {});

  // The statement that defines `object`, or for a part of something (a column, a grant) the one
  // that defines the whole when no statement names the part. `attribute` narrows it: a table's
  // row level security is where it is enabled.
  std::optional<SourceLocation> find(const SchemaObject& object, const std::string& attribute = "") const;

  // The last statement, over all files in order, that created or altered an object: `kind` is
  // "relation" (table, view, materialized view, foreign table, sequence), "index", "policy" or
  // "function"; `name` is "schema.name" ("schema.table name" for a policy; a function without its
  // arguments). ALTER, GRANT/REVOKE and RENAME (under the new name) count; COMMENT ON and an ALTER
  // TABLE that only enables or disables row level security do not; a DROP with no later CREATE
  // leaves none. nullopt when no file creates or alters it.
  std::optional<SourceLocation> last_change(const std::string& kind, const std::string& name) const;

 private:
  std::optional<SourceLocation> find_key(const std::string& key) const;
  std::map<std::string, SourceLocation> by_key_;
  std::map<std::string, SourceLocation> last_change_;  // "kind:name" as last_change() takes them
};

}  // namespace cora
