#include "cora/migrations/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "cora/error.hpp"

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

const char* role_text(const StatusEntry& entry) {
  if (entry.role == FileRole::snapshot) return "snapshot";
  if (entry.record && entry.record->action == "included") return "included";
  return "delta";
}

namespace {

using Key = std::pair<std::string, std::int64_t>;  // module, version

StatusEntry entry_for(const MigrationFile& file) {
  StatusEntry e;
  e.module = file.module;
  e.version = file.version;
  e.name = file.name;
  e.role = file.role;
  e.file = &file;
  return e;
}

}  // namespace

std::vector<StatusEntry> compute_status(const std::vector<MigrationFile>& files,
                                        const std::vector<HistoryRecord>& history) {
  std::map<Key, std::vector<const HistoryRecord*>> records;
  for (const auto& r : history) records[{r.module, r.version}].push_back(&r);
  std::map<Key, std::set<std::string>> names_on_disk;
  for (const auto& f : files) names_on_disk[{f.module, f.version}].insert(f.name);

  std::vector<StatusEntry> out;
  std::set<const HistoryRecord*> used;
  std::vector<std::string> module_order;
  std::map<std::string, std::vector<StatusEntry>> by_module;
  for (const auto& file : files) {
    if (by_module.find(file.module) == by_module.end()) module_order.push_back(file.module);
    StatusEntry e = entry_for(file);
    const auto it = records.find({file.module, file.version});
    const HistoryRecord* same = nullptr;
    const HistoryRecord* other = nullptr;
    if (it != records.end()) {
      for (const auto* r : it->second) {
        if (r->name == file.name) same = r;
        else if (!names_on_disk[{file.module, file.version}].count(r->name) && !other) other = r;
      }
    }
    if (same) {
      used.insert(same);
      e.record = same;
      if (same->state != "applied") e.state = MigrationState::dirty;
      else e.state = file.matches_checksum(same->checksum) ? MigrationState::applied : MigrationState::changed;
    } else if (other) {
      // Recorded under this version from a file no longer here: another branch's file.
      used.insert(other);
      e.record = other;
      e.state = MigrationState::conflict;
    }
    by_module[file.module].push_back(e);
  }
  for (const auto& r : history) {
    if (used.count(&r)) continue;
    if (by_module.find(r.module) == by_module.end()) module_order.push_back(r.module);
    StatusEntry e;
    e.module = r.module;
    e.version = r.version;
    e.name = r.name;
    e.record = &r;
    e.state = r.state == "applied" ? MigrationState::missing : MigrationState::dirty;
    by_module[r.module].push_back(e);
  }
  auto digits = [](const StatusEntry& e) { return e.file ? e.file->version_digits : std::to_string(e.version); };
  for (const auto& module : module_order) {
    auto& entries = by_module[module];
    // Snapshots, then deltas; each by version, history rows without a file at their place.
    std::stable_sort(entries.begin(), entries.end(), [&](const StatusEntry& a, const StatusEntry& b) {
      if (a.role != b.role) return a.role == FileRole::snapshot;
      const int by_version = compare_versions(digits(a), digits(b));
      return by_version != 0 ? by_version < 0 : a.name < b.name;
    });
    // Pending deltas that sort before a delta already applied in the same folder.
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].state != MigrationState::pending) continue;
      for (std::size_t k = i + 1; k < entries.size(); ++k) {
        if (entries[k].role == entries[i].role && entries[k].record && entries[k].state != MigrationState::conflict) {
          entries[i].out_of_order = true;
          break;
        }
      }
    }
    for (auto& e : entries) out.push_back(std::move(e));
  }
  return out;
}

std::string selector_of(const MigrationFile& file) {
  if (file.module.empty()) return file.version_digits.empty() ? std::to_string(file.version) : file.version_digits;
  return file.module + ":" + file.file_name.substr(0, file.file_name.size() - std::string_view(".sql").size());
}

