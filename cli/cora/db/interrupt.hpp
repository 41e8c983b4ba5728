#pragma once
// SIGINT/SIGTERM during a migration: cancel the statement on the server (the transaction then
// rolls back) and let the caller stop before the next file.

namespace cora {

class Connection;

// Installs handlers for SIGINT and SIGTERM that cancel whatever `db` runs. Only one
// connection at a time is watched; pass nullptr to stop watching.
void cancel_on_interrupt(Connection* db);

// Watches `db` for as long as it lives.
class InterruptWatch {
 public:
  explicit InterruptWatch(Connection& db) { cancel_on_interrupt(&db); }
  ~InterruptWatch() { cancel_on_interrupt(nullptr); }
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;
};

// True once SIGINT or SIGTERM arrived.
bool interrupted();

// The signal that interrupted us (SIGINT or SIGTERM), or 0.
int interrupt_signal();

}  // namespace cora
