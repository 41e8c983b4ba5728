#include "cora/verify/live_checks.hpp"

#include <fmt/format.h>

#include "cora/db/connection.hpp"
#include "cora/db/sqlstate_advice.hpp"
#include "cora/db/sql_text.hpp"

namespace cora {

namespace {

std::string describe_rows(const QueryResult& r) {
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size() && i < 5; ++i) {
    out += i ? ", [" : "[";
    for (std::size_t c = 0; c < r.rows[i].size(); ++c) out += (c ? ", " : "") + r.rows[i][c].value_or("NULL");
    out += "]";
  }
  if (r.rows.size() > 5) out += fmt::format(", … {} rows", r.rows.size());
  return out + "]";
}

// Policies and grants are the answer only when the server said so (42501: a privilege, or a
// row-level security policy); a missing column or table is not fixed by a grant.
std::string probe_failure_hint(const ProbeCheck& p, const ServerError& e) {
  if (e.sqlstate == "42501") return "check the policies and grants that apply to " + p.role;
  return sqlstate_advice(e.sqlstate);
}

void judge(CheckOutcome& out, const ProbeCheck& p, const PipelineOutcome& result, std::size_t probe_step) {
  const bool failed = result.error.has_value();
  const bool failed_in_probe = failed && result.failed_step == probe_step;
  if (failed && !failed_in_probe) {
    out.findings.push_back({Severity::error, "the probe's setup runs",
                            with_sqlstate(result.error->message, result.error->sqlstate),
                            "fix the probe's role, claims or setup"});
    return;
  }
  switch (p.expect) {
    case ProbeExpectation::succeed:
      if (failed) {
        out.findings.push_back({Severity::error, "succeeds as " + p.role,
                                "fails: " + with_sqlstate(result.error->message, result.error->sqlstate),
                                probe_failure_hint(p, *result.error)});
      }
      break;
    case ProbeExpectation::fail:
      if (!failed) {
        out.findings.push_back({Severity::error, "fails" + (p.sqlstate.empty() ? "" : " with SQLSTATE " + p.sqlstate),
                                "succeeds", "tighten the policies or grants for " + p.role});
      } else if (!p.sqlstate.empty() && result.error->sqlstate != p.sqlstate) {
        out.findings.push_back({Severity::error, "fails with SQLSTATE " + p.sqlstate,
                                "fails: " + with_sqlstate(result.error->message, result.error->sqlstate),
                                "check what the statement runs into: " + sqlstate_advice(result.error->sqlstate)});
      }
      break;
    case ProbeExpectation::rows: {
      if (failed) {
        out.findings.push_back({Severity::error, "returns rows",
                                "fails: " + with_sqlstate(result.error->message, result.error->sqlstate),
                                probe_failure_hint(p, *result.error)});
        break;
      }
      const auto& rows = result.results.at(probe_step);
      std::vector<std::vector<std::string>> found;
      for (const auto& row : rows.rows) {
        auto& f = found.emplace_back();
        for (const auto& cell : row) f.push_back(cell.value_or("NULL"));
      }
      if (found != p.rows) {
        QueryResult expected;
        for (const auto& row : p.rows) {
          auto& e = expected.rows.emplace_back();
          for (const auto& cell : row) e.emplace_back(cell);
        }
        out.findings.push_back({Severity::error, "rows " + describe_rows(expected), "rows " + describe_rows(rows),
                                "check the policies that apply to " + p.role});
      }
      break;
    }
  }
}

// Every probe in one pipeline: BEGIN; per probe a segment (savepoint, setup, claims, role,
// statement) and then one rolling back to the savepoint, which works whether the probe failed
// (its error aborted the transaction block) or not; ROLLBACK at the end.
struct ProbeSteps {
  std::vector<PipelineStep> steps;
  std::vector<std::size_t> first_steps;  // of each probe's segment, in `steps`
  std::vector<std::size_t> probe_steps;  // its statement, counted from that first step
};

ProbeSteps probe_steps(const std::vector<ProbeCheck>& probes) {
  ProbeSteps out;
  out.steps.push_back({"BEGIN", {}});
  out.steps.back().sync_after = true;
  for (const auto& p : probes) {
    out.first_steps.push_back(out.steps.size());
    out.steps.push_back({"SAVEPOINT cora_probe", {}});
    for (const auto& s : p.setup) out.steps.push_back({s, {}});
    out.steps.push_back({"SELECT pg_catalog.set_config('request.jwt.claims', $1, true)", {p.claims.value_or("")}});
    out.steps.push_back({"SET LOCAL ROLE " + quote_identifier(p.role), {}});
    out.probe_steps.push_back(out.steps.size() - out.first_steps.back());
    out.steps.push_back({p.sql, {}});
    out.steps.back().sync_after = true;
    out.steps.push_back({"ROLLBACK TO SAVEPOINT cora_probe", {}});
    out.steps.back().sync_after = true;
  }
  out.steps.push_back({"ROLLBACK", {}});
  return out;
}

// Judges each probe as its segment arrives; `offset`: where the probe steps start in the pipeline.
class ProbeJudge {
 public:
  ProbeJudge(const std::vector<ProbeCheck>& probes, const ProbeSteps& steps, std::size_t offset)
      : probes_(probes), steps_(steps), offset_(offset) {}

