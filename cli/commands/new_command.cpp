// `cora-migrate new NAME`: creates the next migration file of the folder (or --module's
// folder), in the style the folder already uses, with a header.

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "commands/command.hpp"
#include "cora/error.hpp"
#include "cora/migrations/new_migration.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

namespace {

// The folder new files go to: migrations/, or the one module's db/migrations/.
std::filesystem::path target_folder(const Settings& settings) {
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

class NewCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub =
        app.add_subcommand("new",
                           "Create the next migration file (NNN-NAME.sql, or a timestamp where the folder uses them)");
    sub->add_option("name", name_, "What the migration does, e.g. add-teams (letters, digits, - and _)")->required();
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto folder = target_folder(settings);
    const std::time_t now = std::time(nullptr);
    const auto file_name = next_migration_file_name(sql_file_names(folder), name_, now);
    std::error_code ec;
    if (std::filesystem::create_directories(folder, ec)) {
      std::fprintf(stderr, "created folder %s\n", folder.string().c_str());
    } else if (ec) {
      throw Error(ExitCode::migration_files,
                  fmt::format("{}: cannot create the folder: {}", folder.string(), ec.message()),
                  "check the path and its permissions");
    }
    const auto path = folder / file_name;
    // "x": never overwrite, even a file that appeared since the folder was read.
    std::FILE* out = std::fopen(path.c_str(), "wx");
    if (!out) {
      throw Error(ExitCode::migration_files, fmt::format("{}: cannot create: {}", path.string(), std::strerror(errno)),
                  "check the folder's permissions");
    }
    const auto header = new_migration_header(file_name, now);
    const bool written = std::fwrite(header.data(), 1, header.size(), out) == header.size();
    if (std::fclose(out) != 0 || !written) {
      throw Error(ExitCode::migration_files, fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)),
                  "check the free space");
    }
    std::fprintf(stdout, "%s\n", path.string().c_str());
    return to_int(ExitCode::ok);
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Command> make_new_command() { return std::make_unique<NewCommand>(); }

}  // namespace cora::cli
