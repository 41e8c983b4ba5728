// `cora-migrate rollback --to VERSION`: undo the applied migrations after VERSION, newest first,
// each with its down file (NNN-name.down.sql) or with SQL computed from the files and proven on a
// copy; the plan is shown first and runs only with --yes.

#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/project_options.hpp"
#include "cora/config/settings.hpp"
#include "cora/db/history_table.hpp"
#include "cora/diff/undo_sql.hpp"
#include "cora/error.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/migrate/rollback_runner.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/migrations/rollback_plan.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/plural.hpp"
#include "cora/output/terminal.hpp"
#include "cora/sql/script.hpp"

namespace cora::cli {

namespace {

using FileKey = std::tuple<std::string, std::int64_t, std::string>;  // module, version, name

FileKey key_of(const MigrationFile& f) { return {f.module, f.version, f.name}; }

// The module a rollback is about: "" without modules, else the one --module names.
std::string module_to_roll_back(const Settings& settings, const Project& project) {
  if (!project.has_modules) return "";
  if (settings.only_modules.size() != 1) {
    throw Error(ExitCode::usage,
                settings.only_modules.empty()
                    ? "rollback: this project has modules: name the one to roll back with --module NAME"
                    : "rollback: one module at a time: --module names several",
                "a module's versions are its own: cora-migrate --module NAME rollback --to VERSION");
  }
  return settings.only_modules.front();
}

// Everything rollback knows before it runs: the steps, newest first, and what the computed ones
// were checked against.
struct RollbackPlanView {
  std::vector<RollbackStep> steps;
  std::vector<std::string> computed_from;  // per step: "" or the file the computed SQL goes back to
};

class RollbackCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "rollback",
        "Undo the applied migrations after VERSION, newest first: each with its NNN-name.down.sql, or with SQL "
        "computed from the files (checked on a copy first); shows the plan, runs it with --yes");
    sub->add_option("--to", to_,
                    fmt::format("The migration to go back to ({}; 0: undo every one); with modules, of the module "
                                "--module names",
                                kSelectorForms))
        ->required();
    sub->add_flag("--yes", yes_, "Run the plan (without it, or with --dry-run, nothing runs)");
    sub->add_flag("--dry-run", dry_run_, "Print the plan and the SQL it would run, and change nothing");
    sub->add_flag("--allow-destructive", allow_destructive_,
                  "Run steps that destroy data (DROP TABLE, DROP COLUMN, a column's type change, TRUNCATE, ...)");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    const std::string module = module_to_roll_back(settings, project);
    // The computed SQL builds what every enabled module's files create, in order: the project
    // read again without --module (which keeps the other modules' files out).
    std::optional<Project> whole;
    if (project.has_modules) {
      Settings all = settings;
      all.only_modules.clear();
      whole = load_ordered_project(all);
    }
    const auto& all_files = whole ? whole->files : project.files;