const MigrationFile& find_migration(const std::vector<MigrationFile>& files, const std::string& selector,
                                    const std::string& what) {
  std::string module;
  std::string name = selector;
  const bool has_module = selector.find(':') != std::string::npos;
  if (has_module) {
    module = selector.substr(0, selector.find(':'));
    name = selector.substr(selector.find(':') + 1);
  }
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0) name.resize(name.size() - 4);
  const bool numeric =
      !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::vector<const MigrationFile*> matches;
  for (const auto& f : files) {
    if (has_module && f.module != module) continue;
    const std::string stem = f.file_name.substr(0, f.file_name.size() - 4);
    const bool hit = numeric ? std::to_string(f.version) == std::to_string(std::stoll(name.substr(0, 18)))
                             : (stem == name || f.name == name);
    if (hit) matches.push_back(&f);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.empty()) {
    throw Error(ExitCode::usage, fmt::format("{} {}: no migration file matches", what, selector),
                fmt::format("name it as {} (MODULE: in a project with modules, e.g. module-access:007); "
                            "`cora-migrate status` lists them",
                            kSelectorForms));
  }
  std::string list;
  for (const auto* f : matches) list += (list.empty() ? "" : ", ") + display_name(*f);
  throw Error(ExitCode::usage, fmt::format("{} {}: several migrations match ({})", what, selector, list),
              "name one by its FILE-NAME (after MODULE: in a project with modules)");
}

namespace {

struct Selection {
  std::set<const MigrationFile*> reapply;
  const MigrationFile* target = nullptr;
};

Selection resolve(const std::vector<StatusEntry>& status, const std::vector<MigrationFile>& files,
                  const PlanOptions& options) {
  Selection s;
  for (const auto& selector : options.reapply.selectors) {
    const MigrationFile& file = find_migration(files, selector, "--reapply");
    const auto it = std::find_if(status.begin(), status.end(), [&](const StatusEntry& e) { return e.file == &file; });
    const bool forced_rerun = options.reapply.force && it->state == MigrationState::applied;
    if (it->state != MigrationState::changed && !forced_rerun) {
      const char* hint =
          it->state == MigrationState::pending ? "run migrate without --reapply"
          : it->state == MigrationState::applied
              ? "to run an unchanged file again (say, to undo a change made by hand in the database), add --force"
              : "only a file changed since it was applied can be re-applied";
      throw Error(ExitCode::usage,
                  fmt::format("--reapply {}: {} is {}, not changed{}", selector, display_name(file),
                              to_string(it->state), options.reapply.force ? " or applied" : ""),
                  hint);
    }
    s.reapply.insert(&file);
  }
  if (options.target) s.target = &find_migration(files, *options.target, "--to");
  return s;
}

// Everything of one module, in the order migrate takes it.
void plan_module(const std::vector<const StatusEntry*>& entries, const Selection& selection, const PlanOptions& options,
                 Plan& plan) {
  const bool installed = std::any_of(entries.begin(), entries.end(), [](const StatusEntry* e) { return e->record; });
  const bool has_snapshot = std::any_of(entries.begin(), entries.end(),
                                        [](const StatusEntry* e) { return e->role == FileRole::snapshot && e->file; });
  auto apply = [&](const StatusEntry& e, const std::string& why) {
    plan.to_apply.push_back(e.file);
    plan.next[e.file] = why;
  };
  auto reapply = [&](const StatusEntry& e) {
    apply(e, "re-run (changed)");
    plan.replaces_checksum[e.file] = e.record->checksum;
  };
  // Blockers and warnings in the entries' order, whatever role the file has.
  for (const auto* e : entries) {
    if (e->state == MigrationState::dirty || e->state == MigrationState::conflict) plan.blockers.push_back({*e, {}});
    if (e->state == MigrationState::missing) plan.warnings.push_back(*e);
    if (!e->file) continue;
    const bool changed = e->state == MigrationState::changed;
    // --reapply (with --force: also an unchanged file) or --reapply-changed.
    const bool requested = selection.reapply.count(e->file) > 0 || (changed && options.reapply.all_changed);
    if (changed && e->role == FileRole::delta && !requested) {
      plan.blockers.push_back({*e, {}});
      continue;
    }
    const bool reruns = requested || (changed && e->role == FileRole::snapshot);
    if (reruns && !options.allow_destructive && options.destructive_statement) {
      if (const auto destructive = options.destructive_statement(*e->file)) {
        plan.blockers.push_back({*e, destructive, requested});
      }
    }
  }
  if (has_snapshot && !installed) {
    // A fresh install from the snapshot: the deltas are history it already contains.
    const MigrationFile* first_snapshot = nullptr;
    for (const auto* e : entries) {
      if (e->role != FileRole::snapshot || e->state != MigrationState::pending) continue;
      if (!first_snapshot) first_snapshot = e->file;
      apply(*e, "apply");
    }
    for (const auto* e : entries) {
      if (e->role != FileRole::delta || e->state != MigrationState::pending) continue;
      plan.included_with[first_snapshot].push_back(e->file);
      plan.next[e->file] = "record as included";
    }
    return;
  }
  const auto held = [&](const StatusEntry& e) {
    return std::any_of(plan.blockers.begin(), plan.blockers.end(),
                       [&](const Blocker& b) { return b.entry.file == e.file; });
  };
  for (const auto* e : entries) {
    if (e->role != FileRole::delta || !e->file || held(*e)) continue;
    if (e->state == MigrationState::pending) {
      if (e->out_of_order) plan.warnings.push_back(*e);
      apply(*e, "apply");
    } else if (e->state == MigrationState::changed &&
               (options.reapply.all_changed || selection.reapply.count(e->file))) {
      reapply(*e);
    } else if (e->state == MigrationState::applied && selection.reapply.count(e->file)) {
      reapply(*e);  // --reapply --force: put back what the file defines
    }
  }
  for (const auto* e : entries) {
    if (e->role != FileRole::snapshot || !e->file) continue;
    if (e->state == MigrationState::pending) {
      apply(*e, "apply");
    } else if (held(*e)) {
      continue;
    } else if (e->state == MigrationState::applied && selection.reapply.count(e->file)) {
      reapply(*e);  // --reapply --force
    } else if (e->state == MigrationState::changed) {
      // The module's current state, edited in place: running it again is how it is meant to be used.
      reapply(*e);
    }
  }
}

}  // namespace

