#include "cora/diff/drift.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "cora/output/plural.hpp"
#include "cora/db/connection.hpp"
#include "cora/db/history_table.hpp"
#include "cora/db/supabase_roles.hpp"
#include "cora/diff/later_change.hpp"
#include "cora/diff/restore_sql.hpp"
#include "cora/diff/round_trip.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/util/supabase_schemas.hpp"

namespace cora {

namespace {

// The way back for one difference: running the defining file again when that restores exactly
// this object and undoes no later file, else the SQL for a new migration.
void choose_fix(DriftEntry& entry, const std::vector<StatusEntry>& status, const std::vector<MigrationFile>& files,
                const TouchedObjects& touched) {
  const auto& d = entry.difference;
  const auto& object = d.object();
  if (!entry.source) {
    entry.advice = d.kind == DifferenceKind::extra
                       ? "no file creates it: drop it (diff --sql prints how), put it in a new migration, or add it "
                         "to [diff] ignore"
                       : "put the SQL that restores it in a new migration (diff --sql prints it)";
    return;
  }
  const auto* file = entry.source->file;
  const auto it = std::find_if(status.begin(), status.end(), [&](const StatusEntry& s) {
    return s.module == file->module && s.version == file->version && s.name == file->name;
  });
  const MigrationState state = it == status.end() ? MigrationState::pending : it->state;
  if (state == MigrationState::pending) {
    entry.command = "cora-migrate migrate";
    entry.advice = file->file_name + " is not applied to this database yet";
    return;
  }
  const bool reruns =
      (d.kind == DifferenceKind::changed && recreatable_kind(object.kind) && entry.source->restores_definition) ||
      (d.kind == DifferenceKind::missing && entry.source->restores_if_missing);
  if (reruns && (state == MigrationState::applied || state == MigrationState::changed)) {
    if (const auto later = later_change(file, files, touched)) {
      entry.advice = fmt::format(
          "running {} again would also undo {}, which changes {} it defines: put the SQL in a new "
          "migration (diff --sql prints it)",
          file->file_name, later->first->file_name, later->second);
      return;
    }
    const std::string selector = selector_of(*file);
    entry.command = fmt::format("cora-migrate migrate --reapply {}{}", selector,
                                state == MigrationState::applied ? " --force" : "");
    entry.advice = fmt::format("{} re-creates it: run it again", file->file_name);
    return;
  }
  entry.advice =
      fmt::format("running {} again would not restore it: put the SQL in a new migration (diff --sql prints it)",
                  file->file_name);
}

std::string extension_schema(const SchemaObject* o) {
  if (!o) return "";
  const auto it = o->attributes.find("schema");
  return it == o->attributes.end() ? "" : it->second;
}

// Supabase installs extensions in the schema `extensions` (its init scripts pre-create uuid-ossp
// and pgcrypto there; its docs create the rest there): one found there on a Supabase project was
// put there by the platform or on its advice, not drifted.
bool in_supabase_extension_schema(const SchemaDifference& d) {
  return d.kind == DifferenceKind::changed && d.object().kind == "extension" &&
         extension_schema(d.actual) == "extensions";
}

// What diff --sql says instead of ALTER EXTENSION ... SET SCHEMA on a Supabase project, where
// only the extension's owner may move it, and supabase_admin owns those created for postgres.
std::string move_extension_by_hand(const SchemaDifference& d) {
  return fmt::format(
      "-- extension {}: in schema {} here, {} in the files. On Supabase only its owner may move it "
      "(supabase_admin, unless postgres created it): drop and re-create it WITH SCHEMA {} if nothing depends on it, "
      "or change the files\n",
      d.object().name, extension_schema(d.actual), extension_schema(d.expected), extension_schema(d.expected));
}

// A grant to one of the Data API's roles: the expected schema has them (it is built on the
// Supabase-shaped layer, whose default privileges give them), a database without those roles
// cannot.
bool grant_to_api_role(const SchemaObject& o) {
  if (o.kind != "grant") return false;
  for (const char* role : {" to anon", " to authenticated", " to service_role"}) {
    const std::string suffix(role);
    if (o.name.size() >= suffix.size() && o.name.compare(o.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::size_t DriftReport::count(DifferenceKind kind) const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [&](const DriftEntry& e) { return e.difference.kind == kind; }));
}

std::vector<std::string> managed_schemas(const std::vector<std::string>& configured) {
  std::vector<std::string> out;
  for (const auto& s : configured) {
    const auto& own = supabase_schemas();
    if (std::find(own.begin(), own.end(), s) == own.end()) out.push_back(s);
  }
  return out;
}

DriftReport find_drift(Connection& target, LocalCluster& cluster, const std::vector<MigrationFile>& files,
                       const DriftOptions& options) {
  DriftReport report;
  report.managed_schemas = managed_schemas(options.schemas);
  std::vector<const MigrationFile*> ordered;
  for (const auto& f : files) ordered.push_back(&f);
  auto opened = open_expected_schema(cluster, ordered, options.history_table, options.timeouts);
  report.expected_schema = opened.schema;
  auto& expected_db = opened.db;
  report.expected = read_schema_snapshot(*expected_db, report.managed_schemas);
  const bool supabase = options.target_kind == TargetKind::detect ? has_supabase_api_roles(target)
                                                                  : options.target_kind == TargetKind::supabase;
  const auto before = target.round_trips();
  const auto history = HistoryTable(options.history_table).read(target);
  report.actual = read_schema_snapshot(target, report.managed_schemas);
  report.target_round_trips = target.round_trips() - before;

  const auto records = history.records.value_or(std::vector<HistoryRecord>{});
  const auto status = compute_status(files, records);
  const auto pending = std::count_if(status.begin(), status.end(),
                                     [](const StatusEntry& s) { return s.state == MigrationState::pending; });
  if (pending > 0) {
    report.notes.push_back(
        fmt::format("{} not applied to this database yet: what {} is reported missing (run `cora-migrate "
                    "migrate`)",
                    plural(static_cast<std::size_t>(pending), "migration"),
                    pending == 1 ? "it creates" : "they create"));
  }
  CompareOptions compare{report.managed_schemas, options.ignore, true};
  const int expected_major = report.expected.server_version / 10000,
            actual_major = report.actual.server_version / 10000;
  if (expected_major != actual_major) {
    compare.compare_deparsed = false;
    report.notes.push_back(fmt::format(
        "the database runs PostgreSQL {} and the files were applied on PostgreSQL {}: expressions and definitions "
        "(defaults, generated columns, index, constraint, trigger and view definitions, policy expressions) print "
        "differently across major versions and were not compared; everything else was",
        actual_major, expected_major));
  }
  std::vector<PreparedMigration> prepared;
  prepared.reserve(files.size());
  for (const auto& f : files) prepared.push_back(prepare_migration(f));
  // A delta recorded `included` never ran on this database: never the source cited (as verify).
  std::set<const MigrationFile*> never_ran;
  for (const auto& entry : status) {
    if (entry.file && entry.record && entry.record->action == "included") never_ran.insert(entry.file);
  }
  const ObjectSources sources(prepared, never_ran);
  auto touched = touched_objects(prepared);
  for (const auto* file : never_ran) touched.erase(file);  // nor does running a file again undo it
  std::vector<std::string> left_in_extensions;
  bool skipped_api_grants = false;
  std::set<std::string> left_alone;  // differences diff does not report: no fix is expected to change them
  for (auto& d : compare_schemas(report.expected, report.actual, compare)) {
    left_alone.insert(difference_key(d));
    if (same_check_after_round_trip(*expected_db, d)) continue;  // printed differently, the same constraint
    const std::string attribute = d.attributes.empty() ? "" : d.attributes.front().attribute;
    const auto source = sources.find(d.object(), attribute);
    // The expected schema starts from the compatibility layer, which pre-creates Supabase's
    // extensions: one that no file creates is not the files' to restore.
    if (d.kind == DifferenceKind::missing && d.object().kind == "extension" && !source) continue;
    if (!supabase && grant_to_api_role(d.object())) {
      skipped_api_grants = true;
      continue;
    }
    if (supabase && in_supabase_extension_schema(d)) {
      left_in_extensions.push_back(d.object().name);
      continue;
    }
    DriftEntry entry{d, std::nullopt, "", "", restore_sql(d, report.expected)};
    if (supabase && d.kind == DifferenceKind::changed && d.object().kind == "extension") {
      entry.sql = move_extension_by_hand(d);
    }
    entry.source = source;
    choose_fix(entry, status, files, touched);
    left_alone.erase(difference_key(d));
    report.entries.push_back(std::move(entry));
  }
  if (skipped_api_grants) {
    report.notes.push_back(
        "grants to anon, authenticated and service_role were not compared: this database is not a Supabase project "
        "(it lacks those roles; [target] kind = \"supabase\" compares them)");
  }
  if (!left_in_extensions.empty()) {
    std::string names;
    for (const auto& name : left_in_extensions) names += (names.empty() ? "" : ", ") + name;
    report.notes.push_back(fmt::format(
        "in schema extensions here, elsewhere in the files: {} (Supabase keeps extensions there; not drift)", names));
  }
  if (options.prove_fix && !report.entries.empty()) {
    std::vector<std::string> parts;
    for (const auto& e : report.entries) parts.push_back(e.sql);
    report.fix_proof = prove_fix_on_fresh_build(*expected_db, report.expected, parts, compare);
    if (options.fix_for_migration) {
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (!report.fix_proof->part_failures.at(i).empty()) parts[i].clear();  // written commented out
      }
    }
    report.copy_proof = prove_fix_on_drifted_copy(target, report.actual, cluster, report.expected, parts, compare,
                                                  left_alone, options.timeouts.connect);
  }
  return report;
}

}  // namespace cora
