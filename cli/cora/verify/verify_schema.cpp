#include "cora/verify/verify_schema.hpp"

#include <algorithm>

#include "cora/db/connection.hpp"
#include "cora/db/history_table.hpp"
#include "cora/lints/lints.hpp"
#include "cora/verify/live_checks.hpp"

namespace cora {

namespace {

CheckOutcome outcome_of_probe(const ProbeCheck& probe, const std::vector<CheckOutcome>& ran) {
  const auto it = std::find_if(ran.begin(), ran.end(), [&](const CheckOutcome& o) {
    return o.kind == "probe" && o.subject == probe.name && o.origin.file == probe.origin.file &&
           o.origin.line == probe.origin.line;
  });
  if (it != ran.end()) return *it;
  // Only a caller that gathered facts without this probe gets here: say so rather than pass.
  CheckOutcome missing{"probe", probe.name, probe.origin, {}};
  missing.findings.push_back({Severity::error, "the probe ran", "it was not run", "run verify against a database"});
  return missing;
}

}  // namespace

SchemaFacts facts_from_catalog(CatalogSnapshot catalog) {
  SchemaFacts facts;
  facts.analyses = analyse_functions(catalog);
  facts.catalog = std::move(catalog);
  return facts;
}

SchemaFacts read_schema_facts(Connection& db, const CheckSet& checks, const std::vector<std::string>& schemas,
                              RecursionProbe recursion, RunProbes probes, const HistoryTable* history) {
  // The history rides in the catalog's round trip, in a segment of its own, first: a failed
  // recursion probe leaves its transaction block aborted until the ROLLBACK decoding sends.
  std::vector<std::vector<PipelineStep>> segments;
  if (history) segments.push_back(history->read_steps());
  segments.push_back(catalog_snapshot_steps(schemas, recursion));
  const auto outcomes = db.run_segments(segments);
  auto facts = facts_from_catalog(decode_catalog_snapshot(db, outcomes.back(), recursion));
  if (history) facts.history = history->decode_read(outcomes.front().results, outcomes.front().error);
  const auto expressions = expressions_to_normalise(checks, facts.catalog);
  if (probes == RunProbes::yes) {
    auto live = run_live_checks(db, expressions, checks.probes);
    facts.expressions = std::move(live.expressions);
    facts.probes = std::move(live.probes);
  } else {
    facts.expressions = normalise_expressions(db, expressions);
  }
  return facts;
}

bool supabase_rules_apply(TargetKind kind, const CatalogSnapshot& catalog) {
  if (kind != TargetKind::detect) return kind == TargetKind::supabase;
  return catalog.roles.count("anon") > 0 && catalog.roles.count("authenticated") > 0;
}

std::string supabase_rules_skipped_note(const LintSelection& lints, const CatalogSnapshot& catalog) {
  if (supabase_rules_apply(lints.target_kind, catalog)) return "";
  return lints.target_kind == TargetKind::postgres
             ? "Supabase's rules (what the anon and authenticated roles may reach) were skipped: [target] kind = "
               "\"postgres\""
             : "Supabase's rules (what the anon and authenticated roles may reach) were skipped: the database has no "
               "roles anon and authenticated, so it is not a Supabase project ([target] kind = \"supabase\" applies "
               "them anyway)";
}

std::vector<CheckOutcome> verify_schema(const CheckSet& checks, const LintSelection* lints, const SchemaFacts& facts) {
  auto outcomes = evaluate_checks(checks, facts.catalog, facts.expressions, facts.analyses);
  for (const auto& probe : checks.probes) outcomes.push_back(outcome_of_probe(probe, facts.probes));
  if (lints) {
    auto found = run_lints(facts.catalog, facts.analyses, lints->levels, lints->exposed_schemas, lints->origins,
                           supabase_rules_apply(lints->target_kind, facts.catalog));
    outcomes.insert(outcomes.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return outcomes;
}

}  // namespace cora
