#pragma once
// What a command that reads the migration files and talks to the database starts from.

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "cora/config/settings.hpp"
#include "cora/project/project.hpp"

namespace cora::cli {

struct ProjectOnDatabase {
  Settings settings;
  Project project;
  DatabaseTarget target;
};

// The settings from the flags and the environment, the project's files (so a bad file is
// reported before anything connects), then the database: connect_to_target.
ProjectOnDatabase open_project_on_database(const GlobalOptions& global);

}  // namespace cora::cli
