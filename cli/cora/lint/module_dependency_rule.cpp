#include "cora/lint/module_dependency_rule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "cora/lint/schema_state.hpp"
#include "cora/sql/defined_objects.hpp"
#include "cora/sql/function_references.hpp"
#include "cora/sql/names.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

bool is_shared_kind(const std::string& key) {
  for (const char* prefix : {"table:", "view:", "function:", "type:"}) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

Creators find_creators(const std::vector<const LintFile*>& files) {
  Creators out;
  for (const LintFile* file : files) {
    const std::string& module = file->file->module;
    if (module.empty()) continue;
    for (const auto& statement : file->statements) {
      if (statement.node.is_null()) continue;
      for (const auto& defined : defined_objects(statement.type, statement.node, statement.start)) {
        if (!is_shared_kind(defined.key)) continue;
        auto& creators = out[defined.key];
        const bool known =
            std::any_of(creators.begin(), creators.end(), [&](const Creator& c) { return c.module == module; });
        if (!known) creators.push_back({module, file->file->path.string(), file->line_of(defined.offset)});
      }
    }
  }
  return out;
}

namespace {

// Relations, called functions and named types anywhere in `node`. `line_of` turns a node's
// `location` into a file line (the statement's line when it has none).
template <typename LineOf>
void collect_uses(const json& node, const LineOf& line_of, std::vector<Use>& out) {
  if (node.is_array()) {
    for (const auto& child : node) collect_uses(child, line_of, out);
    return;
  }
  if (!node.is_object()) return;
  if (const auto relname = node.find("relname"); relname != node.end() && relname->is_string()) {
    const auto name = relation_name(node);
    out.push_back({"relation:" + name.text(), line_of(node)});
  }
  for (const auto& [key, child] : node.items()) {
    if (key == "FuncCall" && child.is_object()) {
      out.push_back({"function:" + list_name(child.value("funcname", json::array())).text(), line_of(child)});
    } else if ((key == "typeName" || key == "TypeName" || key == "argType" || key == "returnType") &&
               child.is_object() && child.contains("names")) {
      out.push_back({"type:" + list_name(child["names"]).text(), line_of(child)});
    }
    collect_uses(child, line_of, out);
  }
}

}  // namespace

std::vector<Use> uses_of(const LintFile& file, const LintStatement& statement) {
  std::vector<Use> out;
  const auto line_of = [&](const json& n) { return file.line_at(n, statement.line); };
  collect_uses(statement.node, line_of, out);
  if (statement.type == "CreateTrigStmt") {
    out.push_back({"function:" + list_name(statement.node.value("funcname", json::array())).text(), statement.line});
  }
  if (statement.type != "CreateFunctionStmt") return out;
  // The body, read as verify reads bodies from the catalog: its relations and calls.
  SchemaState state;
  apply_statement(state, file, statement);
  if (state.functions.empty()) return out;
  const FunctionDefinition& f = state.functions.begin()->second;
  if (f.body.empty() || (f.language != "plpgsql" && f.language != "sql")) return out;
  const auto analysis = analyse_function_body(f.language, f.body, f.signature);
  const auto file_line = [&](int body_line) { return f.body_line > 0 ? f.body_line + body_line - 1 : f.line; };
  const auto qualified = [](const std::string& schema, const std::string& name) {
    return (schema.empty() ? std::string("public") : schema) + "." + name;
  };
  for (const auto& r : analysis.relations)
    out.push_back({"relation:" + qualified(r.schema, r.name), file_line(r.line), true});
  for (const auto& c : analysis.calls)
    out.push_back({"function:" + qualified(c.schema, c.name), file_line(c.line), true});
  return out;
}

std::optional<Creator> creator_of(const Creators& creators, const std::string& use_key, const std::string& module) {
  for (const auto& key : use_key.rfind("relation:", 0) == 0
                             ? std::vector<std::string>{"table:" + use_key.substr(9), "view:" + use_key.substr(9)}
                             : std::vector<std::string>{use_key}) {
    const auto it = creators.find(key);
    if (it == creators.end()) continue;
    for (const auto& c : it->second) {
      if (c.module == module) return std::nullopt;  // its own
    }
    return it->second.front();
  }
  return std::nullopt;
}

namespace {

std::optional<Creator> creator_outside(const Creators& creators, const std::string& use_key, const std::string& module,
                                       const std::set<std::string>& closure) {
  std::vector<std::string> keys;
  if (use_key.rfind("relation:", 0) == 0) {
    const std::string name = use_key.substr(9);
    keys = {"table:" + name, "view:" + name};
  } else {
    keys = {use_key};
  }
  std::optional<Creator> outside;
  for (const auto& key : keys) {
    const auto it = creators.find(key);
    if (it == creators.end()) continue;
    for (const auto& c : it->second) {
      if (c.module == module || closure.count(c.module)) return std::nullopt;  // its own, or a dependency's
      if (!outside) outside = c;
    }
  }
  return outside;
}

std::string kind_of(const std::string& key) {
  const std::string kind = key.substr(0, key.find(':'));
  return kind == "relation" ? "table" : kind;
}

}  // namespace

std::vector<ModuleUse> check_module_dependencies(const std::vector<const LintFile*>& files,
                                                 const std::vector<bool>& checked, const ModuleClosures& closures,
                                                 const ModuleClosures& order_closures, Severity severity) {
  const ModuleClosures& cycle_closures = order_closures.empty() ? closures : order_closures;
  std::vector<ModuleUse> out;
  if (closures.empty()) return out;
  const Creators creators = find_creators(files);
  static const std::set<std::string> no_dependencies;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const LintFile& file = *files[i];
    const std::string& module = file.file->module;
    if (!checked[i] || module.empty()) continue;
    const auto closure_it = closures.find(module);
    const auto& closure = closure_it == closures.end() ? no_dependencies : closure_it->second;
    std::set<std::string> reported;  // once per object and file
    for (std::size_t j = 0; j < file.statements.size(); ++j) {
      const auto& statement = file.statements[j];
      if (statement.node.is_null()) continue;
      for (const auto& use : uses_of(file, statement)) {
        if (reported.count(use.key)) continue;
        const auto creator = creator_outside(creators, use.key, module, closure);
        if (!creator) continue;
        reported.insert(use.key);
        Finding finding;
        finding.rule = std::string(kModuleDependencyRule);
        finding.severity = severity;
        finding.file = file.file->path.string();
        finding.line = use.line > 0 ? use.line : statement.line;
        const auto creator_closure = cycle_closures.find(creator->module);
        const bool would_cycle = creator_closure != cycle_closures.end() && creator_closure->second.count(module) > 0;
        if (use.in_body) {
          // PostgreSQL resolves a body when the function runs: the module need not run first,
          // only be installed before the function is called.
          finding.message = fmt::format(
              "{} uses {} {} inside a function body, which module {} creates ({}:{}): a run-time dependency (not "
              "needed to create the function, but {} must be installed for it to work)",
              module, kind_of(use.key), use.key.substr(use.key.find(':') + 1), creator->module, creator->file,
              creator->line, creator->module);
          finding.hint = would_cycle ? fmt::format(
                                           "install {} wherever {} is installed (do not add depends_on: {} needs {} at "
                                           "creation time, so that would be a cycle)",
                                           creator->module, module, creator->module, module)
                                     : fmt::format(
                                           "install {} wherever {} is installed, or add \"{}\" to depends_on in "
                                           "[module.{}] of cora-migrate.toml so that --module {} requires it",
                                           creator->module, module, creator->module, module, module);
        } else {
          finding.message = fmt::format(
              "{} uses {} {}, which module {} creates ({}:{}), but {} does not depend on {}: cora-migrate runs {} "
              "first from this use, nothing else does (the toolkit's scripts, --module)",
              module, kind_of(use.key), use.key.substr(use.key.find(':') + 1), creator->module, creator->file,
              creator->line, module, creator->module, creator->module);
          finding.hint = would_cycle ? fmt::format(
                                           "{} depends on {}, so the two need each other at creation time: "
                                           "move the object into {} or drop {}'s dependency on {}",
                                           creator->module, module, module, creator->module, module)
                                     : fmt::format(
                                           "add \"{}\" to depends_on in [module.{}] of cora-migrate.toml (or "
                                           "to {}'s dependencies in the module registry)",
                                           creator->module, module, module);
        }
        out.push_back({std::move(finding), i, j});
      }
    }
  }
  return out;
}

}  // namespace cora::lint
