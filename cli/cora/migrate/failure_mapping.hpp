#pragma once
// What a migration's failure says, decided from the file and the server's error alone: the
// file, line and column the server's position points at (or the statement's first line), the
// error text with its detail, hint and context, and what to do, chosen by SQLSTATE and by
// whether the file ran in a transaction. Pure, so it is tested without a server.

#include <cstddef>
#include <string>

#include "cora/db/server_error.hpp"
#include "cora/error.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

struct FailureContext {
  std::string extra_hint;    // appended to what a dirty non-transactional file needs
  bool interrupted = false;  // the run was stopped (SIGINT/SIGTERM) and the server cancelled the statement
};

// The error to throw when statement `statement_index` of `m` failed with `e`: migration_failed
// at the statement's file:line:column, or interrupted when the cancel was ours.
Error migration_failure(const PreparedMigration& m, std::size_t statement_index, const ServerError& e,
                        const FailureContext& context);

}  // namespace cora
