#include "cora/checklist/checklist_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cora/checklist/scenario_runner.hpp"
#include "cora/checklist/supabase_needs.hpp"
#include "cora/db/connection.hpp"
#include "cora/db/interrupt.hpp"
#include "cora/error.hpp"
#include "cora/verify/read_catalog_snapshot.hpp"
#include "cora/verify/verify_schema.hpp"

namespace cora {

namespace {

constexpr std::size_t kMaxQuotedLines = 10;
constexpr std::size_t kMaxQuoteBytes = 300;

void stop_if_interrupted(const char* during) {
  if (interrupted()) {
    throw Error(ExitCode::interrupted, fmt::format("interrupted while {}", during),
                "everything the checklist ran was in transactions that were rolled back");
  }
}

// A line of someone's file or SQL as one readable line: long lines cut (at a UTF-8 boundary).
std::string quotable(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  if (text.size() <= kMaxQuoteBytes) return text;
  std::size_t cut = kMaxQuoteBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + " …";
}

// A statement or query on one line, its indentation squeezed.
std::string quotable_sql(const std::string& sql) {
  std::string out;
  for (const char c : sql) {
    const bool blank = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!blank) out.push_back(c);
    else if (!out.empty() && out.back() != ' ') out.push_back(' ');
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return quotable(out);
}

std::string describe_rows(const std::vector<std::vector<std::string>>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size() && i < 5; ++i) {
    out += i ? ", [" : "[";
    for (std::size_t c = 0; c < rows[i].size(); ++c) out += (c ? ", " : "") + rows[i][c];
    out += "]";
  }
  if (rows.size() > 5) out += fmt::format(", … {} rows", rows.size());
  return out + "]";
}

std::string server_error_line(const ServerError& e) { return with_sqlstate(e.message, e.sqlstate); }

// The server's report, as psql would show it, for quoting.
std::vector<std::string> quote_server_error(const ServerError& e) {
  std::vector<std::string> quotes{"ERROR: " + server_error_line(e)};
  if (!e.detail.empty()) quotes.push_back("DETAIL: " + e.detail);
  if (!e.hint.empty()) quotes.push_back("HINT: " + e.hint);
  if (!e.context.empty()) quotes.push_back("CONTEXT: " + e.context.substr(0, e.context.find('\n')));
  return quotes;
}

// --- automatic -----------------------------------------------------------------------------

std::string describe(const CheckOutcome& o) {
  return o.kind == "probe" ? "probe \"" + o.subject + "\"" : o.kind + " " + o.subject;
}

// An item is failed as soon as one of its notes is.
void settle(ItemResult& item) {
  const bool failed = std::any_of(item.notes.begin(), item.notes.end(), [](const ItemNote& n) { return !n.ok; });
  if (failed) item.state = ItemState::failed;
}

ItemResult judge_automatic(const ChecklistItem& item, const std::vector<CheckOutcome>& outcomes) {
  ItemResult out{&item, ItemState::ticked, "", {}};
  for (const auto& o : outcomes) {
    bool failed = false;
    for (const auto& f : o.findings) {
      if (f.severity != Severity::error) continue;
      failed = true;
      out.notes.push_back({false,
                           fmt::format("{} ({}:{}): expected {}; found {}", describe(o), o.origin.file, o.origin.line,
                                       f.expected, f.found),
                           {},
                           f.fix});
    }
    if (!failed) out.notes.push_back({true, describe(o), {}, ""});
  }
  settle(out);
  return out;
}

// The checks of every automatic item in one set, so their facts are gathered together: the
// probes of all items run in one rolled-back transaction.
CheckSet automatic_checks(const Checklist& checklist) {
  CheckSet all;
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (item.kind != ItemKind::automatic) continue;
      const auto& c = item.checks;
      all.tables.insert(all.tables.end(), c.tables.begin(), c.tables.end());
      all.indexes.insert(all.indexes.end(), c.indexes.begin(), c.indexes.end());
      all.policies.insert(all.policies.end(), c.policies.begin(), c.policies.end());
      all.functions.insert(all.functions.end(), c.functions.begin(), c.functions.end());
      all.roles.insert(all.roles.end(), c.roles.begin(), c.roles.end());
      all.probes.insert(all.probes.end(), c.probes.begin(), c.probes.end());
    }
  }
  return all;
}

