#include "cora/lint/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "cora/lint/body_reference_rule.hpp"
#include "cora/lint/copy_rule.hpp"
#include "cora/lint/forward_reference_rule.hpp"
#include "cora/lint/lint_file.hpp"
#include "cora/lint/lock_timeout_rule.hpp"
#include "cora/lint/rename_rule.hpp"
#include "cora/lint/supabase_privilege_rule.hpp"
#include "cora/lint/rerun_rules.hpp"
#include "cora/lint/schema_state.hpp"
#include "cora/lint/table_rules.hpp"

namespace cora::lint {

namespace {

struct ParsedInput {
  LintFile file;
  bool checked = false;
  bool rerunnable = false;  // checked for re-run hazards
  std::size_t order = 0;    // index in the inputs
};

// A warning and the statement it is about, which decides the silences that apply.
struct LocatedFinding {
  Finding finding;
  std::size_t parsed = 0;
  std::size_t statement = 0;
};

const LintSilence* silence_for(const std::vector<LintSilence>& silences, const std::string& rule) {
  for (const auto& silence : silences) {
    if (std::find(silence.rules.begin(), silence.rules.end(), rule) != silence.rules.end()) return &silence;
  }
  return nullptr;
}

class Linter {
 public:
  Linter(const LintOptions& options, std::vector<ParsedInput>& parsed) : options_(options), parsed_(parsed) {}

  std::vector<LocatedFinding> run() {
    bool previous_checked = false;
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
      const bool checked = parsed_[i].checked;
      if (!(options_.checked_files_run_together && checked && previous_checked)) start_unit();
      previous_checked = checked;
      read_file(i);
    }
    finish_unit();
    check_function_bodies();
    return std::move(found_);
  }

 private:
  void start_unit() {
    finish_unit();
    state_.start_unit();
  }

  void finish_unit() {
    for (const auto& pending : renames_) {
      if (pending.recreated) continue;
      for (auto& finding : check_rename(pending.rename, state_, references_)) {
        found_.push_back({std::move(finding), pending.parsed, pending.statement});
      }
    }
    renames_.clear();
  }

  // unresolved_body_reference, once every file is read: each function as the files leave it.
  void check_function_bodies() {
    for (const auto& [key, f] : state_.functions) {
      const auto site = function_sites_.find(fmt::format("{}:{}", f.file, f.line));
      if (site == function_sites_.end() || !parsed_[site->second.first].checked) continue;
      for (auto& finding : check_body_references(f, state_, references_)) {
        found_.push_back({std::move(finding), site->second.first, site->second.second});
      }
    }
  }

  void read_file(std::size_t index) {
    const auto& input = parsed_[index];
    const LintFile& file = input.file;
    bool lock_timeout_missing = input.checked && runs_without_lock_timeout(file, options_.default_lock_timeout);
    RerunHazards rerun(file);
    for (std::size_t j = 0; j < file.statements.size(); ++j) {
      const auto& statement = file.statements[j];
      if (statement.type == "CreateFunctionStmt") {
        function_sites_[fmt::format("{}:{}", file.file->path.string(), statement.line)] = {index, j};
      }
      if (input.checked && input.rerunnable) {
        for (auto& finding : rerun.check(j)) found_.push_back({std::move(finding), index, j});
      }
      if (input.checked) {
        if (auto copy = copy_to_stdout(file, statement)) found_.push_back({std::move(*copy), index, j});
        for (auto& finding : check_table_rules(file, statement, state_))
          found_.push_back({std::move(finding), index, j});
        if (options_.supabase_rules) {
          if (auto finding = check_supabase_privileges(file, statement))
            found_.push_back({std::move(*finding), index, j});
        }
        if (lock_timeout_missing && sets_lock_timeout(statement)) lock_timeout_missing = false;
        if (lock_timeout_missing) {
          if (const auto target = strong_lock_target(statement, state_)) {
            found_.push_back({missing_lock_timeout(file, statement, *target), index, j});
            lock_timeout_missing = false;  // once per file
          }
        }
      }
      for (const auto& name : created_relations(statement)) {
        for (auto& pending : renames_) {
          if (pending.rename.from == name) pending.recreated = true;
        }
      }
      if (input.checked) {
        if (auto rename = table_rename(file, statement)) renames_.push_back({std::move(*rename), index, j, false});
      }
      apply_statement(state_, file, statement);
    }
  }

  struct PendingRename {
    TableRename rename;
    std::size_t parsed = 0;
    std::size_t statement = 0;
    bool recreated = false;
  };

  const LintOptions& options_;
  std::vector<ParsedInput>& parsed_;
  SchemaState state_;
  FunctionReferences references_;
  std::vector<PendingRename> renames_;
  // "file:line" of each CREATE FUNCTION -> (parsed input, statement): where its findings belong.
  std::map<std::string, std::pair<std::size_t, std::size_t>> function_sites_;
  std::vector<LocatedFinding> found_;
};

}  // namespace

LintReport lint_migrations(const std::vector<LintInput>& files, const LintOptions& options) {
  LintReport report;
  std::vector<std::pair<std::size_t, Finding>> ordered;  // (input index, finding)
  std::vector<ParsedInput> parsed;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const bool checked = files[i].role == FileRole::check;
    auto loaded = load_lint_file(*files[i].file, checked && options.validate);
    if (checked) {
      ++report.files;
      for (auto& error : loaded.errors) ordered.emplace_back(i, std::move(error));
    }
    if (loaded.file) {
      const bool rerunnable =
          files[i].runs_again || files[i].file->role == cora::FileRole::snapshot || loaded.file->directives.rerunnable;
      parsed.push_back({std::move(*loaded.file), checked, rerunnable, i});
    }
  }

  const auto report_or_silence = [&](Finding finding, std::size_t parsed_index, std::size_t statement) {
    const auto& input = parsed[parsed_index];
    if (const LintRule* rule = find_lint_rule(finding.rule)) {
      const LintLevel level = level_of(*rule, options.levels);
      if (level == LintLevel::off) return;
      finding.severity = level == LintLevel::error ? Severity::error : Severity::warning;
    }
    const LintSilence* silence = silence_for(input.file.directives.silences, finding.rule);
    if (!silence) silence = silence_for(input.file.statement_silences[statement], finding.rule);
    if (silence) {
      report.silenced.push_back({std::move(finding), silence->reason, silence->line});
    } else {
      ordered.emplace_back(input.order, std::move(finding));
    }
  };
  for (auto& located : Linter(options, parsed).run()) {
    report_or_silence(std::move(located.finding), located.parsed, located.statement);
  }
  {
    // Forward references inside a module: whatever the levels of the other module rules.
    std::vector<const LintFile*> all;
    std::vector<bool> checked;
    for (const auto& p : parsed) {
      all.push_back(&p.file);
      checked.push_back(p.checked);
    }
    for (auto& use : check_forward_references(all, checked)) {
      report_or_silence(std::move(use.finding), use.file, use.statement);
    }
  }
  if (!options.module_closures.empty()) {
    std::vector<const LintFile*> all;
    std::vector<bool> checked;
    for (const auto& p : parsed) {
      all.push_back(&p.file);
      checked.push_back(p.checked);
    }
    for (auto& use : check_module_dependencies(all, checked, options.module_closures, options.module_order_closures,
                                               options.module_dependency_severity)) {
      report_or_silence(std::move(use.finding), use.file, use.statement);
    }
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.line < b.second.line;
  });
  for (auto& [order, finding] : ordered) report.findings.push_back(std::move(finding));
  return report;
}

}  // namespace cora::lint
