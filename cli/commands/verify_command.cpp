// `cora-migrate verify`: declarative checks from checks/ and built-in lints against the live
// schema; with --scratch, against a fresh database migrated from zero on the local cluster.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "commands/command.hpp"
#include "commands/project_options.hpp"
#include "commands/database_target.hpp"
#include "db/migrator.hpp"
#include "diff/object_sources.hpp"
#include "error.hpp"
#include "local/local_cluster.hpp"
#include "output/terminal.hpp"
#include "verify/catalog_snapshot.hpp"
#include "verify/check_loader.hpp"
#include "verify/drift_pointer.hpp"
#include "verify/evaluate_checks.hpp"
#include "verify/finding_sources.hpp"
#include "verify/lints.hpp"
#include "verify/live_checks.hpp"
#include "verify/report.hpp"

namespace cora::cli {

namespace {

// A database created for one verify --scratch run and dropped afterwards, whatever happens.
class ScratchDatabase {
 public:
  ScratchDatabase(const LocalCluster& cluster, std::chrono::milliseconds connect_timeout)
      : cluster_(cluster), timeout_(connect_timeout),
        name_(fmt::format("cora_scratch_{}_{}", getpid(),
                          std::chrono::steady_clock::now().time_since_epoch().count() % 1000000)) {
    Connection::open(cluster_.conninfo("postgres"), timeout_)->execute_script("CREATE DATABASE " + name_);
  }
  ~ScratchDatabase() {
    try {
      Connection::open(cluster_.conninfo("postgres"), timeout_)
          ->execute_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
      // Left behind only if the cluster itself is gone; `local reset` clears it.
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& name() const { return name_; }

 private:
  const LocalCluster& cluster_;
  std::chrono::milliseconds timeout_;
  std::string name_;
};

// Where each object came from in the migration files, for the findings to cite. The files are
// read offline; verify works without them (a database checked from elsewhere), so a project that
// cannot be read, or a file that does not parse, only leaves its objects uncited.
struct FileSources {
  std::unique_ptr<Project> project;  // what `sources` points into
  std::optional<ObjectSources> sources;

  static FileSources read(const Settings& settings) {
    FileSources out;
    try {
      out.project = std::make_unique<Project>(load_project(settings));
    } catch (const Error&) {
      return out;
    }
    std::vector<PreparedMigration> prepared;
    for (const auto& file : out.project->files) {
      try {
        prepared.push_back(prepare_migration(file));
      } catch (const Error&) {
        // migrate and lint report it
      }
    }
    out.sources.emplace(prepared);
    return out;
  }
};

class VerifyCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand("verify", "Check the live schema against checks/ and the built-in lints");
    sub->add_option("--format", format_, "human, json, junit or github")
        ->check(CLI::IsMember({"human", "json", "junit", "github"}));
    sub->add_flag("--scratch", scratch_,
                  "Verify a fresh database on the local cluster, migrated from zero, then drop it (needs no URL)");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const CheckSet checks = load_checks(settings.checks_dir);
    if (!scratch_) {
      auto target = connect_to_target(settings);
      const auto files = FileSources::read(settings);
      return verify(*target.db, target.description, checks, settings, files.sources);
    }
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    LocalCluster cluster(settings.local.data_dir, settings.local.pg_bin_dir);
    cluster.ensure_running();
    ScratchDatabase scratch(cluster, settings.timeouts.connect);
    auto db = Connection::open(cluster.conninfo(scratch.name()), settings.timeouts.connect);
    MigrateOptions options = migrate_options_for(settings, project);
    Migrator migrator(*db, HistoryTable(settings.history_table), options);
    auto prepared = migrator.prepare(files);
    MigrateObserver quiet;
    migrator.apply(prepared, quiet);
    std::fprintf(stderr, "Applied %zu migration(s) to scratch database %s\n", prepared.migrations.size(),
                 scratch.name().c_str());
    const auto sources = FileSources::read(settings);
    return verify(*db, "scratch database " + scratch.name() + " on the local cluster", checks, settings,
                  sources.sources);
  }

 private:
  int verify(Connection& db, const std::string& description, const CheckSet& checks, const Settings& settings,
             const std::optional<ObjectSources>& sources) const {
    const auto before = db.round_trips();
    const auto snapshot = read_catalog_snapshot(db, settings.verify_schemas, RecursionProbe::run);
    const auto expressions = normalise_expressions(db, expressions_to_normalise(checks, snapshot));
    const auto analyses = analyse_functions(snapshot);
    auto outcomes = evaluate_checks(checks, snapshot, expressions, analyses);
    auto probes = run_probes(db, checks.probes);
    outcomes.insert(outcomes.end(), probes.begin(), probes.end());
    auto lints = run_lints(snapshot, analyses, settings.lints, settings.verify_schemas);
    outcomes.insert(outcomes.end(), lints.begin(), lints.end());
    // A scratch database was just built from the files: it cannot have drifted from them.
    if (!scratch_) point_drift_findings_at_diff(outcomes);
    if (sources) attribute_outcomes(outcomes, *sources);

    const VerifySummary summary{description, db.round_trips() - before, checks.size()};
    std::string text;
    if (format_ == "json") text = render_json(outcomes, summary);
    else if (format_ == "junit") text = render_junit(outcomes, summary);
    else if (format_ == "github") text = render_github(outcomes, summary);
    else text = render_human(outcomes, summary, Style::for_stream(stdout).color());
    std::fputs(text.c_str(), stdout);
    return count_findings(outcomes, Severity::error) > 0 ? to_int(ExitCode::findings) : to_int(ExitCode::ok);
  }

  std::string format_ = "human";
  bool scratch_ = false;
};

}  // namespace

std::unique_ptr<Command> make_verify_command() { return std::make_unique<VerifyCommand>(); }

}  // namespace cora::cli
