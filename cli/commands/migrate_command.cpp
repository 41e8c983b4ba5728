// `cora-migrate migrate`: apply pending migrations in order, each exactly once.

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/old_spellings.hpp"
#include "cora/migrations/plan.hpp"
#include "commands/dry_run_sql.hpp"
#include "commands/failure_report.hpp"
#include "commands/json_document.hpp"
#include "commands/migrate_json.hpp"
#include "commands/migrate_lint.hpp"
#include "commands/module_skips.hpp"
#include "commands/project_options.hpp"
#include "cora/output/plural.hpp"
#include "cora/config/settings.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/db/supabase_history.hpp"
#include "cora/error.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

// Per-file lines on stdout; on a terminal, a progress line on stderr while a long run goes on.
class ConsoleObserver : public MigrateObserver {
 public:
  ConsoleObserver(bool verbose, bool quiet)
      : out_(Style::for_stream(stdout)), progress_(is_terminal(stderr) && !quiet), verbose_(verbose), quiet_(quiet) {}

  void starting(const MigrationFile& file, std::size_t index, std::size_t total) override {
    if (progress_ && total > 1) {
      std::fprintf(stderr, "\r\033[K[%zu/%zu] applying %s", index + 1, total, printable_text(file.file_name).c_str());
      std::fflush(stderr);
    }
  }
  void applied(const MigrationFile& file, bool reapplied, std::chrono::milliseconds elapsed) override {
    clear_progress();
    if (quiet_) return;
    std::fprintf(stdout, "%s %s (%lld ms)\n", out_.paint(reapplied ? "reapplied" : "applied", Tone::good).c_str(),
                 printable_text(display_name(file)).c_str(), static_cast<long long>(elapsed.count()));
  }
  void applied_by_other_run(const MigrationFile& file) override {
    clear_progress();
    if (quiet_) return;
    std::fprintf(stdout, "%s %s (applied meanwhile by another run)\n", out_.paint("skipped", Tone::dim).c_str(),
                 printable_text(file.file_name).c_str());
  }
  void notice(const MigrationFile& file, const std::string& message) override {
    if (!verbose_ && message.rfind("NOTICE", 0) == 0) return;
    clear_progress();
    // The server's text may quote a name with a line break in it: one line, always.
    std::fprintf(stderr, "%s: %s\n", printable_text(file.file_name).c_str(), printable_text(message).c_str());
  }
  void not_run(const MigrationFile& file) override {
    clear_progress();
    std::fprintf(stdout, "%s %s (an earlier migration failed)\n", out_.paint("not run", Tone::dim).c_str(),
                 printable_text(display_name(file)).c_str());
  }
  void clear_progress() {
    if (progress_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  Style out_;
  bool progress_;
  bool verbose_;
  bool quiet_;
};

void print_warnings(const std::vector<StatusEntry>& warnings) {
  const auto style = Style::for_stream(stderr);
  for (const auto& w : warnings) {
    if (w.state == MigrationState::missing) {
      std::fprintf(stderr, "%s version %lld (%s) is recorded as applied but no file has it\n",
                   style.paint("warning:", Tone::warn).c_str(), static_cast<long long>(w.version),
                   printable_text(w.name).c_str());
    } else if (w.out_of_order) {
      std::fprintf(stderr, "%s %s is older than migrations already applied; applying it anyway\n",
                   style.paint("warning:", Tone::warn).c_str(), printable_text(w.file->file_name).c_str());
    }
  }
}

void print_steps(const std::vector<PipelineStep>& steps) {
  for (const auto& step : steps) {
    std::string params;
    for (std::size_t i = 0; i < step.params.size(); ++i) {
      params += fmt::format("{}${}={}", i ? ", " : "", i + 1, step.params[i].value_or("NULL"));
    }
    if (!params.empty()) std::fprintf(stdout, "-- parameters: %s\n", sql_comment_text(params).c_str());
    std::fprintf(stdout, "%s;\n", step.sql.c_str());
  }
}

void print_dry_run(const Migrator& migrator, const PreparedPlan& prepared, const std::string& target) {
  std::fprintf(stdout, "-- cora-migrate migrate --dry-run: %s would be applied to %s\n",
               plural(prepared.migrations.size(), "migration").c_str(), sql_comment_text(target).c_str());
  if (prepared.history_needs_setup && !prepared.migrations.empty()) {
    std::fprintf(stdout, "\n-- the history table or its helper functions are missing: one transaction creates them\n");
    print_steps(migrator.history_setup_steps());
  }
  for (const auto& batch : migrator.batches(prepared)) {
    if (batch.count > 1) {
      std::fprintf(stdout,
                   "\n-- the next %zu files: one pipeline, one round trip; each its own transaction, each "
                   "running only if the one before it was applied\n",
                   batch.count);
    }
    for (std::size_t i = batch.first; i < batch.first + batch.count; ++i) {
      const auto& m = prepared.migrations[i];
      const bool tx = m.directives.transaction;
      std::fprintf(stdout, "\n-- %s%s (version %s, sha256 %s): %s\n", m.replaces_checksum ? "re-apply " : "",
                   sql_comment_text(display_name(*m.file)).c_str(), m.file->version_digits.c_str(),
                   m.file->checksum.c_str(),
                   !tx               ? "no transaction: each statement commits on its own"
                   : batch.count > 1 ? "one transaction"
                                     : "one transaction, sent in one round trip");
      for (const auto* included : m.records_included) {
        std::fprintf(stdout, "--   records %s as included in the module's snapshot (not run)\n",
                     sql_comment_text(display_name(*included)).c_str());
      }
      const PreparedMigration* after = i > batch.first ? &prepared.migrations[i - 1] : nullptr;
      print_steps(tx ? migrator.transactional_steps(m, after) : migrator.non_transactional_steps(m));
    }
  }
}

class MigrateCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand("migrate", "Apply pending migrations in order, each in its own transaction");
    sub->add_flag("--dry-run", dry_run_, "Print exactly what would run, and change nothing");
    sub->add_option("--format", format_,
                    "human, json (one document: each file's state, duration and error), github (human output, and "
                    "workflow annotations for lint warnings and a failure on stdout), or with --dry-run sql (a "
                    "script psql can run)")
        ->check(CLI::IsMember({"human", "json", "github", "sql"}));
    sub->add_option("--to", to_, fmt::format("Stop after this migration ({})", kSelectorForms));
    add_old_target_option(*sub, to_);
    sub->add_flag("-v,--verbose", verbose_,
                  "Also show the server's NOTICE messages; with --dry-run --format sql, every statement sent "
                  "(the history set-up, each file's session reset)");
    sub->add_option("--reapply", reapply_.selectors,
                    fmt::format("Run this changed migration ({}) again and record its new checksum (repeatable)",
                                kSelectorForms));
    sub->add_flag("--reapply-changed", reapply_.all_changed, "Run every changed migration again");
    sub->add_flag("--force", reapply_.force,
                  "With --reapply: run the named migration again even though it is unchanged (undoes drift, see diff)");
    sub->add_flag("--all-or-nothing", all_or_nothing_,
                  "Refuse to apply anything when a module cannot run here (an extension the server lacks or may "
                  "not create, a forward reference, a disabled dependency); by default those modules and their "
                  "dependants are skipped, the rest applied, and the run exits 19");
    sub->add_flag("--strict-lint", strict_lint_, "Refuse to apply anything while `lint` warns about a file to apply");
    sub->add_option("--pipeline", pipeline_,
                    "run: send every pending file in one pipeline (default); file: one round trip per file")
        ->check(CLI::IsMember({"run", "file"}));
    sub->add_flag("--allow-destructive", allow_destructive_,
                  "Re-run a file (a changed schema file, or one --reapply names) even when it drops a table, "
                  "truncates or deletes without WHERE");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    if (format_ != "github") return run_migrate(global);
    try {
      return run_migrate(global);
    } catch (...) {
      // The annotation lands on the failing file and line; main() still prints the error.
      std::fputs(github_failure(current_failure(), "migrate", global.target_label).c_str(), stdout);
      std::fflush(stdout);
      throw;
    }
  }

