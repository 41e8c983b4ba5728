// `cora-migrate diff`: what the live database has that the files do not say, and back.

#include <fmt/format.h>

#include <cstdio>

#include "commands/command.hpp"
#include "commands/project_on_database.hpp"
#include "commands/project_options.hpp"
#include "commands/database_target.hpp"
#include "commands/drift_check.hpp"
#include "cora/diff/drift_render.hpp"
#include "cora/error.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

class DiffCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "diff", "Compare the live schema with what the files create (built on the local cluster); exit 15 on drift");
    sub->add_option("--format", format_, "human, json, markdown or github")
        ->check(CLI::IsMember({"human", "json", "markdown", "github"}));
    sub->add_flag("--sql", sql_,
                  "Print the SQL that restores the files' version of every difference, instead of the report");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    auto [settings, project, target] = open_project_on_database(global);
    const auto& files = project.files;
    const auto report = check_drift(*target.db, files, settings);
    const DriftHeader header{target.description,
                             project.has_modules
                                 ? fmt::format("{} modules ({} files)", project.modules.size(), files.size())
                                 : fmt::format("{} ({} files)", settings.migrations_dir.string(), files.size()),
                             global.target_label};
    std::string text;
    if (sql_) text = render_drift_sql(report, header);
    else if (format_ == "json") text = render_drift_json(report, header);
    else if (format_ == "markdown") text = render_drift_markdown(report, header);
    else if (format_ == "github") text = render_drift_github(report, header);
    else text = render_drift_human(report, header, Style::for_stream(stdout).color());
    std::fputs(text.c_str(), stdout);
    return report.entries.empty() ? to_int(ExitCode::ok) : to_int(ExitCode::drift);
  }

 private:
  std::string format_ = "human";
  bool sql_ = false;
};

}  // namespace

std::unique_ptr<Command> make_diff_command() { return std::make_unique<DiffCommand>(); }

}  // namespace cora::cli
