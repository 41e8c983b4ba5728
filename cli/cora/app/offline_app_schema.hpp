#pragma once
// The schema the migration files leave, as far as the application's calls need it: read with
// PostgreSQL's parser, in the order migrate applies the files. No database.

#include <string>
#include <vector>

#include "cora/app/app_schema.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora::app {

// `files` in the order they apply. The role's privileges: Supabase's default privileges grant it
// everything on what is created in public, so an object is allowed unless a REVOKE FROM `role`
// (or a REVOKE ALL ... IN SCHEMA) takes a privilege back and no later GRANT gives it again.
// A file that does not parse is skipped (lint reports it).
AppSchema offline_app_schema(const std::vector<const MigrationFile*>& files, const std::string& role);

}  // namespace cora::app
