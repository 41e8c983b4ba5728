#include "commands/module_skips.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "cora/db/supabase_roles.hpp"
#include "cora/error.hpp"
#include "cora/lint/forward_reference_rule.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/plural.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

// What `name` cannot run without: declared dependencies that are not optional, and what its
// files need at creation time.
std::vector<std::string> required_needs(const Project& project, const std::string& name) {
  std::vector<std::string> out;
  const Module* m = project.find(name);
  if (!m) return out;
  for (const auto& dep : m->depends_on) {
    if (std::find(m->optional_depends_on.begin(), m->optional_depends_on.end(), dep) == m->optional_depends_on.end()) {
      out.push_back(dep);
    }
  }
  out.insert(out.end(), m->inferred_needs.begin(), m->inferred_needs.end());
  return out;
}

// "a -> b -> c": the shortest way `from` needs a module of `roots`, or empty when it needs none.
std::string skip_chain_to(const Project& project, const std::string& from, const std::set<std::string>& roots,
                          std::string& root) {
  std::map<std::string, std::string> reached_from{{from, ""}};
  std::vector<std::string> todo{from};
  for (std::size_t i = 0; i < todo.size(); ++i) {
    for (const auto& dep : required_needs(project, todo[i])) {
      if (reached_from.count(dep)) continue;
      reached_from[dep] = todo[i];
      if (roots.count(dep)) {
        root = dep;
        std::string chain = dep;
        for (std::string at = todo[i]; !at.empty(); at = reached_from[at]) chain = at + " -> " + chain;
        return chain;
      }
      todo.push_back(dep);
    }
  }
  return "";
}

std::string module_of_path(const Project& project, const std::string& path) {
  for (const auto& f : project.files) {
    if (f.path.string() == path) return f.module;
  }
  return "";
}

}  // namespace

std::vector<ModuleBlock> extension_blocks(const std::vector<MissingExtension>& missing) {
  std::vector<ModuleBlock> out;
  for (const auto& m : missing) {
    out.push_back({m.file->module, m.file->path.string(), m.line,
                   fmt::format("creates extension {}, {}", m.name, missing_extension_reason(m)),
                   missing_extension_fix(m)});
  }
  return out;
}

std::vector<ModuleBlock> forward_reference_blocks(const Project& project, const lint::LintReport& report) {
  std::vector<ModuleBlock> out;
  for (const auto& f : report.findings) {
    if (f.rule != lint::kForwardReferenceRule || f.severity != lint::Severity::error) continue;
    const auto module = module_of_path(project, f.file);
    if (module.empty()) continue;
    out.push_back({module, f.file, f.line, f.message, f.hint});
  }
  return out;
}

std::vector<ModuleBlock> disabled_module_blocks(const Project& project, const std::vector<HistoryRecord>& history) {
  std::vector<ModuleBlock> out;
  for (const auto& m : project.modules) {
    if (m.enabled) continue;
    const bool installed =
        std::any_of(history.begin(), history.end(), [&](const HistoryRecord& r) { return r.module == m.name; });
    if (installed) continue;
    ModuleBlock block;
    block.module = m.name;
    block.reason = fmt::format("is disabled ([module.{}] enabled = false in cora-migrate.toml)", m.name);
    block.disabled = true;
    out.push_back(std::move(block));
  }
  return out;
}

std::vector<SkippedModule> modules_to_skip(const Project& project, const std::vector<ModuleBlock>& blocks,
                                           const PreparedPlan& prepared) {
  std::set<std::string> roots;
  for (const auto& b : blocks) roots.insert(b.module);
  std::vector<SkippedModule> out;
  if (roots.empty()) return out;
  for (const auto& module : project.modules) {
    if (!module.enabled || !module.selected) continue;
    const bool has_work = std::any_of(prepared.migrations.begin(), prepared.migrations.end(),
                                      [&](const PreparedMigration& m) { return m.file->module == module.name; });
    if (!has_work) continue;  // nothing of it would run anyway
    SkippedModule skip{module.name, "", {}};
    if (roots.count(module.name)) {
      for (const auto& b : blocks) {
        if (b.module == module.name) skip.blocks.push_back(b);
      }
    } else {
      std::string root;
      skip.chain = skip_chain_to(project, module.name, roots, root);
      if (skip.chain.empty()) continue;
      for (const auto& b : blocks) {
        if (b.module == root) skip.blocks.push_back(b);
      }
    }
    out.push_back(std::move(skip));
  }
  return out;
}

