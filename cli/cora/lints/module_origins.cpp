#include "cora/lints/module_origins.hpp"

#include <fmt/format.h>

namespace cora {

std::string describe_origin(const ModuleOrigin& o) {
  const std::string where = fmt::format("module {} creates it ({}:{})", o.module, o.file->path.string(), o.line);
  switch (o.state) {
    case ModuleState::installed: return where;
    case ModuleState::missing: return where + ", and that module is missing: this database does not have it";
    case ModuleState::disabled:
      return where + ", and that module is disabled: enabled = false in [module." + o.module + "]";
  }
  return where;
}

std::string origin_fix(const ModuleOrigin& o, const std::string& named) {
  switch (o.state) {
    case ModuleState::installed: return "";
    case ModuleState::missing:
      return fmt::format(
          "install {0}: `cora-migrate migrate --module {0}` (or all modules with `cora-migrate migrate`), "
          "or stop naming {1}",
          o.module, named);
    case ModuleState::disabled:
      return fmt::format(
          "enable {0} (drop enabled = false from [module.{0}]) and run `cora-migrate migrate`, or stop "
          "naming {1}",
          o.module, named);
  }
  return "";
}

}  // namespace cora
