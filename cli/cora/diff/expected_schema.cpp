#include "cora/diff/expected_schema.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "cora/db/connection.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/error.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/local/throwaway_database.hpp"
#include "cora/output/progress.hpp"
#include "cora/util/sha256.hpp"
#include "cora/version.hpp"

namespace cora {

namespace {

constexpr const char* kPrefix = "cora_expected_";
constexpr const char* kDuplicateDatabase = "42P04";

bool database_exists(Connection& admin, const std::string& name) {
  return !admin.query("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", {name}).rows.empty();
}

// Templates of other files (an edit ago) are not needed again. `db` is any connection to the
// cluster but one to those templates.
void drop_stale_templates(Connection& db, const std::string& keep) {
  const auto stale =
      db.query("SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE 'cora\\_expected\\_%' AND datname <> $1",
               {keep});
  for (const auto& row : stale.rows) {
    try {
      db.execute_script("DROP DATABASE IF EXISTS " + row.at(0).value_or("") + " WITH (FORCE)");
    } catch (const QueryFailed&) {
      // Another run dropped it first.
    }
  }
}

// The files applied so far, on a terminal, when the build takes more than a second.
class BuildProgress : public MigrateObserver {
 public:
  void starting(const MigrationFile& file, std::size_t index, std::size_t total) override {
    progress_.update(index + 1, total, display_name(file));
  }

 private:
  Progress progress_{"building the expected schema, applying file"};
};

}  // namespace

std::string expected_schema_name(const std::vector<const MigrationFile*>& files, const std::string& history_table) {
  // The tool's version is part of the key: another version may apply files differently; so is
  // the compatibility layer the database starts from (its default privileges, say).
  std::string key =
      fmt::format("{}\n{}\n{}\n", tool_version(), LocalCluster::compatibility_layer_version(), history_table);
  for (const auto* f : files) key += fmt::format("{} {} {}\n", f->version, f->name, f->checksum);
  return kPrefix + sha256_hex(key).substr(0, 16);
}

ExpectedSchema build_expected_schema(LocalCluster& cluster, const std::vector<const MigrationFile*>& files,
                                     const std::string& history_table, const Timeouts& timeouts) {
  const auto started = std::chrono::steady_clock::now();
  cluster.ensure_running();
  const std::string name = expected_schema_name(files, history_table);
  auto admin = Connection::open(cluster.conninfo("postgres"), timeouts.connect);
  ExpectedSchema out{name, true, {}};
  if (!database_exists(*admin, name)) {
    out.reused = false;
    // Dropped when the build fails or loses the race to another process.
    ThrowawayDatabase build(*admin, fmt::format("cora_building_{}_{}", getpid(),
                                                std::chrono::steady_clock::now().time_since_epoch().count() % 1000000));
    {
      auto db = Connection::open(cluster.conninfo(build.name()), timeouts.connect);
      MigrateOptions options;
      options.timeouts = timeouts;
      options.client = "cora-migrate diff";
      // Files of one module may share a version; a one-folder project's discovery refuses that already.
      options.siblings_allowed = true;
      Migrator migrator(*db, HistoryTable(history_table), options);
      std::vector<MigrationFile> ordered;
      ordered.reserve(files.size());
      for (const auto* f : files) ordered.push_back(*f);
      auto prepared = migrator.prepare(ordered);
      BuildProgress progress;
      migrator.apply(prepared, progress);
    }  // a database with a session open cannot be renamed
    try {
      admin->execute_script(fmt::format("ALTER DATABASE {} RENAME TO {}", build.name(), name));
      build.keep();
    } catch (const QueryFailed& e) {
      // Another diff built the same files meanwhile: use theirs, drop ours.
      if (e.error().sqlstate != kDuplicateDatabase) throw;
    }
  }
  drop_stale_templates(*admin, name);
  out.build_time = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return out;
}

OpenedExpectedSchema open_expected_schema(LocalCluster& cluster, const std::vector<const MigrationFile*>& files,
                                          const std::string& history_table, const Timeouts& timeouts) {
  const auto started = std::chrono::steady_clock::now();
  const std::string name = expected_schema_name(files, history_table);
  cluster.ensure_running();
  // Built by an earlier run, as it mostly is: one connection, straight to it.
  try {
    // The connection is opened before the result is assembled: g++ 12 destroys the already
    // built members of an aggregate twice when a later initializer throws.
    auto db = Connection::open(cluster.conninfo(name), timeouts.connect);
    OpenedExpectedSchema out;
    out.schema = {name, true, {}};
    out.db = std::move(db);
    drop_stale_templates(*out.db, name);
    out.schema.build_time =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return out;
  } catch (const Error&) {
    // Not there (or not reachable): the way that builds it says which.
  }
  OpenedExpectedSchema out;
  out.schema = build_expected_schema(cluster, files, history_table, timeouts);
  out.db = Connection::open(cluster.conninfo(out.schema.database), timeouts.connect);
  return out;
}

}  // namespace cora
