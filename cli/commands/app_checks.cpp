#include "commands/app_checks.hpp"

#include <cstdio>

#include "commands/project_options.hpp"
#include "cora/app/app_lint.hpp"
#include "cora/app/find_app_calls.hpp"
#include "cora/app/offline_app_schema.hpp"
#include "cora/output/plural.hpp"
#include "cora/verify/app_catalog.hpp"

namespace cora::cli {

std::optional<app::AppCheckReport> live_app_check(Connection& db, const Settings& settings, const Project* project) {
  const auto roots = project ? app_module_roots(*project) : std::vector<std::filesystem::path>{};
  const auto python_files = app::app_files(settings.app, roots);
  if (python_files.empty()) return std::nullopt;
  const auto calls = app::find_app_calls(python_files, settings.app);
  const auto defined = project ? app::offline_app_schema(project_files(*project), settings.app.role) : app::AppSchema{};
  const auto schema = read_app_schema(db, settings.app.role, settings.verify_schemas, defined);
  auto checked = app::check_app_calls(calls, schema, settings.app.role);
  if (!settings.quiet) {
    std::fprintf(stderr, "Backend: %s, %s, %zu not checked%s\n", plural(checked.files, "Python file").c_str(),
                 plural(checked.calls, "call").c_str(), checked.not_checked,
                 schema.role_missing
                     ? ("; role " + settings.app.role + " does not exist: privileges not checked").c_str()
                     : "");
  }
  return checked;
}

std::vector<CheckOutcome> app_call_outcomes(Connection& db, const Settings& settings, const Project* project) {
  std::vector<CheckOutcome> out;
  const auto checked = live_app_check(db, settings, project);
  if (!checked) return out;
  // Graded and silenced as lint grades and silences them.
  lint::LintReport report;
  app::add_app_findings(report, *checked, settings.lints);
  for (const auto& f : report.findings) {
    CheckOutcome o{"lint:" + f.rule, f.file + ":" + std::to_string(f.line), CheckOrigin{f.file, f.line}, {}};
    o.findings.push_back({f.severity == lint::Severity::error ? Severity::error : Severity::warning,
                          "a call the schema answers", f.message, f.hint});
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace cora::cli
