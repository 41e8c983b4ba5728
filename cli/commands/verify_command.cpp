// `cora-migrate verify`: declarative checks from checks/ and built-in lints against the live
// schema; with --scratch, against a fresh database migrated from zero on the local cluster.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>

#include "commands/app_checks.hpp"
#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/module_checks.hpp"
#include "commands/project_options.hpp"
#include "cora/output/plural.hpp"
#include "cora/db/history_table.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/diff/object_sources.hpp"
#include "cora/error.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/output/terminal.hpp"
#include "cora/checks/check_loader.hpp"
#include "cora/verify/drift_pointer.hpp"
#include "cora/verify/finding_sources.hpp"
#include "cora/verify/verify_schema.hpp"
#include "cora/verify/report.hpp"
#include "cora/verify/rerun_proof.hpp"

namespace cora::cli {

namespace {

// A database created for one verify --scratch run and dropped afterwards, whatever happens.
class ScratchDatabase {
 public:
  ScratchDatabase(const LocalCluster& cluster, std::chrono::milliseconds connect_timeout)
      : cluster_(cluster),
        timeout_(connect_timeout),
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

// Checks passing on a database that lacks migrations say little about what migrate will leave:
// said first, on stderr. A folder of checks without migration files has nothing to compare.
// `loaded`: the project as verify already read it, or null when it could not be read (then read
// here, so that its error is said).
void warn_when_not_migrated(const HistoryState& history, const Settings& settings, const std::string& description,
                            const Project* loaded) {
  std::error_code ec;
  if (!settings.modules && !std::filesystem::is_directory(settings.migrations_dir, ec)) return;
  std::optional<Project> read_here;
  if (!loaded) read_here = load_project_for_command(settings);
  const Project& project = loaded ? *loaded : *read_here;
  const auto scope = migrate_options_for(settings, project).modules;
  const auto records = records_in_scope(project.files, history.records.value_or(std::vector<HistoryRecord>{}), scope);
  std::size_t not_applied = 0;
  const StatusEntry* first = nullptr;
  const auto status = compute_status(project.files, records);  // `first` points into it
  for (const auto& e : status) {
    if (e.state == MigrationState::applied || e.state == MigrationState::missing) continue;
    ++not_applied;
    if (!first) first = &e;
  }
  if (not_applied == 0) return;
  const auto style = Style::for_stream(stderr);
  std::fprintf(stderr,
               "%s %zu migration%s not applied to %s (first: %s, %s): verify checks the schema as it is; run "
               "`cora-migrate migrate` first\n",
               style.paint("warning:", Tone::warn).c_str(), not_applied, not_applied == 1 ? " is" : "s are",
               description.c_str(), display_name(*first->file).c_str(), to_string(first->state));
}

// Where each object came from in the migration files, for the findings to cite. The files are
// read offline; verify works without them (a database checked from elsewhere), so a project that
// cannot be read, or a file that does not parse, only leaves its objects uncited.
struct FileSources {
  std::unique_ptr<Project> project;  // what `sources` points into
  std::optional<ObjectSources> sources;
  std::vector<PreparedMigration> prepared;  // what `sources` was read from
  SourceFiles files;                        // for the next steps: the files' states and later changes

