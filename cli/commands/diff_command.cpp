// `cora-migrate diff`: what the live database has that the files do not say, and back.

#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "commands/command.hpp"
#include "commands/project_on_database.hpp"
#include "commands/project_options.hpp"
#include "commands/database_target.hpp"
#include "commands/drift_check.hpp"
#include "commands/new_migration_file.hpp"
#include "cora/diff/drift_render.hpp"
#include "cora/error.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/plural.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

// One line under the first, on what diff checked: whether the fix also runs after the files on a
// fresh build, and whether on a copy of this database it leaves what the files create. When
// either fails, stderr says so too, as the file would break fresh builds or not fix the drift.
std::string with_fix_proof_line(std::string sql, const std::optional<FixProof>& proof,
                                const std::optional<CopyProof>& copy, bool for_migration) {
  if (!proof) return sql;
  const auto failed = proof->failed_parts();
  const std::string parts =
      failed == 0 ? ""
                  : fmt::format(" ({} {} there: {} below)", plural(failed, "part"), failed == 1 ? "fails" : "fail",
                                for_migration ? "commented out" : "marked");
  const bool copy_failed = copy && copy->tried && !copy->proven;
  const std::string on_copy =
      !copy ? ""
      : copy->tried
          ? (copy->proven
                 ? "; on a schema-only copy of this database it leaves what the files create (expressions aside)"
                 : "; on a schema-only copy of this database " + sql_comment_text(copy->why))
          : "; not tried on a copy of this database (" + sql_comment_text(copy->why) + ")";
  std::string line;
  if (proof->proven && !copy_failed) {
    line = "-- Checked: on a copy of what the files create (a fresh build) it runs and changes nothing" + parts +
           on_copy + ".\n";
  } else {
    const std::string fresh = proof->proven ? "on a copy of what the files create (a fresh build) it runs" + parts
                                            : "on a copy of what the files create (a fresh build) " +
                                                  sql_comment_text(proof->failure) + parts;
    line = "-- NOT checked safe: " + fresh + on_copy + "; edit it before saving it as a migration.\n";
  }
  if (!proof->proven || failed > 0 || copy_failed) {
    std::fprintf(stderr, "cora-migrate: warning: %s", line.substr(3).c_str());
  }
  const auto first = sql.find('\n');
  return first == std::string::npos ? sql + "\n" + line : sql.insert(first + 1, line);
}

// `diff --sql --new NAME`: the fix as the next migration file; no file when there is nothing to fix.
int write_drift_fix_file(const NewMigrationFile& file, bool no_drift, const std::string& sql) {
  if (no_drift) {
    std::fputs("no drift: nothing to write, no file created\n", stderr);
    return to_int(ExitCode::ok);
  }
  const auto path = write_new_migration_file(file, sql);
  std::fprintf(stdout, "%s\n", path.string().c_str());
  // Still drift (exit 15) until `migrate` applies the file, as every `diff` says.
  return to_int(ExitCode::drift);
}

class DiffCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "diff", "Compare the live schema with what the files create (built on the local cluster); exit 15 on drift");
    sub->add_option("--format", format_, "human, json, markdown or github")
        ->check(CLI::IsMember({"human", "json", "markdown", "github"}));
    sub->add_flag("--sql", sql_,
                  "Print the SQL that restores the files' version of every difference, instead of the report");
    sub->add_option("--new", new_name_,
                    "With --sql: write that SQL as the next migration file NNN-NAME.sql (the `new` naming rules) "
                    "and print its path")
        ->needs("--sql");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    auto [settings, project, target] = open_project_on_database(global);
    // Named and checked before the (slow) comparison, so a bad NAME costs nothing.
    const auto new_file = new_name_.empty()
                              ? std::nullopt
                              : std::optional<NewMigrationFile>(plan_new_migration_file(settings, new_name_));
    const auto& files = project.files;
    auto report = check_drift(*target.db, files, settings, sql_, new_file.has_value());
    if (report.fix_proof) {
      for (std::size_t i = 0; i < report.entries.size(); ++i) {
        const auto& failure = report.fix_proof->part_failures.at(i);
        if (!failure.empty())
          report.entries[i].sql = mark_unsafe_fix_part(report.entries[i].sql, failure, new_file.has_value());
      }
    }
    const DriftHeader header{target.description,
                             project.has_modules
                                 ? fmt::format("{} modules ({} files)", project.modules.size(), files.size())
                                 : fmt::format("{} ({} files)", settings.migrations_dir.string(), files.size()),
                             global.target_label};
    std::string text;
    if (sql_)
      text = with_fix_proof_line(render_drift_sql(report, header), report.fix_proof, report.copy_proof,
                                 new_file.has_value());
    else if (format_ == "json") text = render_drift_json(report, header);
    else if (format_ == "markdown") text = render_drift_markdown(report, header);
    else if (format_ == "github") text = render_drift_github(report, header);
    else text = render_drift_human(report, header, Style::for_stream(stdout).color());
    if (new_file) return write_drift_fix_file(*new_file, report.entries.empty(), text);
    std::fputs(text.c_str(), stdout);
    return report.entries.empty() ? to_int(ExitCode::ok) : to_int(ExitCode::drift);
  }

 private:
  std::string format_ = "human";
  bool sql_ = false;
  std::string new_name_;
};

}  // namespace

std::unique_ptr<Command> make_diff_command() { return std::make_unique<DiffCommand>(); }

}  // namespace cora::cli