// Pure: each automatic item's checks judged on the gathered facts.
std::map<const ChecklistItem*, std::vector<CheckOutcome>> judge_automatic(const Checklist& checklist,
                                                                          const SchemaFacts& facts) {
  std::map<const ChecklistItem*, std::vector<CheckOutcome>> out;
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (item.kind == ItemKind::automatic) out[&item] = verify_schema(item.checks, nullptr, facts);
    }
  }
  return out;
}

// --- scenarios -----------------------------------------------------------------------------

struct ScenarioItems {
  std::vector<BoundExpectation> expectations;
  std::vector<std::pair<const ChecklistItem*, std::size_t>> first;  // item -> its first expectation's index
  ScenarioRun run;
  bool failure_quoted = false;
};

// A step that fails because the schema lacks a column or table it uses: which one, and why that
// is the checklist's assumption, not a broken database. Empty for any other error.
std::string missing_in_schema_fix(const ServerError& e) {
  const bool column = e.sqlstate == "42703";
  if (!column && e.sqlstate != "42P01") return "";
  const auto first = e.message.find('"');
  const auto end = first == std::string::npos ? first : e.message.find('"', first + 1);
  if (end == std::string::npos) return "";
  std::string what = e.message.substr(first + 1, end - first - 1);
  if (column) {
    const std::string of = " of relation \"";
    if (const auto at = e.message.find(of, end); at != std::string::npos) {
      const auto close = e.message.find('"', at + of.size());
      if (close != std::string::npos) what = e.message.substr(at + of.size(), close - at - of.size()) + "." + what;
    }
  }
  return fmt::format(
      "the scenario needs {} {}, which this schema does not have: its steps are written for the schema the "
      "checklist's guide describes; add it in a migration, or run a checklist of the project's own whose steps fit "
      "its schema (checks/checklists/NAME.toml comes before a shipped one of that name)",
      column ? "column" : "table", what);
}

// `quote_failure`: the first item the failed step stops quotes the server's whole report; the
// others name the error in one line.
ItemResult judge_scenario(const ChecklistItem& item, const Scenario& scenario, const ScenarioRun& run,
                          std::size_t first, bool quote_failure) {
  ItemResult out{&item, ItemState::ticked, "", {}};
  const std::string after = scenario.steps.at(item.after_step).name;
  if (run.failure && run.failure->step <= item.after_step) {
    const std::string failed_step = scenario.steps.at(run.failure->step).name;
    ItemNote note{false,
                  fmt::format("not checked: step \"{}\" of scenario \"{}\" failed{}: {}", failed_step, scenario.name,
                              failed_step == after ? "" : " before step \"" + after + "\"",
                              server_error_line(run.failure->error)),
                  {},
                  ""};
    if (quote_failure) {
      note.fix = missing_in_schema_fix(run.failure->error);
      note.quotes = quote_server_error(run.failure->error);
      note.quotes.insert(note.quotes.begin() + 1, "STATEMENT: " + quotable_sql(run.failure->sql));
    }
    out.notes.push_back(std::move(note));
    out.state = ItemState::failed;
    return out;
  }
  for (std::size_t i = 0; i < item.expect.size(); ++i) {
    const auto& e = item.expect[i];
    const auto& r = run.results.at(first + i);
    using Status = ExpectationResult::Status;
    switch (r.status) {
      case Status::passed: out.notes.push_back({true, fmt::format("{} (after \"{}\")", e.what, after), {}, ""}); break;
      case Status::wrong_rows:
        out.notes.push_back({false,
                             fmt::format("{} (after \"{}\"): expected rows {}; found {}", e.what, after,
                                         describe_rows(e.rows), describe_rows(r.found)),
                             {"QUERY: " + quotable_sql(e.sql)},
                             fmt::format("see {}:{} for the query", e.origin.file, e.origin.line)});
        break;
      case Status::query_failed: {
        auto quotes = quote_server_error(*r.error);
        quotes.insert(quotes.begin() + 1, "QUERY: " + quotable_sql(e.sql));
        out.notes.push_back({false, fmt::format("{} (after \"{}\"): the query failed", e.what, after), quotes,
                             fmt::format("see {}:{} for the query", e.origin.file, e.origin.line)});
        break;
      }
      case Status::not_reached:
        out.notes.push_back({false, fmt::format("{} (after \"{}\"): not reached", e.what, after), {}, ""});
        break;
    }
  }
  settle(out);
  return out;
}

// An item that needs Supabase on a target that is not: unticked, with the reason.
ItemResult skipped_for_supabase(const ChecklistItem& item, const std::string& need) {
  return {&item,
          ItemState::unticked,
          fmt::format("skipped: it needs Supabase's {}, and the target is not a Supabase project", need),
          {}};
}

