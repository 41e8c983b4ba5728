#pragma once
// `cora-migrate new NAME`: the next file name in a folder's own style, and the file's header.

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

namespace cora {

// The name of the file `new` creates after `existing` (the names of the folder's .sql files;
// names that are not migration file names are ignored): NNN-NAME.sql one past the highest
// number, zero-padded as the folder pads (3 digits when empty); a UTC timestamp
// YYYYMMDDHHMMSS_NAME.sql (at `now`, or one second past the newest file when the clock is not
// later) when the folder's newest file is dated. The separator (`-` or `_`) follows the newest
// file. Throws cora::Error (usage) when NAME is not letters, digits, `-` and `_`, or when a
// file of the folder already has that name (`-` and `_` counted alike).
std::string next_migration_file_name(const std::vector<std::string>& existing, const std::string& name,
                                     std::time_t now);

// The leading comment block of a new file: its name, when it was created, and where its
// directives go. Comments only, so the file is an error ("no statements") until it gets SQL.
std::string new_migration_header(const std::string& file_name, std::time_t now);

// The .sql file names directly in `dir` (none when it does not exist).
std::vector<std::string> sql_file_names(const std::filesystem::path& dir);

}  // namespace cora
