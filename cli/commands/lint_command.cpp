// `cora-migrate lint`: every migration file checked offline, with no database: syntax errors with
// file, line and column, and warnings for statements that are dangerous on a live database.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/migrate_lint.hpp"
#include "commands/project_options.hpp"
#include "cora/app/app_lint.hpp"
#include "cora/output/plural.hpp"
#include "cora/error.hpp"
#include "cora/lint/forward_reference_rule.hpp"
#include "cora/lint/lint.hpp"
#include "cora/lint/machine_report.hpp"
#include "cora/lint/report.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

// The config file may name the database as "${SUPABASE_DB_URL}"; lint never connects, so a
// variable that is unset (as in a CI job without secrets) must not stop it.
EnvLookup lint_environment() {
  return [env = process_environment()](const std::string& name) -> std::optional<std::string> {
    return env(name).value_or(std::string());
  };
}

// The files the prepared plan applies, to check, and the applied ones, for what they create; with
// modules, every other file too (read last, for what it creates: the other rules never see them).
std::vector<lint::LintInput> plan_lint_inputs(const Project& project, const PreparedPlan& prepared) {
  std::vector<lint::LintInput> inputs;
  std::vector<lint::LintInput> others;
  for (const auto& file : project.files) {
    const bool to_apply = std::any_of(prepared.migrations.begin(), prepared.migrations.end(),
                                      [&](const PreparedMigration& m) { return m.file == &file; });
    const bool applied = std::any_of(prepared.status.begin(), prepared.status.end(), [&](const StatusEntry& e) {
      return e.file == &file && e.state == MigrationState::applied;
    });
    const bool changed = std::any_of(prepared.status.begin(), prepared.status.end(), [&](const StatusEntry& e) {
      return e.file == &file && e.state == MigrationState::changed;
    });
    if (to_apply) inputs.push_back({&file, lint::FileRole::check, applied || changed});  // applied before: a re-run
    else if (applied) inputs.push_back({&file, lint::FileRole::context});
    else if (project.has_modules) others.push_back({&file, lint::FileRole::context});
  }
  if (project.has_modules) {
    for (const auto& file : project.reference_files) others.push_back({&file, lint::FileRole::context});
    inputs.insert(inputs.end(), others.begin(), others.end());
  }
  return inputs;
}

class LintCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub =
        app.add_subcommand("lint", "Check the migration files offline for syntax errors and dangerous patterns");
    sub->add_option("--format", format_, "human, json, github (workflow annotations) or sarif (code scanning)")
        ->check(CLI::IsMember({"human", "json", "github", "sarif"}));
    sub->add_flag("--pending", pending_,
                  "Only the files the next migrate would apply (reads the database's history; the applied files give "
                  "context)");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, pending_ ? process_environment() : lint_environment());
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    std::vector<lint::LintInput> inputs;
    lint::LintOptions options;
    std::optional<std::string> database;
    if (pending_) {
      auto target = connect_to_target(settings);
      Migrator migrator(*target.db, HistoryTable(settings.history_table), migrate_options_for(settings, project));
      const auto prepared = migrator.prepare(files);
      inputs = plan_lint_inputs(project, prepared);
      options.checked_files_run_together = true;
      database = target.description;
      if (!settings.quiet) {
        std::fprintf(stderr, "Linting the %s the next migrate would apply to %s\n",
                     plural(prepared.migrations.size(), "file").c_str(), target.description.c_str());
      }
    } else {
      inputs.reserve(files.size());
      for (const auto& file : files) inputs.push_back({&file, lint::FileRole::check});
      // Modules that do not run are read for what they create (undeclared_module_dependency).
      for (const auto& file : project.reference_files) inputs.push_back({&file, lint::FileRole::context});
    }
    configure_module_lint(options, settings, project);
    options.default_lock_timeout = settings.timeouts.lock_timeout;
    options.levels = settings.lints;
    options.supabase_rules = settings.target_kind != TargetKind::postgres;
    auto report = lint::lint_migrations(inputs, options);
    // The backend's calls, against what the files leave (docs/app-calls.md).
    if (const auto app = app::lint_app_calls(settings.app, app_module_roots(project), project_files(project))) {
      app::add_app_findings(report, *app, settings.lints);
    }
    std::fputs(render(report, database).c_str(), stdout);
    if (report.count(lint::Severity::error) > 0) return to_int(ExitCode::migration_files);
    if (report.count(lint::Severity::warning) > 0) return to_int(ExitCode::lint_warnings);
    return to_int(ExitCode::ok);
  }

 private:
  std::string render(const lint::LintReport& report, const std::optional<std::string>& database) const {
    if (format_ == "json") return lint::json_report(report, database);
    if (format_ == "github") return lint::github_report(report);
    if (format_ == "sarif") return lint::sarif_report(report);
    return lint::human_report(report, Style::for_stream(stdout));
  }

  std::string format_ = "human";
  bool pending_ = false;
};

}  // namespace