    auto target = connect_to_target(settings);
    const HistoryTable history(settings.history_table);
    const auto state = history.read(*target.db);
    std::vector<HistoryRecord> records;
    for (const auto& r : state.records.value_or(std::vector<HistoryRecord>{})) {
      if (r.module == module) records.push_back(r);
    }
    const auto status = compute_status(project.files, records);
    const auto undo = select_rollback(status, project.files, to_);
    const std::string back_to = going_back_to(project.files);
    if (undo.empty()) {
      std::fprintf(stdout, "Nothing to roll back: no migration after %s is applied to %s.\n", back_to.c_str(),
                   target.description.c_str());
      return to_int(ExitCode::ok);
    }
    auto plan = make_steps(undo, status, all_files, settings);
    print_plan(plan, target.description, back_to, undo.size());
    if (dry_run_) return to_int(ExitCode::ok);
    refuse_what_cannot_run(plan);
    if (!yes_) {
      throw Error(ExitCode::usage, "rollback: nothing was run: the plan above runs with --yes",
                  fmt::format("review it, then: cora-migrate {}rollback --to {} --yes (--dry-run only shows it)",
                              module.empty() ? "" : "--module " + module + " ", to_));
    }
    for (const auto& step : plan.steps) {
      if (!step.prepared.directives.transaction && target.db->server_session_is_lent(settings.timeouts.connect)) {
        throw Error(ExitCode::config,
                    fmt::format("{}: runs outside a transaction, which needs one server session, and this connection "
                                "goes through a transaction pooler; nothing was undone",
                                step.source->path.string()),
                    "use the direct connection to PostgreSQL (port 5432) instead of the pooler");
      }
    }
    std::size_t done = 0;
    run_rollback(*target.db, history, plan.steps, {settings.timeouts, client_identity()}, !state.helpers_installed,
                 [&](const RollbackStep& step) {
                   for (const auto* file : step.undoes) {
                     ++done;
                     if (!settings.quiet) {
                       std::fprintf(stdout, "%s %s\n",
                                    Style::for_stream(stdout).paint("rolled back", Tone::good).c_str(),
                                    printable_text(display_name(*file)).c_str());
                     }
                   }
                 });
    if (!settings.quiet) {
      std::fprintf(stdout,
                   "%s rolled back: `cora-migrate status` shows %s pending, `cora-migrate migrate` applies %s "
                   "again.\n",
                   plural(done, "migration").c_str(), done == 1 ? "it" : "them", done == 1 ? "it" : "them");
    }
    return to_int(ExitCode::ok);
  }

 private:
  std::string going_back_to(const std::vector<MigrationFile>& files) const {
    if (!to_.empty() && to_.find_first_not_of('0') == std::string::npos) return "the first migration (--to 0)";
    return display_name(find_migration(files, to_, "--to"));
  }

  // Newest first: a file with a down file is a step of its own; files next to each other without
  // one share one computed step (two builds of the files, whatever their number).
  RollbackPlanView make_steps(const std::vector<const StatusEntry*>& undo, const std::vector<StatusEntry>& status,
                              const std::vector<MigrationFile>& all_files, const Settings& settings) const {
    std::map<FileKey, std::size_t> position;  // the module's files in the order status gives them
    std::map<FileKey, MigrationState> states;
    for (std::size_t i = 0; i < status.size(); ++i) {
      if (!status[i].file) continue;
      position[key_of(*status[i].file)] = i;
      states[key_of(*status[i].file)] = status[i].state;
    }
    RollbackPlanView plan;
    std::optional<LocalCluster> cluster;
    for (std::size_t i = 0; i < undo.size();) {
      RollbackStep step;
      const MigrationFile& newest = *undo[i]->file;
      if (!newest.down_path.empty()) {
        step.undoes = {&newest};
        step.source = std::make_unique<MigrationFile>(read_down_file(newest));
        ++i;
        plan.computed_from.emplace_back();
      } else {
        std::size_t last = i;
        while (last < undo.size() && undo[last]->file->down_path.empty()) step.undoes.push_back(undo[last++]->file);
        const MigrationFile& oldest = *step.undoes.back();
        // The module's files as far as `limit` (applied ones only), with every other module's.
        auto files_up_to = [&](std::size_t limit, bool inclusive) {
          std::vector<const MigrationFile*> out;
          for (const auto& f : all_files) {
            const auto it = position.find(key_of(f));
            if (it == position.end()) {
              out.push_back(&f);
              continue;
            }
            const bool in_range = inclusive ? it->second <= limit : it->second < limit;
            if (in_range && states.at(key_of(f)) != MigrationState::pending) out.push_back(&f);
          }
          return out;
        };
        if (!cluster) cluster.emplace(settings.local.data_dir, settings.local.pg_bin_dir);
        const DriftOptions options{settings.verify_schemas, settings.diff_ignore, settings.history_table,
                                   settings.timeouts,       settings.target_kind, false};
        const auto computed = compute_undo_sql(*cluster, files_up_to(position.at(key_of(newest)), true),
                                               files_up_to(position.at(key_of(oldest)), false), options);
        step.computed = true;
        step.source = std::make_unique<MigrationFile>();
        step.source->version = newest.version;
        step.source->name = newest.name;
        step.source->module = newest.module;
        step.source->file_name = newest.file_name;
        step.source->path = newest.path.string() + " (computed undo)";
        step.source->content = computed.sql();
        plan.computed_from.push_back(computed.proof.proven ? "" : computed.proof.failure);
        if (computed.proof.proven) plan.computed_from.back() = "proven";
        i = last;
      }
      // Computed SQL may hold no statement (the files' schemas are the same, or only a comment on
      // what to do by hand): nothing to run, which a migration file would be refused for.
      if (step.computed && parse_sql_script(step.source->content).statements.empty()) {
        step.prepared.file = step.source.get();
      } else {
        step.prepared = prepare_migration(*step.source);
      }
      step.destructive = data_destroying_statements(step.source->content);
      plan.steps.push_back(std::move(step));
    }
    return plan;
  }

  void print_plan(const RollbackPlanView& plan, const std::string& database, const std::string& back_to,
                  std::size_t count) const {
    std::string out = fmt::format("Rollback of {} to {}: {} to undo, newest first{}\n", database, back_to,
                                  plural(count, "migration"), dry_run_ ? " (--dry-run: nothing runs)" : "");
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      const auto& step = plan.steps[i];
      std::string names;
      for (const auto* f : step.undoes) names += (names.empty() ? "" : ", ") + display_name(*f);
      const char* how = !step.prepared.directives.transaction ? "outside a transaction (transaction=false)"
                                                              : "in the rollback's transaction";
      if (!step.computed) {
        out += fmt::format("  {}: with its down file {}, {}\n", names, step.source->file_name, how);
      } else {
        const auto& proof = plan.computed_from[i];
        out += fmt::format("  {}: with SQL computed from what the files before {} create, {}\n", names,
                           display_name(*step.undoes.back()), how);
        out += proof == "proven"
                   ? "    checked: run on a copy of what the files create now (the embedded cluster), it leaves "
                     "exactly what the files before it create\n"
                   : fmt::format(
                         "    NOT proven: on a copy of what the files create now {}: not run (write a down "
                         "file, {})\n",
                         proof, down_file_name(*step.undoes.front()));
      }
      for (const auto& d : step.destructive) {
        out += fmt::format("    destroys data: {}{}\n", d.text(),
                           allow_destructive_ ? "" : " (needs --allow-destructive)");
      }
    }
    for (const auto& step : plan.steps) {
      out += fmt::format("\n-- {}{}\n", step.computed ? "computed undo of " : "",
                         sql_comment_text(step.source->file_name));
      out += step.source->content;
      if (!step.source->content.empty() && step.source->content.back() != '\n') out += "\n";
      if (step.source->content.empty()) out += "-- nothing to run: the files' schema is the same without it\n";
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }

  static std::string down_file_name(const MigrationFile& file) {
    return file.file_name.substr(0, file.file_name.size() - 4) + kDownFileSuffix;
  }

  // What the plan cannot run as it stands; nothing is sent.
  void refuse_what_cannot_run(const RollbackPlanView& plan) const {
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      const auto& step = plan.steps[i];
      if (step.computed && plan.computed_from[i] != "proven") {
        throw Error(ExitCode::history_conflict,
                    fmt::format("rollback: the SQL computed to undo {} is not proven: on a copy of what the files "
                                "create now {}; nothing was undone",
                                display_name(*step.undoes.front()), plan.computed_from[i]),
                    fmt::format("write what undoes it in {} beside it", down_file_name(*step.undoes.front())));
      }
    }
    if (allow_destructive_) return;
    for (const auto& step : plan.steps) {
      if (step.destructive.empty()) continue;
      const auto& d = step.destructive.front();
      throw Error(ExitCode::history_conflict,
                  fmt::format("{}: undoing {} would destroy data; nothing was undone", d.action,
                              display_name(*step.undoes.front())),
                  "check the plan above, then add --allow-destructive to run it")
          .at({step.source->path.string(), d.line});
    }
  }

  std::string to_;
  bool yes_ = false;
  bool dry_run_ = false;
  bool allow_destructive_ = false;
};

}  // namespace

std::unique_ptr<Command> make_rollback_command() { return std::make_unique<RollbackCommand>(); }

}  // namespace cora::cli
