#pragma once
// verify's judgement in two steps: gather everything the server must answer (the catalog, the
// checks' normalised expressions, the probes) in two round trips, then judge it in pure code.
// verify, adopt and checklist all judge through verify_schema.

#include <optional>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/db/history_table.hpp"
#include "cora/verify/read_catalog_snapshot.hpp"
#include "cora/checks/check_model.hpp"
#include "cora/checks/evaluate_checks.hpp"
#include "cora/checks/outcome.hpp"

namespace cora {

class Connection;
class ModuleOrigins;

// What the judges read. Built from a server (read_schema_facts) or from a catalog alone (a JSON
// fixture, see catalog_snapshot_json.hpp), with the answers only a server can give left empty.
struct SchemaFacts {
  CatalogSnapshot catalog;
  FunctionAnalyses analyses;            // what each function body references, analysed once
  NormalisedExpressions expressions;    // the checks' expressions as PostgreSQL normalises them
  std::vector<CheckOutcome> probes;     // the outcome of every probe that ran
  std::optional<HistoryState> history;  // the migration history, when asked for
};

// Pure: the analyses derived from `catalog`, nothing normalised, no probe run.
SchemaFacts facts_from_catalog(CatalogSnapshot catalog);

enum class RunProbes { no, yes };

// Reads the catalog of `schemas` (with the policy-recursion probe if asked) and, given `history`,
// the migration history in one round trip, then the expressions of `checks` and, with
// RunProbes::yes, its probes in one more.
SchemaFacts read_schema_facts(Connection& db, const CheckSet& checks, const std::vector<std::string>& schemas,
                              RecursionProbe recursion, RunProbes probes, const HistoryTable* history = nullptr);

// The built-in lints to run, as [lints] grades them; `origins` (a project with modules) lets a
// finding name the module that creates what a function body names.
struct LintSelection {
  const LintLevels& levels;
  const std::vector<std::string>& exposed_schemas;
  const ModuleOrigins* origins = nullptr;
  TargetKind target_kind = TargetKind::detect;  // [target] kind
};

// Whether Supabase's rules apply to the database `catalog` was read from: as `kind` says, or,
// when it says detect, whether the database has the Data API's roles anon and authenticated.
bool supabase_rules_apply(TargetKind kind, const CatalogSnapshot& catalog);

// Said once per target when the rules marked `supabase` were skipped, or "" when they ran.
std::string supabase_rules_skipped_note(const LintSelection& lints, const CatalogSnapshot& catalog);

// Pure: the outcome of every declared check of `checks` (a probe's as `facts` recorded it, matched
// by its file, line and name; one that did not run fails saying so), then of every built-in lint
// when `lints` is given.
std::vector<CheckOutcome> verify_schema(const CheckSet& checks, const LintSelection* lints, const SchemaFacts& facts);

}  // namespace cora
