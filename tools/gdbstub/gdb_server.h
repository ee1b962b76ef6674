// silica's gdbstub: serves gdb's Remote Serial Protocol over TCP for a
// DebugTarget. All-stop and single-threaded: serve() runs on the caller's
// thread; while a resume packet runs the target, the target polls this
// object (it is the DebugHooks) so Ctrl-C and a dropped connection stop it.
//
//   MachineDebugTarget target(...);
//   silica::gdb::GdbServer server(target, "127.0.0.1", 1234);  // throws if it cannot listen
//   target.set_hooks(&server);       // however the target learns its DebugHooks
//   silica::gdb::ServeResult result = server.serve();   // blocks for the session
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "cores/engine/debug_target.h"
#include "tools/gdbstub/command_handler.h"
#include "tools/gdbstub/rsp_connection.h"

namespace silica::gdb {

// The listening socket could not be set up (bad host, port in use, ...).
class GdbServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How a debugging session ended, and so what the simulation does next.
struct ServeResult {
  enum class End : uint8_t {
    kDetached,      // gdb detached: breakpoints are gone; run on without a debugger
    kDisconnected,  // the connection dropped: breakpoints are gone; treat as detached
    kKilled,        // gdb killed the program: end the simulation
    kExited,        // the guest exited while debugged: exit_code is its status
  };
  End end = End::kDisconnected;
  int exit_code = 0;
};

class GdbServer : public DebugHooks {
 public:
  static constexpr const char* kDefaultHost = "127.0.0.1";
  // poll_interrupt() looks at the socket at most this often; the target may
  // call it every quantum, far more often than a person presses Ctrl-C.
  static constexpr std::chrono::microseconds kPollInterval{500};

  // Binds and listens right away (SO_REUSEADDR), so a bad address or a port
  // in use is reported before the simulation starts. `host` is a numeric
  // address or a name ("localhost", "0.0.0.0", "::1"); port 0 picks a free
  // port (see port()). Throws GdbServerError.
  GdbServer(DebugTarget& target, const std::string& host, uint16_t port);
  GdbServer(DebugTarget& target, uint16_t port) : GdbServer(target, kDefaultHost, port) {}
  ~GdbServer() override;
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  // What was actually bound: the port (useful with port 0) and
  // "127.0.0.1:1234" / "[::1]:1234".
  uint16_t port() const { return m_port; }
  const std::string& endpoint() const { return m_endpoint; }

  // Prints "silica: waiting for gdb on HOST:PORT" on stderr, accepts one
  // connection and serves it until gdb detaches or kills, the guest exits,
  // or the connection drops. The machine is halted whenever serve() is not
  // inside target.resume(). May be called again to wait for another gdb.
  ServeResult serve();

  // serve() without the accept: serves an already-connected stream socket
  // (taking ownership), e.g. one end of a socketpair() in tests.
  ServeResult serve_connection(int fd);

  // True when a gdb is waiting to be accepted (non-blocking): lets the
  // simulation run until gdb attaches, as QEMU's -s does.
  bool connection_pending() const;

  // DebugHooks: true when Ctrl-C arrived (or the connection dropped) since
  // the current resume packet was received; stays true until it is handled.
  bool poll_interrupt() override;

 private:
  ServeResult run_session(RspConnection& connection);

  DebugTarget& m_target;
  int m_listen_fd = -1;
  uint16_t m_port = 0;
  std::string m_endpoint;
  RspConnection* m_connection = nullptr;  // during serve() only
  bool m_interrupt_requested = false;
  std::chrono::steady_clock::time_point m_next_poll{};
};

}  // namespace silica::gdb
