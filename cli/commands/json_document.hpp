#pragma once
// The one JSON document a command prints on stdout with --format json: every one starts with
// "command" and "database" (described without its password; null when there is none).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace cora {
struct MigrationFile;
}

namespace cora::cli {

nlohmann::json command_document(const std::string& command, const std::optional<std::string>& database);

// {"module" (null without modules), "version" (a string, as the file name writes it: "007",
// "202612071234560001"), "name", "file"}: how documents name a migration file.
nlohmann::json migration_file_json(const MigrationFile& file);

// A module's name, or null for none (a project without modules): the same in every document.
nlohmann::json module_json(const std::string& module);

// A version as a string: the file's digits when there is a file, else the number the history
// records. A string, so that a reader whose numbers are doubles (JavaScript) keeps 18 digits.
nlohmann::json version_json(const MigrationFile* file, std::int64_t recorded);

// Indented, with bytes that are not UTF-8 (paths, server text) replaced, and a final newline.
void print_json_document(const nlohmann::json& doc);

}  // namespace cora::cli