// What an item needs of Supabase, when the target is not Supabase-shaped; nullopt otherwise.
std::optional<std::string> unmet_supabase_need(const ChecklistItem& item, const Checklist& checklist, bool supabase) {
  if (supabase) return std::nullopt;
  if (item.kind == ItemKind::automatic) return supabase_need_of_checks(item.checks);
  if (item.kind != ItemKind::scenario) return std::nullopt;
  for (const auto& scenario : checklist.scenarios) {
    if (scenario.name != item.scenario) continue;
    if (auto need = supabase_need_of_scenario(scenario)) return need;
  }
  return supabase_need_of_expectations(item);
}

// --- evidence and manual items -------------------------------------------------------------

// The guide's "read the Lambda logs after deploying", before deploying: the calls of the item's
// functions and tables, checked against the database, decide it. A call that fails now is the
// error the log would show.
ItemResult judge_by_app_calls(const ChecklistItem& item, const app::AppCheckReport& app) {
  ItemResult out{&item, ItemState::ticked, "", {}};
  std::string names;
  for (const auto& name : item.app_calls) names += (names.empty() ? "" : ", ") + name;
  const auto named = [&](const std::string& object) {
    const auto bare = object.substr(object.find('.') == std::string::npos ? 0 : object.find('.') + 1);
    return std::find(item.app_calls.begin(), item.app_calls.end(), object) != item.app_calls.end() ||
           std::find(item.app_calls.begin(), item.app_calls.end(), bare) != item.app_calls.end();
  };
  const auto called = std::count_if(app.objects.begin(), app.objects.end(), named);
  if (called == 0) {
    out.state = ItemState::unticked;
    out.unticked = fmt::format("no evidence given, and the backend calls none of {}: pass --evidence {}=FILE", names,
                               item.evidence);
    return out;
  }
  ItemNote note{true, "", {}, ""};
  for (const auto& f : app.findings) {
    if (f.rule == app::kNotChecked || !named(f.object)) continue;
    note.ok = false;
    if (note.quotes.size() < kMaxQuotedLines)
      note.quotes.push_back(fmt::format("{}:{}: {}", f.file, f.line, f.message));
  }
  note.text = note.ok
                  ? fmt::format("the backend's calls of {} match the database (no log needed before deploying)", names)
                  : fmt::format("the backend's calls of {} fail against the database: the log would show it", names);
  if (!note.ok) note.fix = "fix these calls (`cora-migrate verify` lists them all), then deploy";
  out.notes.push_back(std::move(note));
  settle(out);
  return out;
}

ItemResult judge_evidence(const ChecklistItem& item, const EvidenceFile* file,
                          const std::optional<app::AppCheckReport>& app) {
  ItemResult out{&item, ItemState::ticked, "", {}};
  if (!file && app && !item.app_calls.empty()) return judge_by_app_calls(item, *app);
  if (!file) {
    out.state = ItemState::unticked;
    out.unticked = fmt::format("no evidence given: pass --evidence {}=FILE", item.evidence);
    return out;
  }
  auto quote = [&](const EvidenceLine& line) {
    return fmt::format("{}:{}: {}", file->source, line.number, quotable(line.text));
  };
  for (const auto& rule : check_evidence(item, file->text)) {
    const std::size_t n = rule.matches.size();
    ItemNote note{rule.passed(), "", {}, ""};
    if (n == 0) {
      note.text = fmt::format("no line of {} contains \"{}\" ({} line{} read)", file->source, rule.needle,
                              rule.lines_read, rule.lines_read == 1 ? "" : "s");
    } else {
      note.text = fmt::format("\"{}\" found on {} line{} of {}", rule.needle, n, n == 1 ? "" : "s", file->source);
      // What passed needs one line as proof; what failed, every line (up to a limit).
      const std::size_t shown = rule.must_be_present ? 1 : std::min(n, kMaxQuotedLines);
      for (std::size_t i = 0; i < shown; ++i) note.quotes.push_back(quote(rule.matches[i]));
      if (!rule.must_be_present && n > shown) note.quotes.push_back(fmt::format("… and {} more", n - shown));
    }
    out.notes.push_back(std::move(note));
  }
  settle(out);
  return out;
}

