#pragma once
// Running a checklist scenario: its steps, as their roles with their JWT claims, and the
// expectations checked after them, all in one transaction that is always rolled back.

#include <optional>
#include <string>
#include <vector>

#include "cora/checklist/checklist.hpp"
#include "cora/db/server_error.hpp"

namespace cora {

class Connection;

// An expectation to check after step `after_step` of the scenario.
struct BoundExpectation {
  const ScenarioExpectation* expectation = nullptr;
  std::size_t after_step = 0;
};

// A step whose statement the server refused: the scenario stopped there.
struct StepFailure {
  std::size_t step = 0;
  std::string sql;  // the statement refused (or the SET ROLE / claims set-up)
  ServerError error;
};

struct ExpectationResult {
  enum class Status { passed, wrong_rows, query_failed, not_reached };
  Status status = Status::not_reached;
  std::vector<std::vector<std::string>> found;  // passed, wrong_rows; NULL as "NULL"
  std::optional<ServerError> error;             // query_failed
};

struct ScenarioRun {
  std::vector<ExpectationResult> results;  // one per BoundExpectation, in the same order
  std::optional<StepFailure> failure;      // the step that stopped the scenario, if one did
};

// Runs `scenario` in one transaction that is rolled back at the end, and by the server if the
// process dies: nothing it does is ever committed. Each step runs as its role with its claims
// (SET LOCAL ROLE, request.jwt.claims); the expectations bound after a step then run as the
// connecting user, each under a savepoint, so one whose query fails does not stop the others. A
// step whose statement fails stops the scenario: the expectations from that step on are not
// reached. One round trip when nothing fails, plus one per failing query. Throws cora::Error
// (interrupted) after SIGINT/SIGTERM, QueryFailed / ConnectionLost if the server refuses the
// transaction itself.
ScenarioRun run_scenario(Connection& db, const Scenario& scenario, const std::vector<BoundExpectation>& expectations);

}  // namespace cora
