#include "commands/new_migration_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cora/error.hpp"
#include "cora/migrations/new_migration.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

namespace {

// The folder new files go to: migrations/, or the one module's db/migrations/.
std::filesystem::path new_migration_target_folder(const Settings& settings) {
  if (!settings.modules) {
    if (!settings.only_modules.empty()) {
      throw Error(ExitCode::usage, "--module: this project has no modules (no modules = [...] in cora-migrate.toml)",
                  "drop --module");
    }
    return settings.migrations_dir;
  }
  const auto project = load_project(settings);
  std::string known;
  for (const auto& m : project.modules) known += (known.empty() ? "" : ", ") + m.name;
  if (settings.only_modules.size() != 1 && project.modules.size() != 1) {
    throw Error(ExitCode::usage, fmt::format("new: name the module the migration belongs to (modules: {})", known),
                "add --module NAME");
  }
  const Module& module =
      settings.only_modules.empty() ? project.modules.front() : *project.find(settings.only_modules.front());
  if (!module.migrations_dir.empty()) return module.migrations_dir;
  const auto o = settings.modules->overrides.find(module.name);
  const bool overridden = o != settings.modules->overrides.end() && o->second.migrations_dir;
  return module.root / (overridden ? *o->second.migrations_dir : std::filesystem::path("db/migrations"));
}

}  // namespace

NewMigrationFile plan_new_migration_file(const Settings& settings, const std::string& name) {
  NewMigrationFile file;
  file.folder = new_migration_target_folder(settings);
  file.created = std::time(nullptr);
  file.file_name = next_migration_file_name(sql_file_names(file.folder), name, file.created);
  return file;
}

std::filesystem::path write_new_migration_file(const NewMigrationFile& file, const std::string& body) {
  std::error_code ec;
  if (std::filesystem::create_directories(file.folder, ec)) {
    std::fprintf(stderr, "created folder %s\n", file.folder.string().c_str());
  } else if (ec) {
    throw Error(ExitCode::migration_files,
                fmt::format("{}: cannot create the folder: {}", file.folder.string(), ec.message()),
                "check the path and its permissions");
  }
  const auto path = file.folder / file.file_name;
  // "x": never overwrite, even a file that appeared since the folder was read.
  std::FILE* out = std::fopen(path.c_str(), "wx");
  if (!out) {
    throw Error(ExitCode::migration_files, fmt::format("{}: cannot create: {}", path.string(), std::strerror(errno)),
                "check the folder's permissions");
  }
  const auto text = new_migration_header(file.file_name, file.created) + body;
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written) {
    throw Error(ExitCode::migration_files, fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)),
                "check the free space");
  }
  return path;
}

}  // namespace cora::cli
