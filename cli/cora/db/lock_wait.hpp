#pragma once
// The error for a wait on a lock that outlasted [timeouts] lock_wait: the migration lock, or the
// history table it guards. Every such wait says it in the same words, naming only what was held.

#include <string_view>

#include "cora/error.hpp"

namespace cora {

// SQLSTATE lock_not_available: the lock_timeout set for the wait ran out.
inline constexpr std::string_view kLockNotAvailable = "55P03";

// "HELD for longer than lock_wait (LOCK_WAIT)", exit 7. `held` says who held what ("another
// cora-migrate run held the migration lock"); `lock_wait` is the setting as written ("5s"), or
// empty where the waiting code does not know it. A file waiting for the lock is added with .at().
Error lock_wait_exceeded(std::string_view held, std::string_view lock_wait);

// The waits on the migration lock, which another cora-migrate run holds while it migrates.
Error migration_lock_wait_exceeded(std::string_view lock_wait);

}  // namespace cora
