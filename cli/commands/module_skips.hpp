#pragma once
// The modules `migrate` leaves out by default: those whose files to apply cannot run on this
// target (an extension it lacks or may not create, a forward reference), and every module that
// needs one of them or a disabled one, through required or creation-time dependencies (an
// optional dependency never blocks). Said before anything runs; the rest is applied.

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/db/connection.hpp"
#include "cora/lint/lint.hpp"
#include "cora/migrate/extension_check.hpp"
#include "cora/migrate/migrator.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

// Why a module cannot run.
struct ModuleBlock {
  std::string module;
  std::string file;  // of the statement that cannot run; empty for a disabled module
  int line = 0;
  std::string reason;     // after the site: "creates extension vector, which ..."
  std::string fix;        // what lets it run; empty for a disabled module
  bool disabled = false;  // the module is disabled in the config: its dependants are skipped, not it

  std::string site() const { return file + ":" + std::to_string(line); }
};

struct SkippedModule {
  std::string module;
  std::string chain;                // "module-voice -> module-kb" when it needs a module that cannot run
  std::vector<ModuleBlock> blocks;  // its own, or those of the module at the chain's end
};

std::vector<ModuleBlock> extension_blocks(const std::vector<MissingExtension>& missing);
// Each forward_reference finding of the report, as its file's module's block.
std::vector<ModuleBlock> forward_reference_blocks(const Project& project, const lint::LintReport& report);
// Each disabled module that this database has no history of.
std::vector<ModuleBlock> disabled_module_blocks(const Project& project, const std::vector<HistoryRecord>& history);

// The modules with files to apply that a block leaves out, in the project's order.
std::vector<SkippedModule> modules_to_skip(const Project& project, const std::vector<ModuleBlock>& blocks,
                                           const PreparedPlan& prepared);

// One line on stderr per block of each skipped module: module, file:line, reason, chain.
void print_skipped_modules(const std::vector<SkippedModule>& skipped);

// Takes the skipped modules' files out of the plan; returns their paths (their lint findings are
// left out too).
std::set<std::string> leave_out_skipped(PreparedPlan& prepared, const std::vector<SkippedModule>& skipped);

// `doc` (migrate's JSON document) with "skipped_modules": each skipped module, its chain and
// reasons (file, line, reason, fix).
nlohmann::json with_skipped(nlohmann::json doc, const std::vector<SkippedModule>& skipped);

// Supabase's rules apply: [target] kind = "supabase", or (unset) the database has the roles anon
// and authenticated.
bool is_supabase_target(const Settings& settings, Connection& db);

// The error (modules_skipped) a run ends with after applying the rest.
Error modules_skipped_error(const std::vector<SkippedModule>& skipped, bool dry_run);

}  // namespace cora::cli