  void segment(const SegmentOutcome& segment) {
    if (next_ >= probes_.size() || segment.first_step != offset_ + steps_.first_steps[next_]) return;
    PipelineOutcome result;
    result.results = segment.results;
    result.error = segment.error;
    if (segment.failed_step) result.failed_step = *segment.failed_step - segment.first_step;
    CheckOutcome out{"probe", probes_[next_].name, probes_[next_].origin, {}};
    judge(out, probes_[next_], result, steps_.probe_steps[next_]);
    outcomes_.push_back(std::move(out));
    ++next_;
  }
  std::vector<CheckOutcome> take() { return std::move(outcomes_); }

 private:
  const std::vector<ProbeCheck>& probes_;
  const ProbeSteps& steps_;
  std::size_t offset_;
  std::size_t next_ = 0;
  std::vector<CheckOutcome> outcomes_;
};

constexpr std::size_t kStepsPerExpression = 3;

// BEGIN, then per expression a temporary copy of its table, the object built on it, and the
// query reading it back; the ROLLBACK is the caller's (after a Sync, so that it also ends a
// transaction block an unreadable expression aborted).
std::vector<PipelineStep> normalise_steps(const std::vector<const ExpressionToNormalise*>& pending) {
  using Kind = ExpressionToNormalise::Kind;
  std::vector<PipelineStep> steps{{"BEGIN", {}}};
  for (std::size_t k = 0; k < pending.size(); ++k) {
    const auto& e = *pending[k];
    const std::string copy = fmt::format("cora_normalise_{}", k);
    steps.push_back({fmt::format("CREATE TEMP TABLE {} (LIKE {})", copy, quote_qualified(e.table)), {}});
    if (e.kind == Kind::index_predicate) {
      steps.push_back({fmt::format("CREATE INDEX {0}_index ON {0} ((1)) WHERE {1}", copy, e.expression), {}});
      steps.push_back(
          {fmt::format("SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = {}::regclass",
                       quote_literal(copy + "_index")),
           {}});
    } else {
      steps.push_back(
          {fmt::format("ALTER TABLE {} ADD COLUMN cora_expression {} {}", copy, e.column_type,
                       e.kind == Kind::column_default ? "DEFAULT (" + e.expression + ")"
                                                      : "GENERATED ALWAYS AS (" + e.expression + ") STORED"),
           {}});
      steps.push_back({fmt::format("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                                   "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                                   "WHERE d.adrelid = {}::regclass AND a.attname = 'cora_expression'",
                                   quote_literal(copy)),
                       {}});
    }
  }
  return steps;
}

// Reads the normalised texts out of a normalising segment that succeeded.
void read_normalised(const std::vector<const ExpressionToNormalise*>& pending, const std::vector<QueryResult>& results,
                     NormalisedExpressions& out) {
  for (std::size_t k = 0; k < pending.size(); ++k) {
    out[pending[k]->key] = results.at(1 + kStepsPerExpression * k + 2).rows.at(0).at(0).value_or("");
  }
}

}  // namespace

std::vector<CheckOutcome> run_probes(Connection& db, const std::vector<ProbeCheck>& probes) {
  if (probes.empty()) return {};
  const auto steps = probe_steps(probes);
  ProbeJudge judge_probes(probes, steps, 0);
  db.run_pipeline(steps.steps, [&](const SegmentOutcome& segment) { judge_probes.segment(segment); });
  return judge_probes.take();
}

NormalisedExpressions normalise_expressions(Connection& db, const std::vector<ExpressionToNormalise>& expressions) {
  NormalisedExpressions out;
  std::vector<const ExpressionToNormalise*> pending;
  for (const auto& e : expressions) pending.push_back(&e);
  while (!pending.empty()) {
    auto steps = normalise_steps(pending);
    steps.push_back({"ROLLBACK", {}});
    const auto result = db.run_pipeline(steps);
    if (!result.error) {
      read_normalised(pending, result.results, out);
      break;
    }
    db.execute_script("ROLLBACK");
    if (*result.failed_step == 0 || *result.failed_step > kStepsPerExpression * pending.size()) {
      throw QueryFailed(*result.error);
    }
    // The step that failed names the expression PostgreSQL could not read; retry the rest.
    const std::size_t bad = (*result.failed_step - 1) / kStepsPerExpression;
    out[pending[bad]->key] = "error: " + result.error->message;
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(bad));
  }
  return out;
}

LiveCheckResults run_live_checks(Connection& db, const std::vector<ExpressionToNormalise>& expressions,
                                 const std::vector<ProbeCheck>& probes) {
  LiveCheckResults out;
  if (expressions.empty() || probes.empty()) {
    out.expressions = normalise_expressions(db, expressions);
    out.probes = run_probes(db, probes);
    return out;
  }
  std::vector<const ExpressionToNormalise*> pending;
  for (const auto& e : expressions) pending.push_back(&e);
  auto steps = normalise_steps(pending);
  steps.back().sync_after = true;
  steps.push_back({"ROLLBACK", {}});
  steps.back().sync_after = true;
  const std::size_t offset = steps.size();
  const auto probing = probe_steps(probes);
  steps.insert(steps.end(), probing.steps.begin(), probing.steps.end());
  ProbeJudge judge_probes(probes, probing, offset);
  bool normalised = false;
  db.run_pipeline(steps, [&](const SegmentOutcome& segment) {
    if (segment.first_step == 0) {
      normalised = !segment.error;
      if (normalised) read_normalised(pending, segment.results, out.expressions);
      return;
    }
    judge_probes.segment(segment);
  });
  // An expression PostgreSQL cannot read: normalise again on their own, to name it.
  if (!normalised) out.expressions = normalise_expressions(db, expressions);
  out.probes = judge_probes.take();
  return out;
}

}  // namespace cora
