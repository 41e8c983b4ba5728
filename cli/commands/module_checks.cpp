#include "commands/module_checks.hpp"

#include "commands/project_options.hpp"
#include "cora/db/history_table.hpp"
#include "cora/lint/lint.hpp"

namespace cora::cli {

std::optional<ObjectOrigins> module_origins(const HistoryState& history, const Project& project) {
  if (!project.has_modules) return std::nullopt;
  std::vector<const MigrationFile*> files;
  for (const auto& f : project.files) files.push_back(&f);
  for (const auto& f : project.reference_files) files.push_back(&f);
  std::set<std::string> installed;
  if (history.records) {
    for (const auto& r : *history.records) installed.insert(r.module);
  }
  std::set<std::string> disabled;
  for (const auto& m : project.modules) {
    if (!m.enabled) disabled.insert(m.name);
  }
  return ObjectOrigins(files, std::move(installed), std::move(disabled));
}

std::vector<CheckOutcome> module_dependency_outcomes(const Settings& settings, const Project& project) {
  std::vector<CheckOutcome> out;
  lint::LintOptions options;
  configure_module_lint(options, settings, project);
  if (options.module_closures.empty()) return out;
  options.validate = false;  // syntax and the like are lint's and migrate's to report
  std::vector<lint::LintInput> inputs;
  for (const auto& f : project.files) inputs.push_back({&f, lint::FileRole::check});
  for (const auto& f : project.reference_files) inputs.push_back({&f, lint::FileRole::context});
  const auto report = lint::lint_migrations(inputs, options);
  for (const auto& f : report.findings) {
    if (f.rule != lint::kModuleDependencyRule) continue;
    CheckOutcome o{"lint:" + f.rule, f.file, CheckOrigin{f.file, f.line}, {}};
    o.findings.push_back({f.severity == lint::Severity::error ? Severity::error : Severity::warning,
                          "every module it uses among its dependencies", f.message, f.hint});
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace cora::cli
