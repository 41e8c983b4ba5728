#include "cora/db/interrupt.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <csignal>

#include "cora/db/connection.hpp"

namespace cora {

namespace {

std::atomic<PGcancel*> g_cancel{nullptr};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_interrupt(int signal) {
  g_signal = signal;
  // PQcancel is documented as safe to call from a signal handler.
  if (PGcancel* handle = g_cancel.load()) {
    char error[256];
    PQcancel(handle, error, sizeof error);
  }
}

}  // namespace

void Connection::watch_for_interrupts(bool on) {
  PGcancel* next = on ? PQgetCancel(conn_) : nullptr;
  if (PGcancel* previous = g_cancel.exchange(next)) PQfreeCancel(previous);
}

void cancel_on_interrupt(Connection* db) {
  static bool installed = false;
  if (!installed) {
    struct sigaction action {};
    action.sa_handler = &on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    installed = true;
  }
  if (db) {
    db->watch_for_interrupts(true);
  } else if (PGcancel* previous = g_cancel.exchange(nullptr)) {
    PQfreeCancel(previous);
  }
}

bool interrupted() { return g_signal != 0; }

int interrupt_signal() { return static_cast<int>(g_signal); }

}  // namespace cora
