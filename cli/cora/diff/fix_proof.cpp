#include "cora/diff/fix_proof.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"
#include "cora/db/server_error.hpp"

namespace cora {

namespace {

// A CHECK the fix re-created from pg_get_constraintdef may print with other casts than the one
// the file wrote (diff's round trip tells those apart, but ends the transaction): not counted.
bool check_printed_differently(const SchemaDifference& d) {
  if (d.kind != DifferenceKind::changed || !d.expected || d.expected->kind != "constraint") return false;
  return d.attributes.size() == 1 && d.attributes[0].attribute == "definition" &&
         d.attributes[0].expected.rfind("CHECK (", 0) == 0 && d.attributes[0].actual.rfind("CHECK (", 0) == 0;
}

}  // namespace

FixProof prove_fix_on_fresh_build(Connection& files_schema, const SchemaSnapshot& expected, const std::string& sql,
                                  const CompareOptions& compare) {
  FixProof proof;
  try {
    files_schema.execute_script("BEGIN");
    files_schema.execute_script(sql);
    const auto after = read_schema_snapshot(files_schema, compare.managed_schemas);
    std::string left;
    std::size_t count = 0;
    for (const auto& d : compare_schemas(expected, after, compare)) {
      if (check_printed_differently(d)) continue;
      if (count++ == 0) left = fmt::format("{} {} {}", to_string(d.kind), d.object().kind, d.object().name);
    }
    if (count == 0) proof.proven = true;
    else
      proof.failure =
          fmt::format("it leaves {} difference{} ({}{})", count, count == 1 ? "" : "s", left, count > 1 ? ", ..." : "");
  } catch (const QueryFailed& e) {
    proof.failure = e.what();
  }
  files_schema.rollback_if_in_transaction();
  return proof;
}

}  // namespace cora
