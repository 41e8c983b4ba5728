// `cora-migrate new NAME`: creates the next migration file of the folder (or --module's
// folder), in the style the folder already uses, with a header.

#include <cstdio>

#include "commands/command.hpp"
#include "commands/new_migration_file.hpp"
#include "cora/error.hpp"

namespace cora::cli {

namespace {

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
    const auto path = write_new_migration_file(plan_new_migration_file(settings, name_), "");
    std::fprintf(stdout, "%s\n", path.string().c_str());
    return to_int(ExitCode::ok);
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Command> make_new_command() { return std::make_unique<NewCommand>(); }

}  // namespace cora::cli
