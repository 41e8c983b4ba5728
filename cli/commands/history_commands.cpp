// Commands that write history without running migrations: `baseline`, `adopt` and `repair`,
// for databases the tool did not build.

#include <fmt/format.h>

#include <cstdio>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
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

MigrateOptions options_from(const Settings& settings) {
  MigrateOptions options;
  options.timeouts = settings.timeouts;
  options.client = client_identity();
  return options;
}

// The pending files up to and including `through` (all when unset), in order.
std::vector<const MigrationFile*> pending_through(const PreparedPlan& prepared, std::optional<std::int64_t> through) {
  std::vector<const MigrationFile*> out;
  for (const auto& entry : prepared.status) {
    if (entry.state != MigrationState::pending) continue;
    if (through && entry.version > *through) break;
    out.push_back(entry.file);
  }
  return out;
}

class BaselineCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "baseline", "Record every pending migration up to VERSION as applied, without running it");
    sub->add_option("version", version_, "The last version the database already has")->required();
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto files = discover_migrations(settings.migrations_dir);
    auto target = connect_to_target(settings);
    auto options = options_from(settings);
    options.target = version_;
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    const auto prepared = migrator.prepare(files);
    const auto chosen = pending_through(prepared, version_);
    migrator.record_without_running(chosen, "baseline", prepared.history_needs_setup);
    const auto style = Style::for_stream(stdout);
    for (const auto* file : chosen) {
      std::fprintf(stdout, "%s %s (not run)\n", style.paint("baselined", Tone::good).c_str(), file->file_name.c_str());
    }
    std::fprintf(stdout, "%zu migration(s) recorded as applied in %s.\n", chosen.size(), target.description.c_str());
    return to_int(ExitCode::ok);
  }

 private:
  std::int64_t version_ = 0;
};

class AdoptCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "adopt", "Record pending migrations as applied when the live schema shows they were (objects exist, checks pass)");
    sub->add_option("--target", target_, "Consider migrations up to this version only");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto files = discover_migrations(settings.migrations_dir);
    const CheckSet checks = load_checks(settings.checks_dir);
    auto target = connect_to_target(settings);
    auto options = options_from(settings);
    options.target = target_;
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    auto prepared = migrator.prepare(files);

    const auto snapshot = read_catalog_snapshot(*target.db, settings.verify_schemas, RecursionProbe::run);
    const auto expressions = normalise_expressions(*target.db, expressions_to_normalise(checks, snapshot));
    const auto analyses = analyse_functions(snapshot);
    auto outcomes = evaluate_checks(checks, snapshot, expressions, analyses);
    const auto lints = run_lints(snapshot, analyses, settings.lints, settings.verify_schemas);
    outcomes.insert(outcomes.end(), lints.begin(), lints.end());

    const auto style = Style::for_stream(stdout);
    std::vector<const MigrationFile*> adopted;
    const PreparedMigration* refused = nullptr;
    AdoptionVerdict refusal;
    for (std::size_t i = 0; i < prepared.migrations.size(); ++i) {
      const auto& m = prepared.migrations[i];
      const auto verdict = judge_adoption(m, snapshot, outcomes, objects_dropped_after(prepared.migrations, i));
      if (!verdict.adoptable) {
        refused = &m;
        refusal = verdict;
        break;
      }
      adopted.push_back(m.file);
      const std::string evidence =
          verdict.objects == 0 ? "it creates no table, index, policy or function to check: adopted on trust"
                               : fmt::format("{} object(s) exist, {} check(s) pass", verdict.objects, verdict.checks);
      std::fprintf(stdout, "%s %s (%s)\n", style.paint("adopted", Tone::good).c_str(), m.file->file_name.c_str(),
                   evidence.c_str());
    }
    migrator.record_without_running(adopted, "adopt", prepared.history_needs_setup);
    if (!refused) {
      std::fprintf(stdout, "%zu migration(s) adopted in %s.\n", adopted.size(), target.description.c_str());
      return to_int(ExitCode::ok);
    }
    std::fprintf(stdout, "%s %s: the live schema does not show it was applied:\n", style.paint("not adopted", Tone::bad).c_str(),
                 refused->file->file_name.c_str());
    for (const auto& problem : refusal.problems) std::fprintf(stdout, "  - %s\n", problem.c_str());
    std::fprintf(stdout,
                 "%zu migration(s) adopted; stopped at %s. Apply it with `cora-migrate migrate`, or, if you know it "
                 "ran, record it with `cora-migrate baseline %lld`.\n",
                 adopted.size(), refused->file->file_name.c_str(), static_cast<long long>(refused->file->version));
    return to_int(ExitCode::findings);
  }

 private:
  std::optional<std::int64_t> target_;
};

class RepairCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "repair", "Clear a dirty migration (one that failed part-way outside a transaction) so migrate can go on");
    sub->add_option("version", version_, "The dirty version")->required();
    sub->add_flag("--mark-applied", mark_applied_,
                  "Record it as applied (you finished its statements by hand) instead of pending again");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto files = discover_migrations(settings.migrations_dir);
    auto target = connect_to_target(settings);
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options_from(settings));
    migrator.repair(files, version_, mark_applied_);
    std::fprintf(stdout, "repaired version %lld: %s\n", static_cast<long long>(version_),
                 mark_applied_ ? "recorded as applied" : "pending again; `cora-migrate migrate` runs the whole file again");
    return to_int(ExitCode::ok);
  }

 private:
  std::int64_t version_ = 0;
  bool mark_applied_ = false;
};

}  // namespace

std::unique_ptr<Command> make_baseline_command() { return std::make_unique<BaselineCommand>(); }
std::unique_ptr<Command> make_adopt_command() { return std::make_unique<AdoptCommand>(); }
std::unique_ptr<Command> make_repair_command() { return std::make_unique<RepairCommand>(); }

}  // namespace cora::cli
