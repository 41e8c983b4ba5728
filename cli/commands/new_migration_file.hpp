#pragma once
// Creating the next migration file of a project: `new` writes only the header, `diff --sql --new`
// writes the header and the drift fix. One place for the folder, the name and the no-overwrite rule.

#include <ctime>
#include <filesystem>
#include <string>

#include "cora/config/settings.hpp"

namespace cora::cli {

struct NewMigrationFile {
  std::filesystem::path folder;
  std::string file_name;
  std::time_t created = 0;
};

// The folder (migrations/, or --module's db/migrations/) and the next file name in its style.
// Throws cora::Error (usage) for a bad NAME or module choice, before anything is written.
NewMigrationFile plan_new_migration_file(const Settings& settings, const std::string& name);

// Creates the folder when needed and the file (never overwriting one) with the header, then
// `body`; returns the file's path. Throws cora::Error (migration_files) when it cannot.
std::filesystem::path write_new_migration_file(const NewMigrationFile& file, const std::string& body);

}  // namespace cora::cli