 private:
  int run_migrate(const GlobalOptions& global) {
    const auto settings = resolve_settings(global.settings, process_environment());
    if (format_ == "sql" && !dry_run_) {
      throw Error(ExitCode::usage, "--format sql goes with --dry-run",
                  "write: cora-migrate migrate --dry-run --format sql");
    }
    if (reapply_.force && reapply_.selectors.empty()) {
      throw Error(ExitCode::usage, "--force goes with --reapply MIGRATION",
                  "name the migration to run again: --reapply 7 --force");
    }
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    auto target = connect_to_target(settings);
    MigrateOptions options = migrate_options_for(settings, project);
    options.target = to_;
    options.reapply = reapply_;
    options.allow_destructive = allow_destructive_;
    if (pipeline_) options.pipeline.across_files = *pipeline_ == "run";
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    auto prepared = migrator.prepare(files);
    // Never run files over a history only the Supabase CLI knows: they would fail, or run twice.
    refuse_unadopted_supabase_history(prepared.supabase_history, prepared.history.empty(), settings.history_table);
    const auto annotate_for = format_ == "github" ? std::optional<std::string>(global.target_label) : std::nullopt;
    // Every problem is said before anything runs.
    const auto missing_extensions = find_missing_extensions(*target.db, prepared.migrations,
                                                            [&] { return is_supabase_target(settings, *target.db); });
    const auto lint_report = lint_plan(project, prepared, settings);
    std::vector<SkippedModule> skipped;
    // One migrations folder has no module to leave out: what cannot run refuses the run.
    if (all_or_nothing_ || !project.has_modules) {
      require_dependencies_installed(project, prepared.history);
      report_missing_extensions(project, missing_extensions);
      report_plan_lint(lint_report, {}, strict_lint_, annotate_for);
      if (!missing_extensions.empty()) throw missing_extensions_error(missing_extensions);
    } else {
      // What cannot run here is left out with its dependants, each said once; the rest runs.
      auto blocks = extension_blocks(missing_extensions);
      for (auto& b : forward_reference_blocks(project, lint_report)) blocks.push_back(std::move(b));
      for (auto& b : disabled_module_blocks(project, prepared.history)) blocks.push_back(std::move(b));
      skipped = modules_to_skip(project, blocks, prepared);
      std::set<std::string> skipped_names;
      for (const auto& s : skipped) skipped_names.insert(s.module);
      require_dependencies_installed(project, prepared.history, skipped_names);
      print_skipped_modules(skipped);
      const auto left_out_files = leave_out_skipped(prepared, skipped);
      report_plan_lint(lint_report, left_out_files, strict_lint_, annotate_for);
    }
    const auto finish = [&](int code) {
      if (skipped.empty() || code != to_int(ExitCode::ok)) return code;
      const auto error = modules_skipped_error(skipped, dry_run_);
      if (format_ != "json") throw error;
      // The document on stdout is the whole answer there: the error goes to stderr only.
      print_failure(error.what(), error.hint());
      return to_int(error.code());
    };
    if (dry_run_) {
      print_warnings(prepared.plan.warnings);
      if (format_ == "json")
        print_json_document(
            with_skipped(dry_run_document(prepared, target.description, target.db->round_trips()), skipped));
      else if (format_ == "sql")
        std::fputs(dry_run_script(migrator, prepared, target.description, verbose_).c_str(), stdout);
      else print_dry_run(migrator, prepared, target.description);
      return finish(to_int(ExitCode::ok));
    }
    if (prepared.migrations.empty()) {
      print_warnings(prepared.plan.warnings);
      if (format_ == "json") {
        print_json_document(
            with_skipped(MigrateRecorder().document(prepared, target.description, std::chrono::milliseconds(0),
                                                    std::nullopt, target.db->round_trips()),
                         skipped));
        return finish(to_int(ExitCode::ok));
      }
      if (settings.quiet) return finish(to_int(ExitCode::ok));
      std::fprintf(stdout, "Nothing to apply: %s is up to date (%s applied).\n", target.description.c_str(),
                   plural(prepared.history.size(), "migration").c_str());
      return finish(to_int(ExitCode::ok));
    }
    if (!settings.quiet) {
      std::fprintf(stderr, "Applying %s to %s\n", plural(prepared.migrations.size(), "migration").c_str(),
                   target.description.c_str());
    }
    print_warnings(prepared.plan.warnings);
    if (format_ == "json")
      return finish(apply_for_machines(migrator, prepared, target.description, *target.db, skipped));
    ConsoleObserver observer(verbose_, settings.quiet);
    const auto started = std::chrono::steady_clock::now();
    MigrateResult result;
    try {
      result = migrator.apply(prepared, observer);
    } catch (...) {
      observer.clear_progress();
      throw;
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!settings.quiet) {
      std::fprintf(stdout, "%s applied in %lld ms.\n", plural(result.applied.size(), "migration").c_str(),
                   static_cast<long long>(elapsed.count()));
    }
    return finish(to_int(ExitCode::ok));
  }

  // The run's document on stdout whatever happens; a failure also on stderr, with its exit code.
  static int apply_for_machines(Migrator& migrator, PreparedPlan& prepared, const std::string& database,
                                const Connection& db, const std::vector<SkippedModule>& skipped) {
    MigrateRecorder recorder;
    std::optional<FailureReport> failure;
    const auto started = std::chrono::steady_clock::now();
    try {
      migrator.apply(prepared, recorder);
    } catch (...) {
      failure = current_failure();
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    print_json_document(
        with_skipped(recorder.document(prepared, database, elapsed, failure, db.round_trips()), skipped));
    if (!failure) return to_int(ExitCode::ok);
    print_failure(*failure);
    return to_int(failure->code);
  }

  bool dry_run_ = false;
  std::string format_ = "human";
  bool verbose_ = false;
  bool strict_lint_ = false;
  bool all_or_nothing_ = false;
  bool allow_destructive_ = false;
  std::optional<std::string> to_;  // a migration: files after it wait
  std::optional<std::string> pipeline_;
  ReapplySelection reapply_;
};

}  // namespace

std::unique_ptr<Command> make_migrate_command() { return std::make_unique<MigrateCommand>(); }

}  // namespace cora::cli
