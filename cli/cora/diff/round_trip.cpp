#include "cora/diff/round_trip.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"
#include "cora/db/sql_text.hpp"

namespace cora {

namespace {

bool is_check(const std::string& definition) { return definition.rfind("CHECK (", 0) == 0; }

}  // namespace

bool same_check_after_round_trip(Connection& scratch, const SchemaDifference& d) {
  if (d.kind != DifferenceKind::changed || !d.expected || !d.actual || d.expected->kind != "constraint") return false;
  if (d.attributes.size() != 1 || d.attributes[0].attribute != "definition") return false;
  const auto& a = d.attributes[0];
  if (!is_check(a.expected) || !is_check(a.actual)) return false;
  const std::string table = d.expected->parent.substr(d.expected->parent.find(':') + 1);
  const std::string qualified = quote_qualified(table);
  const auto outcome = scratch.run_pipeline({
      {"BEGIN", {}},
      {fmt::format("CREATE TEMP TABLE cora_round_trip (LIKE {})", qualified), {}},
      {"ALTER TABLE cora_round_trip ADD CONSTRAINT cora_files " + a.expected, {}},
      {"ALTER TABLE cora_round_trip ADD CONSTRAINT cora_database " + a.actual, {}},
      {"SELECT pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint "
       "WHERE conrelid = 'cora_round_trip'::regclass ORDER BY conname",
       {}},
      {"ROLLBACK", {}},
  });
  if (outcome.error) {
    scratch.rollback_if_in_transaction();
    return false;
  }
  const auto& rows = outcome.results.at(4).rows;
  return rows.size() == 2 && rows[0].at(0) == rows[1].at(0);
}

}  // namespace cora