void print_skipped_modules(const std::vector<SkippedModule>& skipped) {
  const auto style = Style::for_stream(stderr);
  for (const auto& skip : skipped) {
    for (const auto& b : skip.blocks) {
      std::string line;
      if (skip.chain.empty()) {
        line = fmt::format("skipping module {}: {}: {}; to apply it: {}", skip.module, b.site(), b.reason, b.fix);
      } else if (b.disabled) {
        line = fmt::format(
            "skipping module {}: it needs {} ({}), which {}; to leave it out too: [module.{}] enabled "
            "= false",
            skip.module, b.module, skip.chain, b.reason, skip.module);
      } else {
        line = fmt::format("skipping module {}: it needs {} ({}), which cannot run: {}: {}", skip.module, b.module,
                           skip.chain, b.site(), b.reason);
      }
      std::fprintf(stderr, "%s %s\n", style.paint("warning:", Tone::warn).c_str(), printable_text(line).c_str());
      if (!skip.chain.empty()) break;  // a dependant: one line, naming the first reason
    }
  }
}

std::set<std::string> leave_out_skipped(PreparedPlan& prepared, const std::vector<SkippedModule>& skipped) {
  std::set<std::string> modules;
  for (const auto& s : skipped) modules.insert(s.module);
  std::set<std::string> paths;
  const auto skipped_file = [&](const MigrationFile* f) { return f && modules.count(f->module) > 0; };
  auto& migrations = prepared.migrations;
  for (const auto& m : migrations) {
    if (skipped_file(m.file)) paths.insert(m.file->path.string());
  }
  migrations.erase(std::remove_if(migrations.begin(), migrations.end(),
                                  [&](const PreparedMigration& m) { return skipped_file(m.file); }),
                   migrations.end());
  auto& to_apply = prepared.plan.to_apply;
  to_apply.erase(std::remove_if(to_apply.begin(), to_apply.end(), skipped_file), to_apply.end());
  auto& warnings = prepared.plan.warnings;
  warnings.erase(std::remove_if(warnings.begin(), warnings.end(),
                                [&](const StatusEntry& w) { return modules.count(w.module) > 0; }),
                 warnings.end());
  return paths;
}

nlohmann::json with_skipped(nlohmann::json doc, const std::vector<SkippedModule>& skipped) {
  auto list = nlohmann::json::array();
  for (const auto& s : skipped) {
    auto reasons = nlohmann::json::array();
    for (const auto& b : s.blocks) {
      reasons.push_back({{"module", b.module},
                         {"file", b.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.file)},
                         {"line", b.line > 0 ? nlohmann::json(b.line) : nlohmann::json(nullptr)},
                         {"reason", b.reason},
                         {"fix", b.fix.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.fix)}});
    }
    list.push_back({{"module", s.module},
                    {"chain", s.chain.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.chain)},
                    {"reasons", std::move(reasons)}});
  }
  doc["skipped_modules"] = std::move(list);
  return doc;
}

bool is_supabase_target(const Settings& settings, Connection& db) {
  if (settings.target_kind != TargetKind::detect) return settings.target_kind == TargetKind::supabase;
  return has_supabase_api_roles(db);
}

Error modules_skipped_error(const std::vector<SkippedModule>& skipped, bool dry_run) {
  std::string names;
  for (const auto& s : skipped) names += (names.empty() ? "" : ", ") + s.module;
  return Error(ExitCode::modules_skipped,
               fmt::format("{} skipped ({}, said before the run); {}", plural(skipped.size(), "module"), names,
                           dry_run ? "the rest would be applied" : "the rest was applied"),
               "each warning above says what lets its module run; to leave a module out on purpose: [module.NAME] "
               "enabled = false");
}

}  // namespace cora::cli
