// `cora-migrate checklist`: a guide's validation checklist (checks/checklists/*.toml), with every
// item a machine can decide decided against the database, and the rest left to a person.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cora/checklist/checklist.hpp"
#include "cora/checklist/checklist_json.hpp"
#include "cora/checklist/checklist_report.hpp"
#include "cora/checklist/checklist_runner.hpp"

#include "commands/command.hpp"
#include "commands/app_checks.hpp"
#include "commands/project_options.hpp"
#include "commands/database_target.hpp"
#include "cora/error.hpp"
#include "cora/output/terminal.hpp"
#include "cora/checks/check_loader.hpp"

namespace cora::cli {

namespace {

// An evidence item with app_calls whose file is not given: the backend's calls decide it.
bool needs_app_calls(const Checklist& checklist, const ChecklistOptions& options) {
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (item.kind != ItemKind::evidence || item.app_calls.empty()) continue;
      const bool given = std::any_of(options.evidence.begin(), options.evidence.end(),
                                     [&](const EvidenceFile& e) { return e.name == item.evidence; });
      if (!given) return true;
    }
  }
  return false;
}

// The file's whole text, or standard input's.
std::string read_evidence_text(const EvidenceFile& evidence) {
  std::stringstream text;
  if (evidence.from_stdin) {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(evidence.source, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::usage, "--evidence " + evidence.name + "=" + evidence.source + ": cannot read that file",
                "check the path; pass " + evidence.name + "=- to read standard input");
  }
  text << in.rdbuf();
  return text.str();
}

// The checklists installed with cora-migrate: PREFIX/share/cora-migrate/checklists beside
// PREFIX/bin/cora-migrate (the build puts them at the same place relative to its binary).
std::filesystem::path shipped_checklists_dir() {
  std::error_code ec;
  const auto program = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return program.parent_path().parent_path() / "share" / "cora-migrate" / "checklists";
}

bool uses_declared_checks(const Checklist& checklist) {
  for (const auto& section : checklist.sections) {
    for (const auto& item : section.items) {
      if (!item.check_references.empty()) return true;
    }
  }
  return false;
}

class ChecklistCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub =
        app.add_subcommand("checklist", "Decide a validation checklist from checks/checklists/ against the database");
    sub->add_option("checklist", name_,
                    "A checklist's name in CHECKS/checklists/ or a file's path (default: the only checklist there)");
    sub->add_option("--format", format_, "human, markdown (GitHub task lists) or json")
        ->check(CLI::IsMember({"human", "markdown", "json"}));
    sub->add_option("--evidence", evidence_, "NAME=FILE, or NAME=- for standard input: a file evidence items read")
        ->expected(1)
        ->allow_extra_args(false)  // one value per --evidence: what follows may be the checklist's name
        ->take_all();
    sub->add_option("--confirm", confirmed_, "ID of a manual item a person has checked")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    sub->add_flag("--strict", strict_, "Fail the run while any manual or evidence item is unticked");
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    Checklist checklist = load_checklist(find_checklist(settings.checks_dir, name_, shipped_checklists_dir()));
    if (uses_declared_checks(checklist)) resolve_check_references(checklist, load_checks_for_command(settings));

    ChecklistOptions options;
    for (const auto& argument : evidence_) {
      const auto [name, path] = parse_evidence_argument(argument);
      options.evidence.push_back({name, path == "-" ? "stdin" : path, path == "-", ""});
    }
    options.confirmed = confirmed_;
    options.strict = strict_;
    options.schemas = settings.verify_schemas;
    options.target_kind = settings.target_kind;
    check_checklist_options(checklist, options);
    for (auto& evidence : options.evidence) evidence.text = read_evidence_text(evidence);

    auto target = connect_to_target(settings);
    options.database = target.description;
    // The Lambda-log items, decided before deploying from the backend's calls when no log is given.
    if (needs_app_calls(checklist, options)) {
      std::optional<Project> project;
      std::error_code ec;
      if (settings.modules || std::filesystem::is_directory(settings.migrations_dir, ec)) {
        project = load_project_for_command(settings);
      }
      options.app_calls = live_app_check(*target.db, settings, project ? &*project : nullptr);
    }
    const auto result = run_checklist(*target.db, checklist, options);
    // Once, as verify says it; each skipped item repeats only what it needed.
    if (!result.supabase_skipped.empty() && !settings.quiet) std::cerr << "note: " << result.supabase_skipped << "\n";
    const std::string text = format_ == "markdown" ? render_checklist_markdown(result)
                             : format_ == "json"   ? render_checklist_json(result)
                                                   : render_checklist_human(result, Style::for_stream(stdout).color());
    std::fputs(text.c_str(), stdout);
    return checklist_passed(result) ? to_int(ExitCode::ok) : to_int(ExitCode::checklist_failed);
  }

 private:
  std::string name_;
  std::string format_ = "human";
  std::vector<std::string> evidence_;
  std::vector<std::string> confirmed_;
  bool strict_ = false;
};

}  // namespace

std::unique_ptr<Command> make_checklist_command() { return std::make_unique<ChecklistCommand>(); }

}  // namespace cora::cli