Plan make_plan(const std::vector<StatusEntry>& status, const std::vector<MigrationFile>& files,
               const PlanOptions& options) {
  const Selection selection = resolve(status, files, options);
  Plan plan;
  std::vector<std::string> modules;
  std::map<std::string, std::vector<const StatusEntry*>> by_module;
  for (const auto& e : status) {
    if (!by_module.count(e.module)) modules.push_back(e.module);
    by_module[e.module].push_back(&e);
  }
  for (const auto& module : modules) plan_module(by_module[module], selection, options, plan);
  if (selection.target) {
    // Files after the target in the project's order wait.
    std::map<const MigrationFile*, std::size_t> position;
    for (std::size_t i = 0; i < files.size(); ++i) position[&files[i]] = i;
    const std::size_t limit = position.at(selection.target);
    auto after = [&](const MigrationFile* f) { return position.at(f) > limit; };
    const auto in_plan = std::find(plan.to_apply.begin(), plan.to_apply.end(), selection.target);
    if (in_plan != plan.to_apply.end()) {
      plan.to_apply.erase(in_plan + 1, plan.to_apply.end());
    } else {
      plan.to_apply.erase(std::remove_if(plan.to_apply.begin(), plan.to_apply.end(), after), plan.to_apply.end());
    }
    // A pending file that waits for a later run is nothing to warn about now.
    plan.warnings.erase(std::remove_if(plan.warnings.begin(), plan.warnings.end(),
                                       [&](const StatusEntry& w) {
                                         return w.file && w.state == MigrationState::pending &&
                                                std::find(plan.to_apply.begin(), plan.to_apply.end(), w.file) ==
                                                    plan.to_apply.end();
                                       }),
                        plan.warnings.end());
  }
  return plan;
}

}  // namespace cora
