#include "commands/json_document.hpp"

#include <cstdio>

#include "cora/migrations/migration_file.hpp"

namespace cora::cli {

nlohmann::json command_document(const std::string& command, const std::optional<std::string>& database) {
  return {{"command", command}, {"database", database ? nlohmann::json(*database) : nlohmann::json(nullptr)}};
}

nlohmann::json migration_file_json(const MigrationFile& file) {
  return {{"module", module_json(file.module)},
          {"version", version_json(&file, file.version)},
          {"name", file.name},
          {"file", file.path.string()}};
}

nlohmann::json module_json(const std::string& module) {
  return module.empty() ? nlohmann::json(nullptr) : nlohmann::json(module);
}

nlohmann::json version_json(const MigrationFile* file, std::int64_t recorded) {
  return file && !file->version_digits.empty() ? file->version_digits : std::to_string(recorded);
}

void print_json_document(const nlohmann::json& doc) {
  std::fprintf(stdout, "%s\n", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

}  // namespace cora::cli
