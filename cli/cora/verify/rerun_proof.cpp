#include "cora/verify/rerun_proof.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "cora/db/connection.hpp"
#include "cora/diff/compare_schemas.hpp"
#include "cora/diff/drift.hpp"
#include "cora/diff/drift_render.hpp"
#include "cora/diff/later_change.hpp"
#include "cora/diff/object_sources.hpp"
#include "cora/diff/schema_snapshot.hpp"
#include "cora/error.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/local/throwaway_database.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "cora/output/progress.hpp"

namespace cora {

namespace {

// Each table's row count and oid: a table dropped and created again keeps its name, its columns
// and (on a scratch database) its zero rows, but not its oid. One round trip.
constexpr const char* kTableRowsSql = R"(
SELECT coalesce(json_agg(json_build_object('table', n.nspname || '.' || c.relname, 'oid', c.oid::text,
  'rows', (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname),
                                               false, true, '')))[1]::text)), '[]'::json)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname IN (SELECT json_array_elements_text($1::json)))";

struct TableRows {
  std::string oid;
  std::string rows;
};

std::map<std::string, TableRows> read_table_rows(Connection& db, const std::vector<std::string>& schemas,
                                                 const std::string& history_table) {
  const auto result = db.query(kTableRowsSql, {nlohmann::json(schemas).dump()});
  std::map<std::string, TableRows> out;
  for (const auto& t : nlohmann::json::parse(result.rows.at(0).at(0).value_or("[]"))) {
    const auto name = t.at("table").get<std::string>();
    if (name == history_table) continue;  // the re-run's own history row
    out[name] = {t.at("oid").get<std::string>(), t.at("rows").get<std::string>()};
  }
  return out;
}

struct Baseline {
  SchemaSnapshot catalog;
  std::map<std::string, TableRows> rows;
};

Baseline read_baseline(Connection& db, const std::vector<std::string>& schemas, const std::string& history_table) {
  return {read_schema_snapshot(db, schemas), read_table_rows(db, schemas, history_table)};
}

// "migrations/009-x.sql:12:5: relation ..." -> 12 (the migrator names the failing line so).
int failing_line(const std::string& message, const MigrationFile& file) {
  const std::string prefix = file.path.string() + ":";
  if (message.rfind(prefix, 0) != 0) return 1;
  int line = 0;
  for (std::size_t i = prefix.size(); i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
    line = line * 10 + (message[i] - '0');
  }
  return line > 0 ? line : 1;
}

std::string describe(const SchemaDifference& d) {
  const auto& object = d.object();
  const std::string what = object.kind + " " + object.name;
  if (d.kind == DifferenceKind::missing) return what + ": gone after the second run";
  if (d.kind == DifferenceKind::extra) return what + ": appears only after the second run";
  std::string out = what + ":";
  for (const auto& a : d.attributes) {
    const auto change = describe_change(a.expected, a.actual);
    out += fmt::format(" {}{} was {}, is now {};", a.attribute, change.where.empty() ? "" : " (" + change.where + ")",
                       change.expected, change.actual);
  }
  out.pop_back();
  return out;
}

class FileProof {
 public:
  FileProof(const MigrationFile& file, RerunProof& proof)
      : file_(file),
        prepared_(prepare_migration(file)),
        sources_(std::vector<PreparedMigration>{prepared_}),
        destructive_(first_destructive_statement(file)),
        proof_(proof) {}

  void failed(const Error& e) {
    add(failing_line(e.what(), file_), "runs a second time without an error",
        fmt::format("the second run fails: {}", e.what()),
        "make every statement safe to run twice: CREATE … IF NOT EXISTS, CREATE OR REPLACE, DROP POLICY/TRIGGER "
        "IF EXISTS before CREATE POLICY/TRIGGER, ADD COLUMN IF NOT EXISTS");
  }

  void compare(const Baseline& before, const Baseline& after, const CompareOptions& options) {
    const auto differences = compare_schemas(before.catalog, after.catalog, options);
    if (!differences.empty()) {
      std::vector<Finding> findings;
      for (const auto& d : differences) {
        findings.push_back({Severity::error, "leaves the catalog as the first run left it", describe(d),
                            "a re-run must leave existing objects alone: no DROP … CASCADE (it takes other files' "
                            "foreign keys, policies and views with it), CREATE … IF NOT EXISTS instead of DROP and "
                            "CREATE"});
      }
      add_findings(line_of(differences.front()), std::move(findings));
    }
    std::vector<Finding> findings;
    for (const auto& [table, was] : before.rows) {
      const auto it = after.rows.find(table);
      if (it == after.rows.end()) continue;  // gone: the catalog comparison says so
      if (it->second.oid != was.oid) {
        findings.push_back({Severity::error, fmt::format("table {} kept, with its rows", table),
                            fmt::format("table {} was dropped and created again: on a database with data its rows "
                                        "would be lost",
                                        table),
                            "CREATE TABLE IF NOT EXISTS instead of DROP TABLE and CREATE TABLE"});
      } else if (it->second.rows != was.rows) {
        findings.push_back({Severity::error,
                            fmt::format("table {} keeps its {} {}", table, was.rows, was.rows == "1" ? "row" : "rows"),
                            fmt::format("table {} has {} {} after the second run", table, it->second.rows,
                                        it->second.rows == "1" ? "row" : "rows"),
                            "seed rows with INSERT … ON CONFLICT DO NOTHING; no TRUNCATE or DELETE of existing rows"});
      }
    }
    if (!findings.empty()) add_findings(destructive_ ? destructive_->line : first_line(), std::move(findings));
  }

