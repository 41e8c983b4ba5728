#include "verify/live_checks.hpp"

#include <fmt/format.h>

#include "db/connection.hpp"

namespace cora {

namespace {

std::string quote_literal(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string quote_identifier(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string qualified_identifier(const std::string& dotted) {
  const auto dot = dotted.find('.');
  return quote_identifier(dotted.substr(0, dot)) + "." + quote_identifier(dotted.substr(dot + 1));
}

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

void judge(CheckOutcome& out, const ProbeCheck& p, const PipelineOutcome& result, std::size_t probe_step) {
  const bool failed = result.error.has_value();
  const bool failed_in_probe = failed && result.failed_step == probe_step;
  if (failed && !failed_in_probe) {
    out.findings.push_back({Severity::error, "the probe's setup runs", result.error->message + " [" + result.error->sqlstate + "]",
                            "fix the probe's role, claims or setup"});
    return;
  }
  switch (p.expect) {
    case ProbeExpectation::succeed:
      if (failed) {
        out.findings.push_back({Severity::error, "succeeds as " + p.role,
                                fmt::format("fails: {} [SQLSTATE {}]", result.error->message, result.error->sqlstate),
                                "check the policies and grants that apply to " + p.role});
      }
      break;
    case ProbeExpectation::fail:
      if (!failed) {
        out.findings.push_back({Severity::error, "fails" + (p.sqlstate.empty() ? "" : " with SQLSTATE " + p.sqlstate),
                                "succeeds", "tighten the policies or grants for " + p.role});
      } else if (!p.sqlstate.empty() && result.error->sqlstate != p.sqlstate) {
        out.findings.push_back({Severity::error, "fails with SQLSTATE " + p.sqlstate,
                                fmt::format("fails with {}: {}", result.error->sqlstate, result.error->message),
                                "check what the statement runs into"});
      }
      break;
    case ProbeExpectation::rows: {
      if (failed) {
        out.findings.push_back({Severity::error, "returns rows",
                                fmt::format("fails: {} [SQLSTATE {}]", result.error->message, result.error->sqlstate),
                                "check the policies and grants that apply to " + p.role});
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

}  // namespace

std::vector<CheckOutcome> run_probes(Connection& db, const std::vector<ProbeCheck>& probes) {
  std::vector<CheckOutcome> outcomes;
  if (probes.empty()) return outcomes;
  db.execute_script("BEGIN");
  for (const auto& p : probes) {
    CheckOutcome out{"probe", p.name, p.origin, {}};
    std::vector<PipelineStep> steps{{"SAVEPOINT cora_probe", {}}};
    for (const auto& s : p.setup) steps.push_back({s, {}});
    steps.push_back({"SELECT pg_catalog.set_config('request.jwt.claims', $1, true)", {p.claims.value_or("")}});
    steps.push_back({"SET LOCAL ROLE " + quote_identifier(p.role), {}});
    const std::size_t probe_step = steps.size();
    steps.push_back({p.sql, {}});
    steps.push_back({"ROLLBACK TO SAVEPOINT cora_probe", {}});
    const auto result = db.run_pipeline(steps);
    // After an error the rest of the pipeline was skipped: undo the probe here instead.
    if (result.error) db.execute_script("ROLLBACK TO SAVEPOINT cora_probe");
    judge(out, p, result, probe_step);
    outcomes.push_back(std::move(out));
  }
  db.execute_script("ROLLBACK");
  return outcomes;
}

NormalisedPredicates normalise_predicates(Connection& db, const std::vector<IndexCheck>& indexes,
                                          const CatalogSnapshot& snapshot) {
  NormalisedPredicates out;
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    if (!indexes[i].where) continue;
    // The table the index is on: the check's, else the live index's.
    std::string table = indexes[i].table.value_or("");
    for (const auto& live : snapshot.indexes) {
      if (table.empty() && live.schema + "." + live.name == indexes[i].index) table = live.table;
    }
    if (!snapshot.tables.count(table)) continue;  // the index check reports the missing table or index
    pending.push_back(i);
  }
  while (!pending.empty()) {
    std::vector<PipelineStep> steps{{"BEGIN", {}}};
    for (std::size_t k = 0; k < pending.size(); ++k) {
      const auto& c = indexes[pending[k]];
      std::string table = c.table.value_or("");
      for (const auto& live : snapshot.indexes) {
        if (table.empty() && live.schema + "." + live.name == c.index) table = live.table;
      }
      steps.push_back({fmt::format("CREATE TEMP TABLE cora_predicate_{} (LIKE {})", k, qualified_identifier(table)), {}});
      steps.push_back({fmt::format("CREATE INDEX cora_predicate_index_{0} ON cora_predicate_{0} ((1)) WHERE {1}", k, *c.where), {}});
      steps.push_back({fmt::format("SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = {}::regclass",
                                   quote_literal("cora_predicate_index_" + std::to_string(k))),
                       {}});
    }
    steps.push_back({"ROLLBACK", {}});
    const auto result = db.run_pipeline(steps);
    if (!result.error) {
      for (std::size_t k = 0; k < pending.size(); ++k) {
        out[pending[k]] = result.results.at(1 + 3 * k + 2).rows.at(0).at(0).value_or("");
      }
      break;
    }
    db.execute_script("ROLLBACK");
    // The step that failed names the predicate PostgreSQL could not read; retry the rest.
    const std::size_t bad = (*result.failed_step - 1) / 3;
    out[pending[bad]] = "error: " + result.error->message;
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(bad));
  }
  return out;
}

}  // namespace cora
