// `cora-migrate status`: every migration with its state, for people or (--format json) machines.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/json_document.hpp"
#include "commands/old_spellings.hpp"
#include "commands/project_on_database.hpp"
#include "commands/project_options.hpp"
#include "cora/output/plural.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "commands/drift_check.hpp"
#include "cora/diff/drift_render.hpp"
#include "cora/db/history_table.hpp"
#include "cora/db/supabase_history.hpp"
#include "cora/error.hpp"
#include "cora/migrate/cascade_guard.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

std::string version_text(const StatusEntry& e) {
  if (!e.file) return std::to_string(e.version);
  return e.file->file_name.substr(0, e.file->file_name.find_first_of("-_"));
}

std::string state_text(const StatusEntry& e) {
  if (e.state == MigrationState::dirty && e.record->running_session_alive) return "running";
  return to_string(e.state);
}

Tone tone_of(const StatusEntry& e) {
  switch (e.state) {
    case MigrationState::applied: return Tone::good;
    case MigrationState::pending: return Tone::warn;
    default: return Tone::bad;
  }
}

std::string next_of(const Plan* plan, const StatusEntry& e) {
  if (!plan || !e.file) return "";
  const auto it = plan->next.find(e.file);
  if (it != plan->next.end()) return it->second;
  for (const auto& b : plan->blockers) {
    if (b.entry.file == e.file)
      return b.destructive ? "blocked (destructive: " + b.destructive->text() + ")" : "blocked";
  }
  return "";
}

nlohmann::json to_json(const std::vector<StatusEntry>& status, const Plan* plan, const std::string& database,
                       const std::string& table, bool table_exists) {
  nlohmann::json migrations = nlohmann::json::array();
  std::map<std::string, int> counts;
  for (const auto& e : status) {
    nlohmann::json m{{"module", module_json(e.module)},
                     {"version", version_json(e.file, e.version)},
                     {"name", e.name},
                     {"state", state_text(e)},
                     {"role", role_text(e)},
                     {"out_of_order", e.out_of_order}};
    const std::string next = next_of(plan, e);
    m["next"] = next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next);
    m["file"] = e.file ? nlohmann::json(e.file->path.string()) : nlohmann::json(nullptr);
    m["checksum"] = e.file ? nlohmann::json(e.file->checksum) : nlohmann::json(nullptr);
    if (e.record) {
      m["applied"] = {{"checksum", e.record->checksum},
                      {"applied_at", e.record->applied_at},
                      {"applied_by", e.record->applied_by},
                      {"action", e.record->action},
                      {"duration_ms",
                       e.record->duration_ms ? nlohmann::json(*e.record->duration_ms) : nlohmann::json(nullptr)},
                      {"tool_version", e.record->tool_version},
                      {"error", e.record->error.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.record->error)}};
    } else {
      m["applied"] = nullptr;
    }
    ++counts[state_text(e)];
    migrations.push_back(std::move(m));
  }
  nlohmann::json summary = nlohmann::json::object();
  for (const char* state : {"applied", "pending", "changed", "conflict", "missing", "dirty", "running"})
    summary[state] = counts[state];
  return {{"command", "status"},      {"database", database},
          {"history_table", table},   {"history_table_exists", table_exists},
          {"migrations", migrations}, {"summary", summary}};
}

