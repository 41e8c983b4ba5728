// Commands that write history without running migrations: `baseline`, `adopt` and `repair`,
// for databases the tool did not build.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "commands/accept_checksum.hpp"
#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/drift_check.hpp"
#include "commands/failure_report.hpp"
#include "commands/json_document.hpp"
#include "commands/old_spellings.hpp"
#include "commands/project_on_database.hpp"
#include "commands/project_options.hpp"
#include "cora/output/plural.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/db/supabase_history.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/migrations/supabase_import.hpp"
#include "cora/error.hpp"
#include "cora/output/terminal.hpp"
#include "cora/verify/adoption.hpp"
#include "cora/verify/adoption_effects.hpp"
#include "cora/checks/check_loader.hpp"
#include "cora/verify/verify_schema.hpp"

namespace cora::cli {

namespace {

// `file` recorded with `action`, and the deltas its module's snapshot includes, as included.
void add_with_included(const PreparedMigration& m, const char* action, std::vector<RecordWithoutRunning>& out) {
  out.push_back({m.file, action});
  for (const auto* included : m.records_included) out.push_back({included, "included"});
}

void add_format_option(CLI::App& sub, std::string& format) {
  sub.add_option("--format", format, "human or json")->check(CLI::IsMember({"human", "json"}));
}

// The files recorded without running, each with the action recorded ("baseline", "adopt",
// "included", "import").
nlohmann::json recorded_json(const std::vector<RecordWithoutRunning>& recorded) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [file, action] : recorded) {
    auto entry = migration_file_json(*file);
    entry["action"] = action;
    out.push_back(std::move(entry));
  }
  return out;
}

class BaselineCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand("baseline",
                                   "Record every pending migration up to the one named as applied, without running it");
    sub->add_option("migration", version_,
                    fmt::format("The last migration the database already has ({})", kSelectorForms))
        ->required();
    add_format_option(*sub, format_);
    return sub;
  }

  int run(const GlobalOptions& global) override {
    auto [settings, project, target] = open_project_on_database(global);
    const auto& files = project.files;
    auto options = migrate_options_for(settings, project);
    options.target = version_;
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    const auto prepared = migrator.prepare(files);
    std::vector<RecordWithoutRunning> chosen;
    for (const auto& m : prepared.migrations) add_with_included(m, "baseline", chosen);
    migrator.record_without_running(chosen, prepared.history_needs_setup);
    if (format_ == "json") {
      auto doc = command_document("baseline", target.description);
      doc["migrations"] = recorded_json(chosen);
      doc["summary"] = {{"recorded", chosen.size()}};
      print_json_document(doc);
      return to_int(ExitCode::ok);
    }
    const auto style = Style::for_stream(stdout);
    for (const auto& [file, action] : chosen) {
      std::fprintf(stdout, "%s %s (not run)\n",
                   style.paint(std::string(action) == "included" ? "included" : "baselined", Tone::good).c_str(),
                   display_name(*file).c_str());
    }
    std::fprintf(stdout, "%s recorded as applied in %s.\n", plural(chosen.size(), "migration").c_str(),
                 target.description.c_str());
    return to_int(ExitCode::ok);
  }

 private:
  std::string version_;
  std::string format_ = "human";
};

class AdoptCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand(
        "adopt",
        "Record pending migrations as applied when the live schema shows they were (objects exist, checks pass)");
    add_old_target_option(*sub, to_);
    sub->add_option("--to", to_, fmt::format("Consider migrations up to this one only ({})", kSelectorForms));
    sub->add_flag("--from-supabase", from_supabase_,
                  "Import the Supabase CLI's history (supabase_migrations.schema_migrations) after comparing each "
                  "row's statements with the local file");
    sub->add_flag("--force", force_,
                  "Record the files even where the live schema does not show every effect or adopt cannot check a "
                  "statement (what it found is still printed)");
    add_format_option(*sub, format_);
    return sub;
  }

  int run(const GlobalOptions& global) override {
    if (from_supabase_) return import_from_supabase(global);
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    const auto& files = project.files;
    const CheckSet checks = load_checks_for_command(settings);
    auto target = connect_to_target(settings);
    auto options = migrate_options_for(settings, project);
    options.target = to_;
    Migrator migrator(*target.db, HistoryTable(settings.history_table), options);
    auto prepared = migrator.prepare(files);

    const auto facts =
        read_schema_facts(*target.db, checks, settings.verify_schemas, RecursionProbe::run, RunProbes::no);
    const auto& snapshot = facts.catalog;
    const LintSelection lints{settings.lints, settings.verify_schemas, nullptr, settings.target_kind};
    const auto outcomes = verify_schema(checks, &lints, facts);
    // Every effect the files have on the catalog, not only what they create: the files built on
    // the embedded cluster as `diff` builds them, compared with the live schema.
    std::vector<AdoptionEffect> effects;
    std::vector<std::string> managed;
    if (!prepared.migrations.empty()) {
      const auto drift = check_drift(*target.db, files, settings);
      effects = missing_effects(drift.entries, prepared.migrations);
      managed = drift.managed_schemas;
      // What the snapshot does not read: schemas, their grants, default privileges.
      const auto live = read_live_privileges(*target.db);
      for (const auto& m : prepared.migrations) {
        const auto more = privilege_effects_missing(m, live);
        effects.insert(effects.end(), more.begin(), more.end());
      }
    }

    // Module by module: a file the live schema does not show stops its own module (later files
    // of that module build on it), not the others.
    const auto style = Style::for_stream(stdout);
    std::vector<RecordWithoutRunning> adopted;
    std::vector<std::pair<const PreparedMigration*, AdoptionVerdict>> refused;
    std::vector<std::string> stopped_modules;
    nlohmann::json evidence_json = nlohmann::json::array();
    for (std::size_t i = 0; i < prepared.migrations.size(); ++i) {
      const auto& m = prepared.migrations[i];
      if (std::find(stopped_modules.begin(), stopped_modules.end(), m.file->module) != stopped_modules.end()) continue;
      auto verdict = judge_adoption(m, snapshot, outcomes, objects_dropped_after(prepared.migrations, i));
      add_effects(verdict, m, effects, managed);
      const bool blocked = !verdict.missing.empty() || !verdict.failing.empty() || !verdict.unchecked.empty();
      if (blocked && !force_) {
        refused.emplace_back(&m, verdict);
        stopped_modules.push_back(m.file->module);
        continue;
      }
      add_with_included(m, "adopt", adopted);
      evidence_json.push_back({{"file", m.file->path.string()},
                               {"objects", verdict.objects},
                               {"checks", verdict.checks},
                               {"statements_checked", verdict.statements_checked},
                               {"forced", blocked},
                               {"missing", verdict.missing},
                               {"failing", verdict.failing},
                               {"unchecked", verdict.unchecked}});
      if (format_ == "json") continue;
      std::string evidence =
          fmt::format("{} checked against the live schema, {} {}", plural(verdict.statements_checked, "statement"),
                      plural(verdict.checks, "check"), verdict.checks == 1 ? "passes" : "pass");
      if (blocked) evidence = "--force: recorded although the schema does not show all of it";
      std::fprintf(stdout, "%s %s (%s)\n", style.paint("adopted", Tone::good).c_str(), display_name(*m.file).c_str(),
                   evidence.c_str());
      if (blocked) print_reasons(verdict, "  ");
    }
    migrator.record_without_running(adopted, prepared.history_needs_setup);
    if (format_ == "json") return print_adopt_json(adopted, refused, evidence_json, target.description);
    if (refused.empty()) {
      std::fprintf(stdout, "%s adopted in %s.\n", plural(adopted.size(), "migration").c_str(),
                   target.description.c_str());
      return to_int(ExitCode::ok);
    }
    for (const auto& [m, verdict] : refused) {
      std::fprintf(stdout, "%s %s:\n", style.paint("not adopted", Tone::bad).c_str(), display_name(*m->file).c_str());
      print_reasons(verdict, "  ");
    }
    const auto* first = refused.front().first->file;
    const std::string selector = selector_of(*first);
    std::fprintf(stdout,
                 "%s adopted; %s stopped. Apply what was not adopted with `cora-migrate "
                 "migrate`, or, if you know it ran, record it with `cora-migrate adopt --force` or `cora-migrate "
                 "baseline %s`.\n",
                 plural(adopted.size(), "migration").c_str(), plural(refused.size(), "module").c_str(),
                 selector.c_str());
    return to_int(ExitCode::findings);
  }

 private:
  // The effects of `m` the live schema does not show, and its statements adopt cannot check.
  // An object the file creates that is missing is said once: by the comparison, at its line.
  static void add_effects(AdoptionVerdict& verdict, const PreparedMigration& m,
                          const std::vector<AdoptionEffect>& effects, const std::vector<std::string>& managed) {
    std::vector<AdoptionEffect> of_file;
    std::copy_if(effects.begin(), effects.end(), std::back_inserter(of_file),
                 [&](const AdoptionEffect& e) { return e.file == m.file; });
    std::stable_sort(of_file.begin(), of_file.end(),
                     [](const AdoptionEffect& a, const AdoptionEffect& b) { return a.line < b.line; });
    std::vector<std::string> found;
    for (const auto& e : of_file) found.push_back(e.text());
    for (const auto& line : verdict.missing) {
      const bool said = std::any_of(found.begin(), found.end(), [&](const std::string& f) {
        return f.size() >= line.size() && f.compare(f.size() - line.size(), line.size(), line) == 0;
      });
      if (!said) found.push_back(line);
    }
    verdict.missing = std::move(found);
    for (const auto& u : unchecked_statements(m, managed)) verdict.unchecked.push_back(u.text());
    verdict.statements_checked = checked_statement_count(m, managed);
  }

  // Three situations, three fixes: an effect missing means the file did not run, or only in
  // part (migrate applies it); a check failing on what is all there means it ran, then changed;
  // a statement adopt cannot check needs the person who knows (--force).
  static void print_reasons(const AdoptionVerdict& verdict, const char* indent) {
    if (!verdict.missing.empty()) {
      std::fprintf(stdout, "%snot in the live schema (the file did not run, or only in part; `migrate` applies it):\n",
                   indent);
      for (const auto& line : verdict.missing) std::fprintf(stdout, "%s  - %s\n", indent, line.c_str());
    }
    if (!verdict.failing.empty()) {
      std::fprintf(stdout, "%s%s\n", indent,
                   verdict.missing.empty()
                       ? "a check or lint fails on what is there (it ran, then changed; `verify` shows the fix):"
                       : "a check or lint fails as well:");
      for (const auto& line : verdict.failing) std::fprintf(stdout, "%s  - %s\n", indent, line.c_str());
    }
    if (!verdict.unchecked.empty()) {
      std::fprintf(stdout,
                   "%snot checked (adopt cannot see what these statements did; if you know they ran, `adopt "
                   "--force` records the file):\n",
                   indent);
      for (const auto& line : verdict.unchecked) std::fprintf(stdout, "%s  - %s\n", indent, line.c_str());
    }
  }

  // "adopted" lists every file recorded (its "action": adopt, or included in a module's
  // snapshot) with the evidence; "not_adopted" each module's first file that the schema does not
  // show, with the effects missing, the checks failing and the statements not checked. Exit 11
  // when any is not adopted.
  static int print_adopt_json(const std::vector<RecordWithoutRunning>& adopted,
                              const std::vector<std::pair<const PreparedMigration*, AdoptionVerdict>>& refused,
                              const nlohmann::json& evidence, const std::string& database) {
    auto recorded = recorded_json(adopted);
    for (auto& entry : recorded) {
      for (const char* key : {"objects", "checks", "statements_checked", "forced", "missing", "failing", "unchecked"})
        entry[key] = nullptr;
      for (const auto& e : evidence) {
        if (e["file"] != entry["file"] || entry["action"] != "adopt") continue;
        for (const auto& [key, value] : e.items()) {
          if (key != "file") entry[key] = value;
        }
      }
    }
    nlohmann::json not_adopted = nlohmann::json::array();
    for (const auto& [m, verdict] : refused) {
      auto entry = migration_file_json(*m->file);
      entry["missing"] = verdict.missing;
      entry["failing"] = verdict.failing;
      entry["unchecked"] = verdict.unchecked;
      not_adopted.push_back(std::move(entry));
    }
    auto doc = command_document("adopt", database);
    doc["from_supabase"] = false;
    doc["adopted"] = std::move(recorded);
    doc["not_adopted"] = std::move(not_adopted);
    doc["summary"] = {{"adopted", adopted.size()}, {"not_adopted", refused.size()}};
    print_json_document(doc);
    return refused.empty() ? to_int(ExitCode::ok) : to_int(ExitCode::findings);
  }

  // All or nothing: one row that does not match its file imports none, so that a history is
  // never taken over half-checked.
  int import_from_supabase(const GlobalOptions& global) const {
    if (to_)
      throw Error(ExitCode::usage, "adopt --from-supabase imports every row: --to does not go with it", "drop --to");
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    if (project.has_modules) {
      throw Error(ExitCode::usage,
                  "adopt --from-supabase: this project has modules; the Supabase CLI knows one migrations folder",
                  "run it with --migrations supabase/migrations");
    }
    auto target = connect_to_target(settings);
    const auto rows = read_supabase_history(*target.db);
    if (!rows) {
      throw Error(ExitCode::usage,
                  fmt::format("{} has no {}: the Supabase CLI never migrated it", target.description,
                              kSupabaseHistoryTable),
                  "use `cora-migrate adopt` (checks the live schema) or `cora-migrate baseline VERSION` instead");
    }
    const HistoryTable history_table(settings.history_table);
    const auto history = history_table.read(*target.db);
    const auto records = history.records.value_or(std::vector<HistoryRecord>{});
    const auto plan = plan_supabase_import(project.files, *rows, records);
    const auto style = Style::for_stream(stdout);
    const bool json = format_ == "json";
    if (!plan.problems.empty()) {
      const Error refusal(ExitCode::history_conflict,
                          fmt::format("{} of {} in {} {} not match the local files: nothing was imported",
                                      plan.problems.size(), plural(rows->size(), "row"), kSupabaseHistoryTable,
                                      plan.problems.size() == 1 ? "does" : "do"),
                          "restore the files as the Supabase CLI applied them (git history), or record by hand what "
                          "you know ran with `cora-migrate baseline VERSION`");
      if (json) {
        auto doc = command_document("adopt", target.description);
        doc["from_supabase"] = true;
        doc["imported"] = nlohmann::json::array();
        doc["problems"] = plan.problems;
        doc["summary"] = {{"imported", 0}, {"already_recorded", plan.already_recorded}, {"pending", nullptr}};
        const FailureReport failure{refusal.code(), refusal.what(), refusal.hint(), std::nullopt};
        doc["error"] = failure_json(failure);
        print_json_document(doc);
        print_failure(failure);
        return to_int(failure.code);
      }
      for (const auto& problem : plan.problems) {
        std::fprintf(stdout, "%s %s\n", style.paint("not imported", Tone::bad).c_str(), problem.c_str());
      }
      throw refusal;
    }
    std::vector<RecordWithoutRunning> imported;
    for (const auto* file : plan.to_import) imported.push_back({file, "import"});
    Migrator migrator(*target.db, history_table, migrate_options_for(settings, project));
    // Always set up: a table from before "import" was an action has to allow it first.
    migrator.record_without_running(imported, true);
    for (const auto* file : json ? std::vector<const MigrationFile*>{} : plan.to_import) {
      std::fprintf(stdout, "%s %s (its statements are the ones the Supabase CLI applied)\n",
                   style.paint("imported", Tone::good).c_str(), display_name(*file).c_str());
    }
    const auto after =
        compute_status(project.files, history_table.read(*target.db).records.value_or(std::vector<HistoryRecord>{}));
    const auto pending = static_cast<std::size_t>(std::count_if(after.begin(), after.end(), [](const StatusEntry& e) {
      return e.state == MigrationState::pending;
    }));
    if (json) {
      auto doc = command_document("adopt", target.description);
      doc["from_supabase"] = true;
      doc["imported"] = recorded_json(imported);
      doc["problems"] = nlohmann::json::array();
      doc["summary"] = {{"imported", imported.size()},
                        {"already_recorded", plan.already_recorded},
                        {"pending", pending}};
      doc["error"] = nullptr;
      print_json_document(doc);
      return to_int(ExitCode::ok);
    }
    const std::string skipped =
        plan.already_recorded > 0 ? fmt::format(" ({} already recorded)", plan.already_recorded) : "";
    std::fprintf(stdout, "%s imported from %s into %s%s; %s pending%s.\n", plural(imported.size(), "migration").c_str(),
                 kSupabaseHistoryTable, settings.history_table.c_str(), skipped.c_str(),
                 plural(pending, "file").c_str(), pending > 0 ? ": apply them with `cora-migrate migrate`" : "");
    return to_int(ExitCode::ok);
  }

  std::optional<std::string> to_;  // a migration: later files are not considered
  bool from_supabase_ = false;
  bool force_ = false;
  std::string format_ = "human";
};

class RepairCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub =
        app.add_subcommand("repair",
                           "Clear a dirty migration (one that failed part-way outside a transaction) so migrate "
                           "can go on; or accept a changed file's new checksum (--accept-checksum)");
    sub->add_option("migration", version_, fmt::format("The dirty migration ({})", kSelectorForms));
    sub->add_flag("--mark-applied", mark_applied_,
                  "Record it as applied (you finished its statements by hand) instead of pending again");
    sub->add_option("--accept-checksum", accept_,
                    fmt::format("Record the new checksum of this changed migration ({}) after showing what "
                                "changed; refused when more than comments and whitespace changed",
                                kSelectorForms))
        ->excludes("--mark-applied");
    sub->add_flag("--force", force_,
                  "With --accept-checksum: record it even when the statements changed or the applied text is unknown");
    add_format_option(*sub, format_);
    return sub;
  }

  int run(const GlobalOptions& global) override {
    if (!accept_.empty()) {
      if (!version_.empty()) {
        throw Error(ExitCode::usage, "repair: a dirty migration and --accept-checksum together",
                    "name one migration: `repair VERSION` or `repair --accept-checksum VERSION`");
      }
      return accept_checksum(global, accept_, force_, format_ == "json");
    }
    if (version_.empty()) {
      throw Error(ExitCode::usage, "repair: no migration named",
                  "write `cora-migrate repair VERSION` (a dirty migration) or `repair --accept-checksum VERSION`");
    }
    if (force_) {
      throw Error(ExitCode::usage, "repair: --force goes with --accept-checksum",
                  "leave it out; to record a dirty migration as applied, use --mark-applied");
    }
    const auto settings = resolve_settings(global.settings, process_environment());
    const auto project = load_project_for_command(settings);
    auto target = connect_to_target(settings);
    Migrator migrator(*target.db, HistoryTable(settings.history_table), migrate_options_for(settings, project));
    migrator.repair(project.files, version_, mark_applied_);
    if (format_ == "json") {
      auto doc = command_document("repair", target.description);
      doc["migration"] = version_;
      doc["recorded_as"] = mark_applied_ ? "applied" : "pending";
      print_json_document(doc);
      return to_int(ExitCode::ok);
    }
    std::fprintf(stdout, "repaired %s: %s\n", version_.c_str(),
                 mark_applied_ ? "recorded as applied"
                               : "pending again; `cora-migrate migrate` runs the whole file again");
    return to_int(ExitCode::ok);
  }

 private:
  std::string version_;
  bool mark_applied_ = false;
  std::string accept_;
  bool force_ = false;
  std::string format_ = "human";
};

}  // namespace

std::unique_ptr<Command> make_baseline_command() { return std::make_unique<BaselineCommand>(); }
std::unique_ptr<Command> make_adopt_command() { return std::make_unique<AdoptCommand>(); }
std::unique_ptr<Command> make_repair_command() { return std::make_unique<RepairCommand>(); }

}  // namespace cora::cli
