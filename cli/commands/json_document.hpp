#pragma once
// The one JSON document a command prints on stdout with --format json: every one starts with
// "command" and "database" (described without its password; null when there is none).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace cora {
struct MigrationFile;
}

namespace cora::cli {

nlohmann::json command_document(const std::string& command, const std::optional<std::string>& database);

// {"module" ("" without modules), "version", "name", "file"}: how documents name a migration file.
nlohmann::json migration_file_json(const MigrationFile& file);

// Indented, with bytes that are not UTF-8 (paths, server text) replaced, and a final newline.
void print_json_document(const nlohmann::json& doc);

}  // namespace cora::cli
