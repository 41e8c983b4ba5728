#pragma once
// Modules in dependency order: pure, so that the order and its errors are unit-tested.

#include <string>
#include <vector>

namespace cora {

struct ModuleNode {
  std::string name;
  std::vector<std::string> depends_on;  // modules this one needs before it
};

// A topological order of `modules` (given in their discovery order): each module after the ones
// it depends on; ties by the given order. A dependency on a module not in the list is ignored
// here (the caller reports it). Throws cora::Error (config) naming a cycle: "a -> b -> a".
std::vector<std::string> order_modules(const std::vector<ModuleNode>& modules);

}  // namespace cora
