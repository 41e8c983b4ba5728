#include "cora/db/lock_wait.hpp"

#include <fmt/format.h>

namespace cora {

Error lock_wait_exceeded(std::string_view held, std::string_view lock_wait) {
  return Error(ExitCode::lock_timeout,
               lock_wait.empty() ? fmt::format("{} for longer than lock_wait", held)
                                 : fmt::format("{} for longer than lock_wait ({})", held, lock_wait),
               "wait for it to finish (pg_locks and pg_stat_activity show who holds it), or raise [timeouts] "
               "lock_wait");
}

Error migration_lock_wait_exceeded(std::string_view lock_wait) {
  return lock_wait_exceeded("another cora-migrate run held the migration lock", lock_wait);
}

}  // namespace cora