void lint_before_migrate(const Project& project, const PreparedPlan& prepared, const Settings& settings, bool strict,
                         const std::optional<std::string>& annotate_for) {
  if (prepared.migrations.empty()) return;
  const auto inputs = plan_lint_inputs(project, prepared);
  lint::LintOptions options;
  configure_module_lint(options, settings, project);
  options.checked_files_run_together = true;
  options.validate = false;  // Migrator::prepare has checked them
  options.default_lock_timeout = settings.timeouts.lock_timeout;
  options.levels = settings.lints;
  options.supabase_rules = settings.target_kind != TargetKind::postgres;
  const auto report = lint::lint_migrations(inputs, options);

  // A file migrate cannot run stops it; a rule's finding, even one graded error, is printed and
  // counts for --strict-lint: the rules judge from the files alone and may not know the database.
  const lint::Finding* first_error = nullptr;
  std::size_t errors = 0;
  std::size_t rule_findings = 0;
  const auto style = Style::for_stream(stderr);
  for (const auto& finding : report.findings) {
    if (!lint::is_offline_rule(finding.rule)) {
      ++errors;
      if (!first_error) first_error = &finding;
      continue;
    }
    // A forward reference among the files to apply fails for certain: stop before the first one.
    if (finding.rule == lint::kForwardReferenceRule && finding.severity == lint::Severity::error) {
      ++errors;
      if (!first_error) {
        first_error = &finding;
        continue;  // the error below says it
      }
    }
    ++rule_findings;
    std::fprintf(stderr, "%s\n", lint::format_finding(finding, style).c_str());
    if (annotate_for) std::fputs(lint::github_annotation(finding, *annotate_for).c_str(), stdout);
  }
  // Out before anything is applied: a run killed while it applies still leaves them in the job.
  if (annotate_for) std::fflush(stdout);
  if (first_error) {
    throw Error(ExitCode::migration_files,
                fmt::format("{}{}", first_error->message,
                            errors > 1 ? fmt::format(" (and {} more; see `cora-migrate lint`)", errors - 1) : ""),
                first_error->hint + "; nothing was applied")
        .at({first_error->file, first_error->line, first_error->column, ""});
  }
  if (strict && rule_findings > 0) {
    const auto warnings = report.count(lint::Severity::warning);
    const char* noun = warnings == rule_findings ? "warning" : warnings == 0 ? "error" : "finding";
    throw Error(ExitCode::lint_warnings,
                fmt::format("{} lint {}{} in the migrations to apply (--strict-lint); nothing was applied",
                            rule_findings, noun, rule_findings == 1 ? "" : "s"),
                "fix them, or silence each with a reason: -- cora-migrate: ignore=RULE reason=\"...\"");
  }
}

std::unique_ptr<Command> make_lint_command() { return std::make_unique<LintCommand>(); }

}  // namespace cora::cli