  void passed() { add_findings(first_line(), {}); }

 private:
  int first_line() const {
    return prepared_.script.statements.empty() ? 1 : prepared_.script.statements.front().first_line;
  }

  // The file's statement that destroys data (a DROP ... CASCADE takes other objects with it),
  // else the one that defines the object.
  int line_of(const SchemaDifference& d) const {
    if (destructive_) return destructive_->line;
    const std::string attribute = d.attributes.empty() ? "" : d.attributes.front().attribute;
    if (const auto source = sources_.find(d.object(), attribute)) return source->line;
    return first_line();
  }

  void add(int line, std::string expected, std::string found, std::string fix) {
    add_findings(line, {{Severity::error, std::move(expected), std::move(found), std::move(fix)}});
  }

  void add_findings(int line, std::vector<Finding> findings) {
    CheckOutcome outcome;
    outcome.kind = "rerun";
    outcome.subject = display_name(file_);
    outcome.origin = {file_.path.string(), line};
    outcome.findings = std::move(findings);
    proof_.outcomes.push_back(std::move(outcome));
  }

  const MigrationFile& file_;
  PreparedMigration prepared_;
  ObjectSources sources_;
  std::optional<DestructiveStatement> destructive_;
  RerunProof& proof_;
};

}  // namespace

RerunSelection rerunnable_files(const std::vector<MigrationFile>& files, bool has_modules,
                                const std::vector<std::string>& selectors) {
  RerunSelection out;
  if (!selectors.empty()) {
    std::set<const MigrationFile*> named;
    for (const auto& s : selectors) named.insert(&find_migration(files, s, "--rerun-only"));
    for (const auto& f : files) {
      if (named.count(&f)) out.files.push_back(&f);
    }
    return out;
  }
  if (has_modules) {
    for (const auto& f : files) {
      if (f.role == FileRole::snapshot) out.files.push_back(&f);
    }
    return out;
  }
  std::vector<PreparedMigration> prepared;
  prepared.reserve(files.size());
  for (const auto& f : files) prepared.push_back(prepare_migration(f));
  const auto touched = touched_objects(prepared);
  for (const auto& f : files) {
    if (const auto later = later_change(&f, files, touched)) {
      out.skipped.emplace_back(&f, fmt::format("not run again: it would undo {}, which changes {} too (--rerun-only {} "
                                               "runs it anyway)",
                                               later->first->file_name, later->second, selector_of(f)));
    } else {
      out.files.push_back(&f);
    }
  }
  return out;
}

RerunProof prove_reruns(const LocalCluster& cluster, const std::string& built, const std::vector<MigrationFile>& files,
                        const RerunSelection& reruns, const RerunProofOptions& options) {
  RerunProof proof;
  for (const auto& [file, why] : reruns.skipped) {
    CheckOutcome skipped;
    skipped.kind = "rerun";
    skipped.subject = display_name(*file);
    skipped.origin = {file->path.string(), 1};
    skipped.silenced = why;
    proof.outcomes.push_back(std::move(skipped));
  }
  const auto schemas = managed_schemas(options.schemas);
  const auto connect_timeout = options.migrate.timeouts.connect;
  Baseline before;
  {
    auto db = Connection::open(cluster.conninfo(built), connect_timeout);
    before = read_baseline(*db, schemas, options.history_table);
  }  // a template must have no session open
  // The re-run's own history rows and helper functions are not the file's doing.
  const CompareOptions compare{schemas, {options.history_table, options.history_table + "_*"}, true};
  auto admin = Connection::open(cluster.conninfo("postgres"), connect_timeout);
  Progress progress("verify --rerun: running again file");
  for (std::size_t i = 0; i < reruns.files.size(); ++i) {
    const MigrationFile& file = *reruns.files[i];
    progress.update(i + 1, reruns.files.size(), display_name(file));
    FileProof check(file, proof);
    const ThrowawayDatabase copy(*admin, fmt::format("{}_rerun_{}", built, i), "TEMPLATE " + built);
    auto db = Connection::open(cluster.conninfo(copy.name()), connect_timeout);
    MigrateOptions migrate = options.migrate;
    migrate.target.reset();
    migrate.reapply = ReapplySelection{false, {selector_of(file)}, true};
    migrate.allow_destructive = true;  // what it destroys is what the proof is for
    Migrator migrator(*db, HistoryTable(options.history_table), migrate);
    auto prepared = migrator.prepare(files);
    MigrateObserver quiet;
    try {
      migrator.apply(prepared, quiet);
    } catch (const Error& e) {
      if (e.code() != ExitCode::migration_failed) throw;
      check.failed(e);
      ++proof.files;
      continue;
    }
    ++proof.files;
    const auto outcomes_before = proof.outcomes.size();
    check.compare(before, read_baseline(*db, schemas, options.history_table), compare);
    if (proof.outcomes.size() == outcomes_before) check.passed();
  }
  return proof;
}

}  // namespace cora
