#pragma once
// `repair --accept-checksum MIGRATION`: a changed file's new checksum recorded as applied, after
// showing what changed (as Flyway's repair does), refused when more than comments and whitespace
// changed unless --force.

#include <string>

#include "commands/command.hpp"

namespace cora::cli {

// Returns the exit code. Throws cora::Error: usage (the file is not changed, or was never run
// here), history_conflict (its statements differ, or the applied text cannot be found, without
// --force), and what connecting and writing the history throw.
int accept_checksum(const GlobalOptions& global, const std::string& selector, bool force, bool json);

}  // namespace cora::cli
