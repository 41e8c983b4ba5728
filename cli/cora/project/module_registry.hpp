#pragma once
// The CORA toolkit's module-registry.yaml: per-module `dependencies:` lists, each entry a module
// name or, as the toolkit writes them, a mapping `- module: module-access` with `type:
// required|optional`.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cora {

struct RegistryDependency {
  std::string module;
  bool required = true;  // `type: optional`: ordered after it when the project has it, else ignored
  int line = 0;          // in the registry file, for errors
};

// module name -> the modules it depends on, from `modules: {NAME: {dependencies: [...]}}`.
// Throws cora::Error (config) naming the file and line when it cannot be read or an entry has
// another shape (a dependency that is neither a name nor a mapping with `module:`, an unknown
// key or `type:` in such a mapping).
std::map<std::string, std::vector<RegistryDependency>> read_module_registry(const std::filesystem::path& file);

}  // namespace cora
