#pragma once
// The CORA toolkit's module-registry.yaml: per-module `dependencies:` lists.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cora {

// module name -> the modules it depends on, from `modules: {NAME: {dependencies: [...]}}`.
// Throws cora::Error (config) naming the file and line when it cannot be read or has another shape.
std::map<std::string, std::vector<std::string>> read_module_registry(const std::filesystem::path& file);

}  // namespace cora