ItemResult judge_manual(const ChecklistItem& item, const std::vector<std::string>& confirmed) {
  if (std::find(confirmed.begin(), confirmed.end(), item.id) != confirmed.end()) {
    return {&item,
            ItemState::ticked,
            "",
            {{true, fmt::format("confirmed by a person (--confirm {})", item.id), {}, ""}}};
  }
  return {&item, ItemState::unticked, "manual", {}};
}

// --- monitoring figures --------------------------------------------------------------------

std::vector<FigureResult> read_figures(Connection& db, const Checklist& checklist, const CatalogSnapshot& snapshot) {
  std::vector<FigureResult> out;
  std::vector<std::size_t> runnable;
  for (const auto& figure : checklist.figures) {
    FigureResult result{figure.label, std::nullopt, ""};
    for (const auto& table : figure.tables) {
      if (!snapshot.relations.count(table)) {
        result.unavailable = table + " does not exist";
        break;
      }
    }
    if (result.unavailable.empty()) runnable.push_back(out.size());
    out.push_back(std::move(result));
  }
  // Read-only, one round trip; a figure whose query fails is reported and the rest re-sent.
  std::size_t pos = 0;
  while (pos < runnable.size()) {
    std::vector<PipelineStep> steps{{"BEGIN READ ONLY", {}}};
    for (std::size_t i = pos; i < runnable.size(); ++i) steps.push_back({checklist.figures[runnable[i]].sql, {}});
    steps.push_back({"ROLLBACK", {}});
    const auto outcome = db.run_pipeline(steps);
    for (std::size_t i = 1; i < outcome.results.size() && pos + i - 1 < runnable.size(); ++i) {
      const auto& rows = outcome.results[i].rows;
      const bool empty = rows.empty() || rows.front().empty() || !rows.front().front();
      out[runnable[pos + i - 1]].value = empty ? "none" : *rows.front().front();
    }
    if (!outcome.error) break;
    db.execute_script("ROLLBACK");
    stop_if_interrupted("reading the monitoring figures");
    const std::size_t failed_step = *outcome.failed_step;
    if (failed_step == 0 || failed_step > runnable.size() - pos) throw QueryFailed(*outcome.error);
    const std::size_t failed = pos + failed_step - 1;
    out[runnable[failed]].unavailable =
        "the query failed: " + with_sqlstate(outcome.error->message, outcome.error->sqlstate);
    pos = failed + 1;
  }
  return out;
}

// Every item decided, then the figures.
ChecklistResult decide(Connection& db, const Checklist& checklist, const ChecklistOptions& options) {
  const auto before = db.round_trips();
  ChecklistResult result;
  result.title = checklist.title;
  result.file = checklist.file;
  result.database = options.database;
  result.strict = options.strict;

  // The catalog, read once (one round trip), serves the automatic items and the figures; their
  // expressions and probes take one more.
  const auto checks = automatic_checks(checklist);
  const auto facts = checks.size() == 0
                         ? facts_from_catalog(read_catalog_snapshot(db, options.schemas))
                         : read_schema_facts(db, checks, options.schemas, RecursionProbe::skip, RunProbes::yes);
  stop_if_interrupted("running the probes");
  const auto& snapshot = facts.catalog;
  const auto automatic = judge_automatic(checklist, facts);
  // Verify's rule: Supabase's rules apply where the API roles exist or [target] kind says so.
  // The probes of skipped items have run (each in its own savepoint); their outcome is ignored.
  const bool supabase = supabase_rules_apply(options.target_kind, facts.catalog);
  const LintLevels no_levels;
  const std::vector<std::string> no_schemas;
  result.supabase_skipped =
      supabase_rules_skipped_note({no_levels, no_schemas, nullptr, options.target_kind}, facts.catalog);
  std::map<const ChecklistItem*, std::string> skipped;
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (auto need = unmet_supabase_need(item, checklist, supabase)) skipped[&item] = *need;
    }
  }

  std::map<std::string, ScenarioItems> scenarios;
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (item.kind != ItemKind::scenario || skipped.count(&item)) continue;
      auto& s = scenarios[item.scenario];
      s.first.emplace_back(&item, s.expectations.size());
      for (const auto& e : item.expect) s.expectations.push_back({&e, item.after_step});
    }
  }
  for (const auto& scenario : checklist.scenarios) {
    const auto it = scenarios.find(scenario.name);
    if (it != scenarios.end()) it->second.run = run_scenario(db, scenario, it->second.expectations);
  }

  for (const auto& section : checklist.sections) {
    auto& out = result.sections.emplace_back();
    out.name = section.name;
    for (const auto& item : section.items) {
      if (const auto need = skipped.find(&item); need != skipped.end()) {
        out.items.push_back(skipped_for_supabase(item, need->second));
        continue;
      }
      switch (item.kind) {
        case ItemKind::automatic: out.items.push_back(judge_automatic(item, automatic.at(&item))); break;
        case ItemKind::scenario: {
          auto& s = scenarios.at(item.scenario);
          const auto first =
              std::find_if(s.first.begin(), s.first.end(), [&](const auto& p) { return p.first == &item; });
          const auto scenario = std::find_if(checklist.scenarios.begin(), checklist.scenarios.end(),
                                             [&](const Scenario& sc) { return sc.name == item.scenario; });
          out.items.push_back(judge_scenario(item, *scenario, s.run, first->second, !s.failure_quoted));
          if (s.run.failure && s.run.failure->step <= item.after_step) s.failure_quoted = true;
          break;
        }
        case ItemKind::evidence: {
          const auto file = std::find_if(options.evidence.begin(), options.evidence.end(),
                                         [&](const EvidenceFile& e) { return e.name == item.evidence; });
          out.items.push_back(
              judge_evidence(item, file == options.evidence.end() ? nullptr : &*file, options.app_calls));
          break;
        }
        case ItemKind::manual: out.items.push_back(judge_manual(item, options.confirmed)); break;
      }
    }
  }
  result.figures = read_figures(db, checklist, snapshot);
  result.queries = db.round_trips() - before;
  return result;
}

}  // namespace

