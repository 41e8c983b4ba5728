#include "cora/diff/fix_proof.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "cora/db/connection.hpp"
#include "cora/db/server_error.hpp"
#include "cora/local/local_cluster.hpp"
#include "cora/local/throwaway_database.hpp"
#include "cora/output/machine_text.hpp"

namespace cora {

namespace {

// A CHECK the fix re-created from pg_get_constraintdef may print with other casts than the one
// the file wrote (diff's round trip tells those apart, but ends the transaction): not counted.
bool check_printed_differently(const SchemaDifference& d) {
  if (d.kind != DifferenceKind::changed || !d.expected || d.expected->kind != "constraint") return false;
  return d.attributes.size() == 1 && d.attributes[0].attribute == "definition" &&
         d.attributes[0].expected.rfind("CHECK (", 0) == 0 && d.attributes[0].actual.rfind("CHECK (", 0) == 0;
}

// Every line a "-- " comment (or blank): a fix to make by hand, which PostgreSQL would answer with
// an empty query.
bool comments_only(const std::string& sql) {
  std::size_t start = 0;
  while (start < sql.size()) {
    auto end = sql.find('\n', start);
    if (end == std::string::npos) end = sql.size();
    const auto first = sql.find_first_not_of(" \t", start);
    if (first < end && sql.compare(first, 2, "--") != 0) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::size_t FixProof::failed_parts() const {
  return static_cast<std::size_t>(
      std::count_if(part_failures.begin(), part_failures.end(), [](const std::string& f) { return !f.empty(); }));
}

std::string difference_key(const SchemaDifference& d) {
  return fmt::format("{} {} {}", to_string(d.kind), d.object().kind, d.object().name);
}

FixProof prove_fix_on_fresh_build(Connection& files_schema, const SchemaSnapshot& expected,
                                  const std::vector<std::string>& parts, const CompareOptions& compare,
                                  const std::set<std::string>& tolerated) {
  FixProof proof;
  files_schema.execute_script("BEGIN");
  for (const auto& part : parts) {
    proof.part_failures.emplace_back();
    if (comments_only(part)) continue;  // "do it by hand": nothing to run
    files_schema.execute_script("SAVEPOINT cora_fix_part");
    try {
      files_schema.execute_script(part);
      files_schema.execute_script("RELEASE SAVEPOINT cora_fix_part");
    } catch (const QueryFailed& e) {
      files_schema.execute_script("ROLLBACK TO SAVEPOINT cora_fix_part");
      proof.part_failures.back() = e.what();
    }
  }
  const auto after = read_schema_snapshot(files_schema, compare.managed_schemas);
  files_schema.rollback_if_in_transaction();
  std::string left;
  std::size_t count = 0;
  for (const auto& d : compare_schemas(expected, after, compare)) {
    if (check_printed_differently(d) || tolerated.count(difference_key(d))) continue;
    if (count++ == 0) left = difference_key(d);
  }
  if (count == 0) proof.proven = true;
  else
    proof.failure =
        fmt::format("it leaves {} difference{} ({}{})", count, count == 1 ? "" : "s", left, count > 1 ? ", ..." : "");
  return proof;
}

CopyProof prove_fix_on_drifted_copy(Connection& live, const SchemaSnapshot& live_schema, LocalCluster& cluster,
                                    const SchemaSnapshot& expected, const std::vector<std::string>& parts,
                                    const CompareOptions& compare, const std::set<std::string>& tolerated,
                                    std::chrono::milliseconds connect_timeout) {
  CopyProof proof;
  if (live.host() != cluster.socket_dir().string()) {
    proof.why = "only a database on the embedded cluster is copied";
    return proof;
  }
  const std::string database = live.query("SELECT pg_catalog.current_database()").text(0, "current_database");
  auto admin = Connection::open(cluster.conninfo("postgres", LocalCluster::kSuperuser), connect_timeout);
  ThrowawayDatabase copy(*admin,
                         fmt::format("cora_drift_copy_{}_{}", getpid(),
                                     std::chrono::steady_clock::now().time_since_epoch().count() % 1000000),
                         "TEMPLATE template0");
  if (auto why = cluster.copy_schema(database, copy.name()); !why.empty()) {
    std::replace(why.begin(), why.end(), '\n', ' ');
    proof.why = "copying its schema failed: " + why;
    return proof;
  }
  auto db = Connection::open(cluster.conninfo(copy.name(), LocalCluster::kSuperuser), connect_timeout);
  // pg_dump's round trip prints some expressions otherwise (a partial index's or a CHECK's
  // casts): expressions and definitions are not compared on the copy, everything else is.
  CompareOptions on_copy = compare;
  on_copy.compare_deparsed = false;
  // A copy that is not the database is no proof of anything about it.
  const auto differs = compare_schemas(live_schema, read_schema_snapshot(*db, on_copy.managed_schemas), on_copy);
  if (!differs.empty()) {
    proof.why = "the copy differs from it (" + difference_key(differs.front()) + ")";
    return proof;
  }
  proof.tried = true;
  const auto run = prove_fix_on_fresh_build(*db, expected, parts, on_copy, tolerated);
  proof.proven = run.proven;
  proof.why = run.failure;
  return proof;
}

std::string mark_unsafe_fix_part(const std::string& sql, const std::string& failure, bool as_comment) {
  // The server's message may quote a name with a line break in it: one comment line, always.
  const std::string reason = sql_comment_text(failure);
  if (!as_comment) {
    return "-- fails after the files (a fresh build): " + reason +
           ": not for a migration as it is (--new comments it out)\n" + sql;
  }
  std::string out = "-- not run: after the files (a fresh build) it fails: " + reason +
                    "; make it safe there (IF NOT EXISTS, a DO block) or run it by hand on this database only\n";
  std::size_t start = 0;
  while (start < sql.size()) {
    auto end = sql.find('\n', start);
    if (end == std::string::npos) end = sql.size();
    out += "-- " + sql.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace cora
