#include "migrations/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "error.hpp"

namespace cora {

const char* to_string(MigrationState state) {
  switch (state) {
    case MigrationState::applied: return "applied";
    case MigrationState::pending: return "pending";
    case MigrationState::changed: return "changed";
    case MigrationState::conflict: return "conflict";
    case MigrationState::missing: return "missing";
    case MigrationState::dirty: return "dirty";
  }
  return "unknown";
}

std::vector<StatusEntry> compute_status(const std::vector<MigrationFile>& files,
                                        const std::vector<HistoryRecord>& history) {
  std::map<std::int64_t, StatusEntry> by_version;
  std::int64_t highest_applied = -1;
  for (const auto& record : history) {
    StatusEntry entry;
    entry.version = record.version;
    entry.name = record.name;
    entry.record = &record;
    entry.state = record.state == "applied" ? MigrationState::missing : MigrationState::dirty;
    by_version[record.version] = entry;
    highest_applied = std::max(highest_applied, record.version);
  }
  for (const auto& file : files) {
    auto [it, inserted] = by_version.try_emplace(file.version);
    StatusEntry& entry = it->second;
    entry.version = file.version;
    entry.name = file.name;
    entry.file = &file;
    if (inserted) {
      entry.state = MigrationState::pending;
      entry.out_of_order = file.version < highest_applied;
    } else if (entry.state == MigrationState::missing) {
      if (entry.record->name != file.name) {
        entry.state = MigrationState::conflict;
      } else {
        entry.state = file.matches_checksum(entry.record->checksum) ? MigrationState::applied : MigrationState::changed;
      }
    }
  }
  std::vector<StatusEntry> out;
  out.reserve(by_version.size());
  for (auto& [version, entry] : by_version) out.push_back(entry);
  return out;
}

Plan make_plan(const std::vector<StatusEntry>& status, std::optional<std::int64_t> target,
               const ReapplySelection& reapply) {
  for (const auto version : reapply.versions) {
    const auto it = std::find_if(status.begin(), status.end(), [&](const StatusEntry& e) { return e.version == version; });
    if (it == status.end()) {
      throw Error(ExitCode::usage, fmt::format("--reapply {}: no migration has that version", version),
                  "run `cora-migrate status` to list the versions");
    }
    const bool forced_rerun = reapply.force && it->state == MigrationState::applied;
    if (it->state != MigrationState::changed && !forced_rerun) {
      const char* hint = it->state == MigrationState::pending ? "run migrate without --reapply"
                         : it->state == MigrationState::applied
                             ? "to run an unchanged file again (say, to undo a change made by hand in the database), add --force"
                             : "only a file changed since it was applied can be re-applied";
      throw Error(ExitCode::usage,
                  fmt::format("--reapply {}: {} is {}, not changed{}", version, it->name, to_string(it->state),
                              reapply.force ? " or applied" : ""),
                  hint);
    }
  }
  if (target) {
    const bool known = std::any_of(status.begin(), status.end(), [&](const StatusEntry& e) {
      return e.version == *target && e.file != nullptr;
    });
    if (!known) {
      throw Error(ExitCode::usage, fmt::format("--target {}: no migration file has that version", *target),
                  "run `cora-migrate status` to list the versions");
    }
  }
  Plan plan;
  for (const auto& entry : status) {
    switch (entry.state) {
      case MigrationState::changed:
        if (reapply.all_changed ||
            std::find(reapply.versions.begin(), reapply.versions.end(), entry.version) != reapply.versions.end()) {
          if (target && entry.version > *target) break;
          plan.to_apply.push_back(entry.file);
          plan.replaces_checksum[entry.version] = entry.record->checksum;
        } else {
          plan.blockers.push_back(entry);
        }
        break;
      case MigrationState::dirty:
      case MigrationState::conflict:
        plan.blockers.push_back(entry);
        break;
      case MigrationState::missing:
        plan.warnings.push_back(entry);
        break;
      case MigrationState::pending:
        if (target && entry.version > *target) break;
        if (entry.out_of_order) plan.warnings.push_back(entry);
        plan.to_apply.push_back(entry.file);
        break;
      case MigrationState::applied:
        if (reapply.force &&
            std::find(reapply.versions.begin(), reapply.versions.end(), entry.version) != reapply.versions.end()) {
          if (target && entry.version > *target) break;
          plan.to_apply.push_back(entry.file);
          plan.replaces_checksum[entry.version] = entry.record->checksum;
        }
        break;
    }
  }
  return plan;
}

}  // namespace cora
