#include "commands/project_on_database.hpp"

#include "commands/project_options.hpp"
#include "cora/config/env_expand.hpp"

namespace cora::cli {

ProjectOnDatabase open_project_on_database(const GlobalOptions& global) {
  auto settings = resolve_settings(global.settings, process_environment());
  auto project = load_project_for_command(settings);
  auto target = connect_to_target(settings);
  return {std::move(settings), std::move(project), std::move(target)};
}

}  // namespace cora::cli