ChecklistTally tally(const ChecklistResult& result) {
  ChecklistTally t;
  for (const auto& section : result.sections) {
    for (const auto& item : section.items) {
      ++t.items;
      if (item.state == ItemState::ticked) ++t.ticked;
      if (item.state == ItemState::failed) ++t.failed;
      if (item.state == ItemState::unticked && item.item->kind == ItemKind::manual) ++t.manual;
      if (item.state == ItemState::unticked && item.item->kind == ItemKind::evidence) ++t.without_evidence;
      const bool decided_by_tool = item.item->kind == ItemKind::automatic || item.item->kind == ItemKind::scenario;
      if (item.state == ItemState::unticked && decided_by_tool) ++t.skipped;
    }
  }
  return t;
}

bool checklist_passed(const ChecklistResult& result) {
  const auto t = tally(result);
  return t.failed == 0 && (!result.strict || t.ticked == t.items);
}

void check_checklist_options(const Checklist& checklist, const ChecklistOptions& options) {
  const auto names = checklist.evidence_names();
  std::string offered;
  for (const auto& n : names) offered += (offered.empty() ? "" : ", ") + n;
  std::size_t from_stdin = 0;
  for (std::size_t i = 0; i < options.evidence.size(); ++i) {
    const auto& e = options.evidence[i];
    if (std::find(names.begin(), names.end(), e.name) == names.end()) {
      throw Error(ExitCode::usage,
                  fmt::format("--evidence {}: no item of {} uses evidence \"{}\"", e.name, checklist.file, e.name),
                  offered.empty() ? "this checklist takes no evidence" : "it takes: " + offered);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (options.evidence[j].name == e.name) {
        throw Error(ExitCode::usage, fmt::format("--evidence {} is given twice", e.name), "pass each name once");
      }
    }
    from_stdin += e.from_stdin ? 1U : 0U;
  }
  if (from_stdin > 1)
    throw Error(ExitCode::usage, "only one --evidence can read standard input (-)", "save the others to files");
  std::string manual;
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (item.kind == ItemKind::manual) manual += (manual.empty() ? "" : ", ") + item.id;
    }
  }
  for (const auto& id : options.confirmed) {
    const ChecklistItem* item = checklist.find_item(id);
    if (!item || item->kind != ItemKind::manual) {
      throw Error(ExitCode::usage,
                  item ? fmt::format("--confirm {}: that item is {}, decided by the tool, not by a person", id,
                                     to_string(item->kind))
                       : fmt::format("--confirm {}: {} has no item with that id", id, checklist.file),
                  manual.empty() ? "this checklist has no manual items" : "the manual items: " + manual);
    }
  }
}

ChecklistResult run_checklist(Connection& db, const Checklist& checklist, const ChecklistOptions& options) {
  const InterruptWatch watch(db);
  try {
    return decide(db, checklist, options);
  } catch (const QueryFailed&) {
    // A statement cancelled by SIGINT/SIGTERM outside a scenario (which says so itself).
    stop_if_interrupted("reading the database");
    throw;
  }
}

}  // namespace cora
