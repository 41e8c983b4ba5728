// `cora-migrate history`: every row of the history table, the replaced ones too: what was
// applied, re-applied, adopted or baselined, by whom, when and how long it took.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/json_document.hpp"
#include "commands/old_spellings.hpp"
#include "commands/project_options.hpp"
#include "cora/db/history_log.hpp"
#include "cora/error.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

std::string who(const HistoryLogRow& r) {
  return r.client.empty() ? r.applied_by : fmt::format("{} ({})", r.applied_by, r.client);
}

std::string note(const HistoryLogRow& r) {
  std::string out;
  if (r.state == "running") out = r.error.empty() ? "dirty: did not finish" : "dirty: " + r.error;
  if (!r.current) out += std::string(out.empty() ? "" : "; ") + "replaced by a later row";
  return out;
}

// The version of each file as its name writes it ("007"), by module, version and name: the history
// keeps the number only. Empty when the project's files cannot be read (history needs none).
using VersionDigits = std::map<std::tuple<std::string, std::int64_t, std::string>, std::string>;

VersionDigits version_digits_of(const Settings& settings) {
  VersionDigits out;
  try {
    for (const auto& f : load_ordered_project(settings).files) out[{f.module, f.version, f.name}] = f.version_digits;
  } catch (const Error&) {
  }
  return out;
}

std::string version_text(const HistoryLogRow& r, const VersionDigits& digits) {
  const auto it = digits.find({r.module, r.version, r.name});
  return it != digits.end() ? it->second : std::to_string(r.version);
}

nlohmann::json to_json(const std::vector<HistoryLogRow>& rows, const VersionDigits& digits, const std::string& database,
                       const std::string& table) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    out.push_back({{"id", r.id},
                   {"module", module_json(r.module)},
                   {"version", version_text(r, digits)},
                   {"name", r.name},
                   {"action", r.action},
                   {"state", r.state},
                   {"current", r.current},
                   {"applied_at", r.applied_at},
                   {"applied_by", r.applied_by},
                   {"client", r.client.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.client)},
                   {"duration_ms", r.duration_ms ? nlohmann::json(*r.duration_ms) : nlohmann::json(nullptr)},
                   {"tool_version", r.tool_version},
                   {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}});
  }
  auto doc = command_document("history", database);
  doc["history_table"] = table;
  doc["rows"] = std::move(out);
  return doc;
}

void print_table(const std::vector<HistoryLogRow>& rows, const VersionDigits& digits, const std::string& database) {
  const auto style = Style::for_stream(stdout);
  std::fprintf(stdout, "%s\n", style.paint("Database: " + database, Tone::bold).c_str());
  const bool modules = std::any_of(rows.begin(), rows.end(), [](const HistoryLogRow& r) { return !r.module.empty(); });
  std::size_t name_width = 4, who_width = 2, version_width = 7;
  for (const auto& r : rows) {
    version_width = std::max(version_width, version_text(r, digits).size());
    name_width = std::max(name_width, (modules ? r.module.size() + 1 : 0) + r.name.size());
    who_width = std::max(who_width, who(r).size());
  }
  std::fprintf(stdout, "%-5s  %-*s  %-*s  %-9s  %-20s  %-*s  %9s  %s\n", "ID", static_cast<int>(version_width),
               "VERSION", static_cast<int>(name_width), "NAME", "ACTION", "AT (UTC)", static_cast<int>(who_width), "BY",
               "DURATION", "NOTE");
  for (const auto& r : rows) {
    const std::string name = modules ? r.module + ":" + r.name : r.name;
    const std::string action = fmt::format("{:<9}", action_done(r.action));
    const std::string duration = r.duration_ms ? fmt::format("{} ms", *r.duration_ms) : "-";
    std::fprintf(stdout, "%-5lld  %-*s  %-*s  %s  %-20s  %-*s  %9s  %s\n", static_cast<long long>(r.id),
                 static_cast<int>(version_width), version_text(r, digits).c_str(), static_cast<int>(name_width),
                 name.c_str(),
                 style.paint(action, r.state == "running" ? Tone::bad
                                     : r.current          ? Tone::good
                                                          : Tone::dim)
                     .c_str(),
                 r.applied_at.c_str(), static_cast<int>(who_width), who(r).c_str(), duration.c_str(), note(r).c_str());
  }
  std::fprintf(stdout, "%zu row%s\n", rows.size(), rows.size() == 1 ? "" : "s");
}

class HistoryLogCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub =
        app.add_subcommand("history",
                           "Show every history row (applied, reapplied, adopted, baselined): who, when, how long");
    sub->add_option("--format", format_, "human or json")->check(CLI::IsMember({"human", "json"}));
    add_old_json_flag(*sub, format_);
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    auto target = connect_to_target(settings);
    const auto rows = read_history_log(*target.db, HistoryTable(settings.history_table));
    const std::vector<HistoryLogRow> none;
    const auto digits = version_digits_of(settings);
    if (format_ == "json") {
      print_json_document(to_json(rows.value_or(none), digits, target.description, settings.history_table));
    } else if (!rows) {
      std::fprintf(stdout, "Database: %s\nno history table %s yet: nothing was migrated here\n",
                   target.description.c_str(), settings.history_table.c_str());
    } else {
      print_table(*rows, digits, target.description);
    }
    return to_int(ExitCode::ok);
  }

 private:
  std::string format_ = "human";
};

}  // namespace

std::unique_ptr<Command> make_history_command() { return std::make_unique<HistoryLogCommand>(); }

}  // namespace cora::cli
