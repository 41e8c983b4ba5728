#pragma once
// Before the first file runs: every CREATE EXTENSION of the files to apply, against the
// extensions the server can install (pg_available_extensions) and, on a Supabase target, those
// the migrations' role may create there (the allow-list). A module whose extension is missing
// would otherwise fail halfway through the run, after every module before it was applied.

#include <functional>
#include <string>
#include <vector>

#include "cora/db/connection.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

struct MissingExtension {
  std::string name;  // "vector"
  const MigrationFile* file = nullptr;
  int line = 0;  // of the CREATE EXTENSION
  // false: the server does not offer it at all; true: it does, but on this Supabase target the
  // role may not create it (not allow-listed, not trusted, not installed, no superuser).
  bool not_allow_listed = false;
};

// "which this server does not offer (pg_available_extensions)" or the allow-list's words.
std::string missing_extension_reason(const MissingExtension& missing);
// What to do about it, without the module's keys.
std::string missing_extension_fix(const MissingExtension& missing);

// One entry per CREATE EXTENSION in `migrations` whose extension the server does not offer or,
// with `supabase`, the role may not create, in file order. The allow-list is read from the
// embedded cluster's cora_compat.privileged_extensions or the server's
// supautils.privileged_extensions; without either, only availability is checked. One round trip
// more, only when a file creates an extension: `is_supabase` is asked then only (it may cost a
// round trip itself), so a deploy without CREATE EXTENSION pays nothing here.
std::vector<MissingExtension> find_missing_extensions(
    Connection& db, const std::vector<PreparedMigration>& migrations,
    const std::function<bool()>& is_supabase = [] { return false; });

}  // namespace cora