void print_table(const std::vector<StatusEntry>& status, const Plan* plan, const std::string& database, bool modules) {
  const auto style = Style::for_stream(stdout);
  std::fprintf(stdout, "%s\n", style.paint("Database: " + database, Tone::bold).c_str());
  std::size_t name_width = 4, version_width = 7;  // at least the headers
  for (const auto& e : status) {
    name_width = std::max(name_width, e.name.size());
    version_width = std::max(version_width, version_text(e).size());
  }
  const char* role_header = modules ? "ROLE      " : "";
  std::fprintf(stdout, "%-*s  %-*s  %s%-8s  %s\n", static_cast<int>(version_width), "VERSION",
               static_cast<int>(name_width), "NAME", role_header, "STATE", "APPLIED AT");
  std::map<std::string, int> counts;
  std::optional<std::string> module;
  for (const auto& e : status) {
    if (modules && module != e.module) {
      module = e.module;
      std::fprintf(stdout, "%s\n", style.paint(e.module, Tone::bold).c_str());
    }
    const std::string state = state_text(e);
    ++counts[state];
    std::string note;
    if (e.state == MigrationState::changed)
      note =
          "  file differs from what was applied (only comments or whitespace? `cora-migrate repair --accept-checksum " +
          (e.file ? selector_of(*e.file) : std::to_string(e.version)) + "`)";
    if (e.state == MigrationState::conflict) note = "  recorded from another file: " + e.record->name;
    if (e.state == MigrationState::missing) note = "  no file has this version";
    if (e.state == MigrationState::dirty)
      note = "  " + (e.record->error.empty() ? std::string("incomplete") : e.record->error);
    if (e.out_of_order) note = "  older than applied migrations";
    const std::string next = next_of(plan, e);
    if (!next.empty()) note += "  next: " + next;
    const std::string padded_state = fmt::format("{:<8}", state);
    const std::string role = modules ? fmt::format("{:<10}", role_text(e)) : "";
    std::fprintf(stdout, "%-*s  %-*s  %s%s  %s%s\n", static_cast<int>(version_width), version_text(e).c_str(),
                 static_cast<int>(name_width), e.name.c_str(), role.c_str(),
                 style.paint(padded_state, tone_of(e)).c_str(), e.record ? e.record->applied_at.c_str() : "-",
                 note.c_str());
  }
  std::string summary;
  for (const auto& [state, count] : counts)
    summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", count, state);
  std::fprintf(stdout, "%s: %s\n", plural(status.size(), "migration").c_str(),
               summary.empty() ? "none" : summary.c_str());
}

class StatusCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub =
        app.add_subcommand("status", "Show every migration: applied, pending, changed, conflict, missing or dirty");
    sub->add_option("--format", format_, "human or json")->check(CLI::IsMember({"human", "json"}));
    add_old_json_flag(*sub, format_);
    sub->add_flag("--exit-code", exit_code_,
                  "Exit with 10 when anything is not applied (pending, changed, conflict, missing, dirty): for CI");
    sub->add_flag("--drift", drift_,
                  "Also compare the live schema with the files (as diff does): one summary line; exit 15 on drift");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    auto [settings, project, target] = open_project_on_database(global);
    const auto& files = project.files;
    const HistoryTable history_table(settings.history_table);
    // The Supabase CLI's history is counted in the same round trip.
    const auto reads = target.db->run_segments({history_table.read_steps(), {supabase_history_count_step()}});
    const auto history = history_table.decode_read(reads.at(0).results, reads.at(0).error);
    // "All pending" would be wrong for a database the Supabase CLI migrated: say what to do instead.
    refuse_unadopted_supabase_history(decode_supabase_history_count(reads.at(1)),
                                      !history.records || history.records->empty(), settings.history_table);
    const auto options = migrate_options_for(settings, project);
    const std::vector<HistoryRecord> records =
        records_in_scope(files, history.records.value_or(std::vector<HistoryRecord>{}), options.modules);
    const auto status = compute_status(files, records);
    // What the next migrate would do; a plan that cannot be made (e.g. a bad selector) shows none.
    std::optional<Plan> plan;
    try {
      PlanOptions plan_options;
      plan_options.destructive_statement = [&](const MigrationFile& file) {
        return destructive_statement_now(*target.db, file);
      };
      plan = make_plan(status, files, plan_options);
    } catch (const Error&) {
    }
    const Plan* next = plan ? &*plan : nullptr;
    std::optional<DriftReport> drift;
    if (drift_) drift = check_drift(*target.db, files, settings);
    if (format_ == "json") {
      auto doc = to_json(status, next, target.description, settings.history_table, history.records.has_value());
      if (drift) {
        doc["drift"] = {{"differences", drift->entries.size()},
                        {"missing", drift->count(DifferenceKind::missing)},
                        {"extra", drift->count(DifferenceKind::extra)},
                        {"changed", drift->count(DifferenceKind::changed)},
                        {"summary", drift_summary_line(*drift)}};
      }
      print_json_document(doc);
    } else {
      print_table(status, next, target.description, project.has_modules);
      if (drift) std::fprintf(stdout, "%s\n", drift_summary_line(*drift).c_str());
    }
    const bool all_applied = std::all_of(status.begin(), status.end(),
                                         [](const StatusEntry& e) { return e.state == MigrationState::applied; });
    if (exit_code_ && !all_applied) return to_int(ExitCode::pending);
    return drift && !drift->entries.empty() ? to_int(ExitCode::drift) : to_int(ExitCode::ok);
  }

 private:
  std::string format_ = "human";
  bool exit_code_ = false;
  bool drift_ = false;
};

}  // namespace

std::unique_ptr<Command> make_status_command() { return std::make_unique<StatusCommand>(); }

}  // namespace cora::cli
