#include "cora/lint/module_needs.hpp"

#include <map>
#include <utility>

#include "cora/lint/module_dependency_rule.hpp"

namespace cora::lint {

std::vector<ModuleNeed> infer_module_needs(const std::vector<const MigrationFile*>& files) {
  std::vector<LintFile> parsed;
  for (const MigrationFile* file : files) {
    if (file->module.empty() || file->role != cora::FileRole::snapshot) continue;
    auto loaded = load_lint_file(*file, false);
    if (loaded.file) parsed.push_back(std::move(*loaded.file));
  }
  std::vector<const LintFile*> all;
  for (const auto& f : parsed) all.push_back(&f);
  const Creators creators = find_creators(all);
  std::map<std::pair<std::string, std::string>, ModuleNeed> needs;
  for (const LintFile* file : all) {
    const std::string& module = file->file->module;
    for (const auto& statement : file->statements) {
      if (statement.node.is_null()) continue;
      for (const auto& use : uses_of(*file, statement)) {
        const auto creator = creator_of(creators, use.key, module);
        if (!creator) continue;
        const auto key = std::make_pair(module, creator->module);
        const auto known = needs.find(key);
        if (known != needs.end() && (known->second.creation_time || use.in_body)) continue;
        const std::string kind = use.key.substr(0, use.key.find(':'));
        ModuleNeed need;
        need.module = module;
        need.needs = creator->module;
        need.creation_time = !use.in_body;
        need.object = (kind == "relation" ? "table" : kind) + " " + use.key.substr(use.key.find(':') + 1);
        need.file = file->file->path.string();
        need.line = use.line > 0 ? use.line : statement.line;
        need.creator_file = creator->file;
        need.creator_line = creator->line;
        needs[key] = std::move(need);
      }
    }
  }
  std::vector<ModuleNeed> out;
  for (auto& [key, need] : needs) out.push_back(std::move(need));
  return out;
}

}  // namespace cora::lint
