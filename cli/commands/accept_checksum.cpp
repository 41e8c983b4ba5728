#include "commands/accept_checksum.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "commands/applied_text.hpp"
#include "commands/database_target.hpp"
#include "commands/json_document.hpp"
#include "commands/project_options.hpp"
#include "cora/error.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/migrations/checksum_change.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

constexpr const char* kForceHint =
    "restore the applied text and put the change in a new migration; or, once you have made sure the database has what "
    "the file says now, pass --force to record its checksum anyway";

}  // namespace

int accept_checksum(const GlobalOptions& global, const std::string& selector, bool force, bool json) {
  const auto settings = resolve_settings(global.settings, process_environment());
  const auto project = load_project_for_command(settings);
  const MigrationFile& file = find_migration(project.files, selector, "repair --accept-checksum");
  auto target = connect_to_target(settings);
  const HistoryTable history(settings.history_table);
  const auto records = history.read(*target.db).records.value_or(std::vector<HistoryRecord>{});
  const auto status = compute_status(project.files, records);
  const auto entry = std::find_if(status.begin(), status.end(), [&](const StatusEntry& e) { return e.file == &file; });
  const std::string name = display_name(file);
  if (entry == status.end() || entry->state != MigrationState::changed) {
    throw Error(ExitCode::usage,
                fmt::format("repair --accept-checksum {}: {} is {}, not changed", selector, name,
                            entry == status.end() ? "not in the history" : to_string(entry->state)),
                "--accept-checksum records the new checksum of an applied file that was edited since");
  }
  const HistoryRecord& recorded = *entry->record;
  if (recorded.action == "included") {
    throw Error(ExitCode::usage,
                fmt::format("repair --accept-checksum {}: {} is recorded as included in its module's snapshot: it "
                            "never ran here, so there is no applied text to accept",
                            selector, name),
                "put the change in a new migration");
  }

  std::string why_not;
  const auto applied = find_applied_text(file.path, recorded.checksum, why_not);
  const std::optional<ChecksumChange> change =
      applied ? std::optional(compare_applied_text(applied->text, file.content)) : std::nullopt;
  const bool acceptable = change == ChecksumChange::layout_only;

  const auto out = Style::for_stream(stdout);
  if (!json) {
    std::fprintf(stdout, "%s: checksum %s in history (applied %s), %s on disk\n", file.path.string().c_str(),
                 recorded.checksum.substr(0, 12).c_str(), recorded.applied_at.c_str(),
                 file.checksum.substr(0, 12).c_str());
    if (applied) {
      std::fprintf(stdout, "the applied text: %s as of git commit %s; what changed since:\n%s",
                   file.path.string().c_str(), applied->commit.substr(0, 12).c_str(), applied->diff.c_str());
      std::fprintf(stdout, "%s\n", out.paint(describe(*change), acceptable ? Tone::good : Tone::bad).c_str());
    } else {
      std::fprintf(stdout, "%s: the history table keeps checksums, not text, so what changed cannot be shown\n",
                   why_not.c_str());
    }
  }
  if (!acceptable && !force) {
    throw Error(ExitCode::history_conflict,
                fmt::format("repair --accept-checksum {}: {}; nothing was recorded", selector,
                            applied ? describe(*change) : "the applied text was not found, so it cannot be compared"),
                kForceHint);
  }

  Migrator migrator(*target.db, history, migrate_options_for(settings, project));
  const auto row = migrator.accept_checksum(file, recorded.checksum);
  if (json) {
    auto doc = command_document("repair", target.description);
    doc["migration"] = selector;
    doc["recorded_as"] = "applied";
    doc["accepted_checksum"] = file.checksum;
    doc["replaced_checksum"] = recorded.checksum;
    doc["applied_commit"] = applied ? nlohmann::json(applied->commit) : nlohmann::json(nullptr);
    doc["change"] = !change                                  ? "unknown"
                    : *change == ChecksumChange::layout_only ? "comments_and_whitespace"
                    : *change == ChecksumChange::statements  ? "statements"
                    : *change == ChecksumChange::directives  ? "directives"
                                                             : "unparseable";
    doc["forced"] = !acceptable;
    doc["history_row"] = row;
    print_json_document(doc);
    return to_int(ExitCode::ok);
  }
  std::fprintf(stdout,
               "%s the new checksum of %s%s: history row %lld records it (action accept, nothing ran); the old row is "
               "kept, no longer current\n",
               out.paint("accepted", Tone::good).c_str(), name.c_str(), acceptable ? "" : " (--force)",
               static_cast<long long>(row));
  return to_int(ExitCode::ok);
}

}  // namespace cora::cli
