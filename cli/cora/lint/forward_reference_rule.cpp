#include "cora/lint/forward_reference_rule.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "cora/sql/defined_objects.hpp"

namespace cora::lint {

namespace {

// Where a module first creates an object: the index of the file in `files`, and its line.
struct FirstDefinition {
  std::size_t file = 0;
  int line = 0;
};

bool is_referenced_kind(const std::string& key) {
  for (const char* prefix : {"table:", "view:", "function:", "type:"}) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<ModuleUse> check_forward_references(const std::vector<const LintFile*>& files,
                                                const std::vector<bool>& checked) {
  // (module, key) -> its first definition in the module's schema files; key -> modules creating it.
  std::map<std::pair<std::string, std::string>, FirstDefinition> first;
  std::map<std::string, std::set<std::string>> creating_modules;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& file = *files[i]->file;
    if (file.module.empty()) continue;
    for (const auto& statement : files[i]->statements) {
      if (statement.node.is_null()) continue;
      for (const auto& defined : defined_objects(statement.type, statement.node, statement.start)) {
        if (!is_referenced_kind(defined.key)) continue;
        creating_modules[defined.key].insert(file.module);
        if (file.role != cora::FileRole::snapshot) continue;
        first.emplace(std::make_pair(file.module, defined.key), FirstDefinition{i, files[i]->line_of(defined.offset)});
      }
    }
  }
  std::vector<ModuleUse> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const LintFile& file = *files[i];
    const std::string& module = file.file->module;
    if (!checked[i] || module.empty() || file.file->role != cora::FileRole::snapshot) continue;
    std::set<std::string> reported;
    for (std::size_t j = 0; j < file.statements.size(); ++j) {
      const auto& statement = file.statements[j];
      if (statement.node.is_null()) continue;
      for (const auto& use : uses_of(file, statement)) {
        if (use.in_body || reported.count(use.key)) continue;
        const bool relation = use.key.rfind("relation:", 0) == 0;
        const std::vector<std::string> keys =
            relation ? std::vector<std::string>{"table:" + use.key.substr(9), "view:" + use.key.substr(9)}
                     : std::vector<std::string>{use.key};
        const FirstDefinition* later = nullptr;
        std::string found_key;
        bool made_before = false;
        for (const auto& key : keys) {
          const auto created = creating_modules.find(key);
          if (created == creating_modules.end()) continue;
          // Another module's object, or made by this file or an earlier one: not a forward reference.
          if (created->second.size() > 1 || !created->second.count(module)) made_before = true;
          const auto it = first.find({module, key});
          if (it == first.end() || it->second.file <= i) {
            made_before = true;
            continue;
          }
          later = &it->second;
          found_key = key;
        }
        // The creator already ran (migrate applies only the user's file): the use resolves.
        if (!later || made_before || !checked[later->file]) continue;
        reported.insert(use.key);
        const std::string& creator = files[later->file]->file->path.string();
        Finding finding;
        finding.rule = std::string(kForwardReferenceRule);
        finding.severity = Severity::error;
        finding.file = file.file->path.string();
        finding.line = use.line > 0 ? use.line : statement.line;
        finding.message = fmt::format(
            "uses {} {}, which only a later file of {} creates ({}:{}): on a database built from zero this file "
            "fails",
            found_key.substr(0, found_key.find(':')), found_key.substr(found_key.find(':') + 1), module, creator,
            later->line);
        finding.hint = fmt::format("renumber {} to run before {}, or move the CREATE into this file",
                                   files[later->file]->file->file_name, file.file->file_name);
        out.push_back({std::move(finding), i, j});
      }
    }
  }
  return out;
}

}  // namespace cora::lint
