#include "commands/version_report.hpp"

#include <fmt/format.h>

#include <string_view>

#include "cora/db/libpq_version.hpp"
#include "cora/sql/parser.hpp"
#include "cora/version.hpp"

namespace cora::cli {

std::string version_report() {
  // The package's version where the build knew it (Debian: "15-4.0.0"); the parser's always.
  const std::string_view package = CORA_PG_QUERY_PACKAGE_VERSION;
  return fmt::format("cora-migrate {} (git {})\nlibpq {}\nlibpg_query {}(PostgreSQL {} parser)", tool_version(),
                     git_revision(), libpq_version(), package.empty() ? "" : std::string(package) + " ",
                     postgres_parser_version());
}

}  // namespace cora::cli
