#pragma once
// A loopback TCP port no one listens on now: the kernel's choice for a socket bound to port 0.
// For a server a test starts, so that tests never bind a fixed port another run may hold.

namespace cora::test {

int free_loopback_port();

}  // namespace cora::test
