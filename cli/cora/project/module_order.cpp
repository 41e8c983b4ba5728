#include "cora/project/module_order.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cora/error.hpp"

namespace cora {

namespace {

// Depth-first search for a cycle among the modules not yet placed, for the error message.
bool find_cycle(const std::string& at, const std::map<std::string, const ModuleNode*>& by_name,
                std::vector<std::string>& path, std::map<std::string, int>& state) {
  state[at] = 1;
  path.push_back(at);
  for (const auto& dep : by_name.at(at)->depends_on) {
    if (!by_name.count(dep)) continue;
    if (state[dep] == 1) {
      path.erase(path.begin(), std::find(path.begin(), path.end(), dep));
      path.push_back(dep);
      return true;
    }
    if (state[dep] == 0 && find_cycle(dep, by_name, path, state)) return true;
  }
  state[at] = 2;
  path.pop_back();
  return false;
}

}  // namespace

std::vector<std::string> order_modules(const std::vector<ModuleNode>& modules) {
  std::map<std::string, const ModuleNode*> by_name;
  for (const auto& m : modules) by_name[m.name] = &m;
  std::vector<std::string> order;
  std::vector<bool> placed(modules.size(), false);
  auto is_placed = [&](const std::string& name) { return std::find(order.begin(), order.end(), name) != order.end(); };
  while (order.size() < modules.size()) {
    bool progressed = false;
    for (std::size_t i = 0; i < modules.size(); ++i) {
      if (placed[i]) continue;
      const bool ready = std::all_of(modules[i].depends_on.begin(), modules[i].depends_on.end(),
                                     [&](const std::string& d) { return !by_name.count(d) || is_placed(d); });
      if (!ready) continue;
      order.push_back(modules[i].name);
      placed[i] = true;
      progressed = true;
      break;  // the earliest ready module first: ties keep the given order
    }
    if (progressed) continue;
    std::map<std::string, int> state;
    for (std::size_t i = 0; i < modules.size(); ++i) {
      if (placed[i]) continue;
      std::vector<std::string> path;
      if (find_cycle(modules[i].name, by_name, path, state)) {
        std::string cycle;
        for (const auto& name : path) cycle += (cycle.empty() ? "" : " -> ") + name;
        throw Error(ExitCode::config, fmt::format("modules depend on each other in a cycle: {}", cycle),
                    "remove one of these depends_on (in [module.NAME] or the module registry)");
      }
    }
    throw Error(ExitCode::internal, "module order: no module is ready and no cycle was found");
  }
  return order;
}

}  // namespace cora