  // `loaded`: the project when the command has read it already (its warnings said once).
  static FileSources read(const Settings& settings, std::optional<Project> loaded = std::nullopt) {
    FileSources out;
    try {
      out.project = std::make_unique<Project>(loaded ? std::move(*loaded) : load_ordered_project(settings));
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
    out.prepared = std::move(prepared);
    out.files.files = &out.project->files;
    out.files.touched = touched_objects(prepared);
    out.files.has_modules = out.project->has_modules;
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
    sub->add_flag("--rerun", rerun_,
                  "With --scratch: then run each re-runnable file a second time and report what that breaks");
    sub->add_option("--rerun-only", rerun_only_,
                    fmt::format("With --scratch: run only this file a second time ({}; repeatable)", kSelectorForms));
    return sub;
  }

  int run(const GlobalOptions& global) override {
    if (scratch_ && global.settings.database_url) {
      throw Error(ExitCode::usage, "--scratch and --database-url together",
                  "--scratch builds its own database on the embedded PostgreSQL; drop one of them");
    }
    const auto settings = resolve_settings(global.settings, process_environment());
    const CheckSet checks = load_checks_for_command(settings);
    const bool rerun = rerun_ || !rerun_only_.empty();
    if (rerun && !scratch_) {
      throw Error(ExitCode::usage, "--rerun runs migration files a second time: only on a scratch database",
                  "add --scratch: cora-migrate verify --scratch --rerun");
    }
    if (!scratch_) {
      // A project with modules: its files say which module creates what, and lint across them.
      // Read once, its notes and warnings said once: for the module lints, for the findings'
      // sources, and for the warning about migrations not applied.
      std::optional<Project> project;
      std::error_code ec;
      if (settings.modules || std::filesystem::is_directory(settings.migrations_dir, ec)) {
        project = load_project_for_command(settings);
      }
      auto target = connect_to_target(settings);
      const auto sources = FileSources::read(settings, std::move(project));
      const Project* read = sources.project.get();
      const auto before = target.db->round_trips();
      const HistoryTable history(settings.history_table);
      const auto outcomes = collect(*target.db, checks, settings, settings.modules ? read : nullptr, sources, &history,
                                    [&](const HistoryState& state) {
                                      warn_when_not_migrated(state, settings, target.description, read);
                                    });
      return report(outcomes,
                    {target.description, target.db->round_trips() - before, checks.size(), global.target_label});
    }
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    refuse_cluster_outside_project(settings);
    const auto reruns = rerun ? rerunnable_files(files, project.has_modules, rerun_only_) : RerunSelection{};
    LocalCluster cluster(settings.local.data_dir, settings.local.pg_bin_dir);
    cluster.ensure_running();
    ScratchDatabase scratch(cluster, settings.timeouts.connect);
    auto db = Connection::open(cluster.conninfo(scratch.name()), settings.timeouts.connect);
    MigrateOptions options = migrate_options_for(settings, project);
    Migrator migrator(*db, HistoryTable(settings.history_table), options);
    auto prepared = migrator.prepare(files);
    MigrateObserver quiet;
    migrator.apply(prepared, quiet);
    if (!settings.quiet) {
      std::fprintf(stderr, "Applied %s to scratch database %s\n",
                   plural(prepared.migrations.size(), "migration").c_str(), scratch.name().c_str());
    }
    const auto before = db->round_trips();
    const auto sources = FileSources::read(settings, project);
    const HistoryTable history(settings.history_table);
    auto outcomes = collect(*db, checks, settings, &project, sources, project.has_modules ? &history : nullptr);
    const VerifySummary summary{"scratch database " + scratch.name() + " on the local cluster",
                                db->round_trips() - before, checks.size(), global.target_label};
    if (rerun) {
      db.reset();  // the proof copies the database: no session may stay open on it
      const auto proof = prove_reruns(cluster, scratch.name(), files, reruns,
                                      {settings.verify_schemas, settings.history_table, options});
      std::fprintf(stderr, "Ran %s a second time, each on a copy of %s\n", plural(proof.files, "file").c_str(),
                   scratch.name().c_str());
      if (!reruns.skipped.empty()) {
        std::string names;
        for (const auto& skipped : reruns.skipped) names += (names.empty() ? "" : ", ") + skipped.first->file_name;
        std::fprintf(stderr, "Not run again, since a later file changes what they define: %s (--rerun-only runs one)\n",
                     names.c_str());
      }
      outcomes.insert(outcomes.end(), proof.outcomes.begin(), proof.outcomes.end());
    }
    return report(outcomes, summary);
  }

 private:
  // Two round trips: the catalog (with `history`, if given), then the expressions and probes; the
  // rest is pure. `on_history` sees the history as soon as it is read.
  std::vector<CheckOutcome> collect(Connection& db, const CheckSet& checks, const Settings& settings,
                                    const Project* project, const FileSources& sources, const HistoryTable* history,
                                    const std::function<void(const HistoryState&)>& on_history = {}) const {
    const auto facts =
        read_schema_facts(db, checks, settings.verify_schemas, RecursionProbe::run, RunProbes::yes, history);
    if (facts.history && on_history) on_history(*facts.history);
    const auto origins = project && facts.history ? module_origins(*facts.history, *project) : std::nullopt;
    const LintSelection lints{settings.lints, settings.verify_schemas, origins ? &*origins : nullptr,
                              settings.target_kind};
    if (const auto note = supabase_rules_skipped_note(lints, facts.catalog); !note.empty() && !settings.quiet) {
      std::fprintf(stderr, "note: %s\n", note.c_str());
    }
    auto outcomes = verify_schema(checks, &lints, facts);
    if (project) {
      auto module_lints = module_dependency_outcomes(settings, *project);
      outcomes.insert(outcomes.end(), module_lints.begin(), module_lints.end());
    }
    // The backend's calls, against this database (docs/app-calls.md).
    auto app_outcomes = app_call_outcomes(db, settings, sources.project.get());
    // Without a history read (a scratch database without modules) every file has just run; with
    // no history table yet, none has.
    static const std::vector<HistoryRecord> none;
    const auto* records = !facts.history ? nullptr : facts.history->records ? &*facts.history->records : &none;
    if (sources.sources) {
      // A delta recorded `included` never ran here: what it defines is not what the database has.
      std::set<const MigrationFile*> never_ran;
      if (records && sources.files.files) {
        for (const auto& entry : compute_status(*sources.files.files, *records)) {
          if (entry.file && entry.record && entry.record->action == "included") never_ran.insert(entry.file);
        }
      }
      if (never_ran.empty()) {
        attribute_outcomes(outcomes, *sources.sources, &sources.files, records);
      } else {
        SourceFiles ran = sources.files;
        for (const auto* file : never_ran) ran.touched.erase(file);  // nor does running a file again undo it
        attribute_outcomes(outcomes, ObjectSources(sources.prepared, never_ran), &ran, records);
      }
    }
    // A scratch database was just built from the files: it cannot have drifted from them. After
    // the sources: an object no file creates is not drift from the files.
    if (!scratch_) point_drift_findings_at_diff(outcomes);
    outcomes.insert(outcomes.end(), app_outcomes.begin(), app_outcomes.end());
    return outcomes;
  }

  int report(const std::vector<CheckOutcome>& outcomes, const VerifySummary& summary) const {
    std::string text;
    if (format_ == "json") text = render_json(outcomes, summary);
    // One of several targets: the runner puts every target's suite in one document.
    else if (format_ == "junit")
      text = summary.target.empty() ? render_junit(outcomes, summary) : render_junit_suite(outcomes, summary);
    else if (format_ == "github") text = render_github(outcomes, summary);
    else text = render_human(outcomes, summary, Style::for_stream(stdout));
    std::fputs(text.c_str(), stdout);
    return count_findings(outcomes, Severity::error) > 0 ? to_int(ExitCode::findings) : to_int(ExitCode::ok);
  }

  std::string format_ = "human";
  bool scratch_ = false;
  bool rerun_ = false;
  std::vector<std::string> rerun_only_;
};

}  // namespace

std::unique_ptr<Command> make_verify_command() { return std::make_unique<VerifyCommand>(); }

}  // namespace cora::cli
