#include "cora/project/module_registry.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "cora/error.hpp"

namespace cora {

namespace {

[[noreturn]] void registry_error(const std::filesystem::path& file, const YAML::Mark& mark, const std::string& what) {
  throw Error(ExitCode::config, what,
              "fix the registry, or drop module_registry from cora-migrate.toml and use [module.NAME] depends_on")
      .at({file.string(), mark.is_null() ? 0 : mark.line + 1});
}

int line_of(const YAML::Node& node) { return node.Mark().is_null() ? 0 : node.Mark().line + 1; }

// One entry of a dependencies: list: `module-access`, or `{module: module-access, type: required}`.
RegistryDependency read_dependency(const std::filesystem::path& file, const std::string& owner, const YAML::Node& dep) {
  RegistryDependency out;
  out.line = line_of(dep);
  if (dep.IsScalar()) {
    out.module = dep.as<std::string>();
    if (out.module.empty()) registry_error(file, dep.Mark(), fmt::format("{}: a dependency's name is empty", owner));
    return out;
  }
  if (!dep.IsMap()) {
    registry_error(file, dep.Mark(),
                   fmt::format("{}: a dependency must be a module name or a mapping with module: and type:", owner));
  }
  for (const auto& key : dep) {
    const std::string k = key.first.as<std::string>("");
    if (k != "module" && k != "type") {
      registry_error(file, key.first.Mark(),
                     fmt::format("{}: unknown key \"{}\" in a dependency (expected module: and type:)", owner, k));
    }
  }
  const YAML::Node module = dep["module"];
  if (!module || !module.IsScalar() || module.as<std::string>().empty()) {
    registry_error(file, dep.Mark(), fmt::format("{}: a dependency mapping needs module: NAME", owner));
  }
  out.module = module.as<std::string>();
  if (const YAML::Node type = dep["type"]) {
    const std::string t = type.IsScalar() ? type.as<std::string>() : "";
    if (t != "required" && t != "optional") {
      registry_error(file, type.Mark(),
                     fmt::format("{}: dependency on {} has type \"{}\" (expected required or optional)", owner,
                                 out.module, t));
    }
    out.required = t == "required";
  }
  return out;
}

}  // namespace

std::map<std::string, std::vector<RegistryDependency>> read_module_registry(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw Error(ExitCode::config, "module registry cannot be read", "check module_registry in cora-migrate.toml")
        .at({file.string()});
  } catch (const YAML::Exception& e) {
    registry_error(file, e.mark, "not valid YAML: " + e.msg);
  }
  std::map<std::string, std::vector<RegistryDependency>> dependencies;
  const YAML::Node modules = root["modules"];
  if (!modules) registry_error(file, root.Mark(), "has no modules: mapping");
  if (!modules.IsMap()) registry_error(file, modules.Mark(), "modules: must map module names to their entries");
  for (const auto& entry : modules) {
    const std::string name = entry.first.as<std::string>("");
    const YAML::Node deps = entry.second.IsMap() ? entry.second["dependencies"] : YAML::Node();
    auto& out = dependencies[name];
    if (!deps || deps.IsNull()) continue;
    if (!deps.IsSequence()) registry_error(file, deps.Mark(), fmt::format("{}: dependencies must be a list", name));
    for (const auto& dep : deps) out.push_back(read_dependency(file, name, dep));
  }
  return dependencies;
}

}  // namespace cora
