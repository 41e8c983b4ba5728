// Commands that write history without running migrations: `baseline`, `adopt` and `repair`,
// for databases the tool did not build.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/project_options.hpp"
#include "db/migrator.hpp"
#include "error.hpp"
#include "output/terminal.hpp"
#include "verify/adoption.hpp"
#include "verify/catalog_snapshot.hpp"
#include "verify/check_loader.hpp"
#include "verify/evaluate_checks.hpp"
#include "verify/lints.hpp"
#include "verify/live_checks.hpp"

namespace cora::cli {

namespace {

// `file` recorded with `action`, and the deltas its module's snapshot includes, as included.
void add_with_included(const PreparedMigration& m, const char* action, std::vector<RecordWithoutRunning>& out) {
  out.push_back({m.file, action});
  for (const auto* included : m.records_included) out.push_back({included, "included"});
}

class BaselineCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "baseline", "Record every pending migration up to VERSION as applied, without running it");
    sub->add_option("migration", version_, "The last migration the database already has (VERSION, FILE-NAME or MODULE:VERSION)")
        ->required();
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    auto target = connect_to_target(settings);
    auto options = migrate_options_for(settings, project);
    options.target = version_;
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    const auto prepared = migrator.prepare(files);
    std::vector<RecordWithoutRunning> chosen;
    for (const auto& m : prepared.migrations) add_with_included(m, "baseline", chosen);
    migrator.record_without_running(chosen, prepared.history_needs_setup);
    const auto style = Style::for_stream(stdout);
    for (const auto& [file, action] : chosen) {
      std::fprintf(stdout, "%s %s (not run)\n", style.paint(std::string(action) == "included" ? "included" : "baselined", Tone::good).c_str(),
                   display_name(*file).c_str());
    }
    std::fprintf(stdout, "%zu migration(s) recorded as applied in %s.\n", chosen.size(), target.description.c_str());
    return to_int(ExitCode::ok);
  }

 private:
  std::string version_;
};

class AdoptCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "adopt", "Record pending migrations as applied when the live schema shows they were (objects exist, checks pass)");
    sub->add_option("--target", target_, "Consider migrations up to this one only (VERSION, FILE-NAME or MODULE:VERSION)");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    const CheckSet checks = load_checks_for_command(settings);
    auto target = connect_to_target(settings);
    auto options = migrate_options_for(settings, project);
    options.target = target_;
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    auto prepared = migrator.prepare(files);

    const auto snapshot = read_catalog_snapshot(*target.db, settings.verify_schemas, RecursionProbe::run);
    const auto expressions = normalise_expressions(*target.db, expressions_to_normalise(checks, snapshot));
    const auto analyses = analyse_functions(snapshot);
    auto outcomes = evaluate_checks(checks, snapshot, expressions, analyses);
    const auto lints = run_lints(snapshot, analyses, settings.lints, settings.verify_schemas);
    outcomes.insert(outcomes.end(), lints.begin(), lints.end());

    // Module by module: a file the live schema does not show stops its own module (later files
    // of that module build on it), not the others.
    const auto style = Style::for_stream(stdout);
    std::vector<RecordWithoutRunning> adopted;
    std::vector<std::pair<const PreparedMigration*, AdoptionVerdict>> refused;
    std::vector<std::string> stopped_modules;
    for (std::size_t i = 0; i < prepared.migrations.size(); ++i) {
      const auto& m = prepared.migrations[i];
      if (std::find(stopped_modules.begin(), stopped_modules.end(), m.file->module) != stopped_modules.end()) continue;
      const auto verdict = judge_adoption(m, snapshot, outcomes, objects_dropped_after(prepared.migrations, i));
      if (!verdict.adoptable) {
        refused.emplace_back(&m, verdict);
        stopped_modules.push_back(m.file->module);
        continue;
      }
      add_with_included(m, "adopt", adopted);
      const std::string evidence =
          verdict.objects == 0 ? "it creates no table, index, policy or function to check: adopted on trust"
                               : fmt::format("{} object(s) exist, {} check(s) pass", verdict.objects, verdict.checks);
      std::fprintf(stdout, "%s %s (%s)\n", style.paint("adopted", Tone::good).c_str(), display_name(*m.file).c_str(),
                   evidence.c_str());
    }
    migrator.record_without_running(adopted, prepared.history_needs_setup);
    if (refused.empty()) {
      std::fprintf(stdout, "%zu migration(s) adopted in %s.\n", adopted.size(), target.description.c_str());
      return to_int(ExitCode::ok);
    }
    for (const auto& [m, verdict] : refused) {
      std::fprintf(stdout, "%s %s: the live schema does not show it was applied:\n",
                   style.paint("not adopted", Tone::bad).c_str(), display_name(*m->file).c_str());
      for (const auto& problem : verdict.problems) std::fprintf(stdout, "  - %s\n", problem.c_str());
    }
    const auto* first = refused.front().first->file;
    const std::string selector =
        first->module.empty() ? std::to_string(first->version)
                              : first->module + ":" + first->file_name.substr(0, first->file_name.size() - 4);
    std::fprintf(stdout,
                 "%zu migration(s) adopted; %zu module(s) stopped. Apply what was not adopted with `cora-migrate "
                 "migrate`, or, if you know it ran, record it with `cora-migrate baseline %s`.\n",
                 adopted.size(), refused.size(), selector.c_str());
    return to_int(ExitCode::findings);
  }

 private:
  std::optional<std::string> target_;
};

class RepairCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "repair", "Clear a dirty migration (one that failed part-way outside a transaction) so migrate can go on");
    sub->add_option("migration", version_, "The dirty migration (VERSION, FILE-NAME or MODULE:VERSION)")->required();
    sub->add_flag("--mark-applied", mark_applied_,
                  "Record it as applied (you finished its statements by hand) instead of pending again");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    auto target = connect_to_target(settings);
    Migrator migrator(*target.db, HistoryTable(settings.history_table), migrate_options_for(settings, project));
    migrator.repair(project.files, version_, mark_applied_);
    std::fprintf(stdout, "repaired %s: %s\n", version_.c_str(),
                 mark_applied_ ? "recorded as applied" : "pending again; `cora-migrate migrate` runs the whole file again");
    return to_int(ExitCode::ok);
  }

 private:
  std::string version_;
  bool mark_applied_ = false;
};

}  // namespace

std::unique_ptr<Command> make_baseline_command() { return std::make_unique<BaselineCommand>(); }
std::unique_ptr<Command> make_adopt_command() { return std::make_unique<AdoptCommand>(); }
std::unique_ptr<Command> make_repair_command() { return std::make_unique<RepairCommand>(); }

}  // namespace cora::cli
