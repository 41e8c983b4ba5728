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

}  // namespace

std::map<std::string, std::vector<std::string>> read_module_registry(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw Error(ExitCode::config, "module registry cannot be read", "check module_registry in cora-migrate.toml")
        .at({file.string()});
  } catch (const YAML::Exception& e) {
    registry_error(file, e.mark, "not valid YAML: " + e.msg);
  }
  std::map<std::string, std::vector<std::string>> dependencies;
  const YAML::Node modules = root["modules"];
  if (!modules) registry_error(file, root.Mark(), "has no modules: mapping");
  if (!modules.IsMap()) registry_error(file, modules.Mark(), "modules: must map module names to their entries");
  for (const auto& entry : modules) {
    const std::string name = entry.first.as<std::string>("");
    const YAML::Node deps = entry.second.IsMap() ? entry.second["dependencies"] : YAML::Node();
    auto& out = dependencies[name];
    if (!deps || deps.IsNull()) continue;
    if (!deps.IsSequence()) registry_error(file, deps.Mark(), fmt::format("{}: dependencies must be a list", name));
    for (const auto& dep : deps) {
      if (!dep.IsScalar()) registry_error(file, dep.Mark(), fmt::format("{}: dependencies must be module names", name));
      out.push_back(dep.as<std::string>());
    }
  }
  return dependencies;
}

}  // namespace cora
