#include "cora/checklist/scenario_runner.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"
#include "cora/db/interrupt.hpp"
#include "cora/error.hpp"
#include "cora/db/sql_text.hpp"

namespace cora {

namespace {

// One message of the pipeline, and what it is for.
struct Operation {
  enum class Kind { control, step, expectation };
  Kind kind = Kind::control;
  PipelineStep message;
  std::size_t step = 0;         // the scenario step it belongs to (or follows)
  std::size_t expectation = 0;  // expectation: index into the bound expectations
};

// BEGIN; for each step, its role, claims and statements, then the expectations bound after it,
// each between SAVEPOINT / ROLLBACK TO / RELEASE; ROLLBACK.
std::vector<Operation> plan_operations(const Scenario& scenario, const std::vector<BoundExpectation>& expectations) {
  using Kind = Operation::Kind;
  std::vector<Operation> ops;
  ops.push_back({Kind::control, {"BEGIN", {}}, 0, 0});
  for (std::size_t s = 0; s < scenario.steps.size(); ++s) {
    const auto& step = scenario.steps[s];
    const std::string claims = step.claims.value_or("");
    ops.push_back({Kind::step, {"SELECT pg_catalog.set_config('request.jwt.claims', $1, true)", {claims}}, s, 0});
    if (step.role) ops.push_back({Kind::step, {"SET LOCAL ROLE " + quote_identifier(*step.role), {}}, s, 0});
    for (const auto& statement : step.statements) ops.push_back({Kind::step, {statement, {}}, s, 0});
    if (step.role) ops.push_back({Kind::step, {"RESET ROLE", {}}, s, 0});
    ops.push_back({Kind::step, {"SELECT pg_catalog.set_config('request.jwt.claims', '', true)", {}}, s, 0});
    for (std::size_t e = 0; e < expectations.size(); ++e) {
      if (expectations[e].after_step != s) continue;
      ops.push_back({Kind::control, {"SAVEPOINT cora_expect", {}}, s, 0});
      ops.push_back({Kind::expectation, {expectations[e].expectation->sql, {}}, s, e});
      ops.push_back({Kind::control, {"ROLLBACK TO SAVEPOINT cora_expect", {}}, s, 0});
      ops.push_back({Kind::control, {"RELEASE SAVEPOINT cora_expect", {}}, s, 0});
    }
  }
  ops.push_back({Kind::control, {"ROLLBACK", {}}, 0, 0});
  return ops;
}

std::vector<std::vector<std::string>> text_rows(const QueryResult& r) {
  std::vector<std::vector<std::string>> out;
  for (const auto& row : r.rows) {
    auto& cells = out.emplace_back();
    for (const auto& cell : row) cells.push_back(cell.value_or("NULL"));
  }
  return out;
}

// Ends the transaction however the scenario ended; the server does it anyway if we cannot.
void roll_back(Connection& db) noexcept {
  try {
    db.execute_script("ROLLBACK");
  } catch (...) {
  }
}

[[noreturn]] void throw_interrupted(const Scenario& scenario) {
  throw Error(ExitCode::interrupted, fmt::format("interrupted while running scenario \"{}\"", scenario.name),
              "its transaction was rolled back: nothing it did was kept");
}

}  // namespace

ScenarioRun run_scenario(Connection& db, const Scenario& scenario, const std::vector<BoundExpectation>& expectations) {
  using Kind = Operation::Kind;
  ScenarioRun run;
  run.results.resize(expectations.size());
  const auto ops = plan_operations(scenario, expectations);
  std::size_t pos = 0;
  try {
    while (pos < ops.size()) {
      std::vector<PipelineStep> messages;
      for (std::size_t i = pos; i < ops.size(); ++i) messages.push_back(ops[i].message);
      const auto outcome = db.run_pipeline(messages);
      for (std::size_t i = 0; i < outcome.results.size(); ++i) {
        const auto& op = ops[pos + i];
        if (op.kind != Kind::expectation) continue;
        auto& result = run.results[op.expectation];
        result.found = text_rows(outcome.results[i]);
        result.status = result.found == expectations[op.expectation].expectation->rows
                            ? ExpectationResult::Status::passed
                            : ExpectationResult::Status::wrong_rows;
      }
      if (!outcome.error) break;
      const std::size_t failed = pos + *outcome.failed_step;
      const auto& op = ops[failed];
      if (outcome.error->sqlstate == kQueryCanceled && interrupted()) {
        roll_back(db);
        throw_interrupted(scenario);
      }
      if (op.kind == Kind::expectation) {
        run.results[op.expectation].status = ExpectationResult::Status::query_failed;
        run.results[op.expectation].error = *outcome.error;
        db.execute_script("ROLLBACK TO SAVEPOINT cora_expect; RELEASE SAVEPOINT cora_expect");
        pos = failed + 3;  // past its ROLLBACK TO and RELEASE
        continue;
      }
      roll_back(db);
      if (op.kind == Kind::control) throw QueryFailed(*outcome.error);
      run.failure = StepFailure{op.step, op.message.sql, *outcome.error};
      break;  // expectations not run stay not_reached
    }
  } catch (const QueryFailed&) {
    roll_back(db);
    throw;
  }
  if (interrupted()) throw_interrupted(scenario);
  return run;
}

}  // namespace cora
