// Berkeley Host-Target Interface, as used by riscv-tests and Spike.
//
// The guest talks through two 64-bit words in its own RAM, the ELF symbols
// `tohost` and `fromhost`. Cores reach RAM through DMI, so no bus transaction
// ever announces a write to tohost; like Spike's front end, this device polls
// tohost with debug transport through its own initiator socket (bound to the
// system bus) every poll period of simulated time.
//
// tohost = device(63:56) | command(55:48) | payload(47:0):
//   device 0, command 0, payload odd:  exit with code payload >> 1
//   device 0, command 0, payload even: syscall; payload is the address of
//       uint64_t magic_mem[8] = {number, args...}. SYS_write (64) to fd 1/2
//       copies to the console, SYS_exit (93) exits, anything else gives
//       -ENOSYS. The result goes to magic_mem[0], then fromhost = 1.
//   device 1, command 1: putchar(payload & 0xff) (no response)
//   device 1, command 0: getchar; fromhost = (1 << 56) | byte, or the 48-bit
//       all-ones payload (-1) when no input is available
// tohost is cleared after each command. A response waits until the guest has
// consumed the previous one (fromhost back to 0). Polling stops once an exit
// was requested. Exit codes are clamped to 8 bits, turning a non-zero code
// whose low byte is 0 into 1 so failures never read as success.
#pragma once

#include <cstdint>
#include <deque>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

namespace silica {

class CharBackend;
class SimControl;

class Htif : public sc_core::sc_module {
 public:
  static constexpr uint64_t kSysWrite = 64;
  static constexpr uint64_t kSysExit = 93;

  tlm_utils::simple_initiator_socket<Htif> socket;

  Htif(const sc_core::sc_module_name& name, SimControl& control, CharBackend& console,
       uint64_t tohost_addr, uint64_t fromhost_addr,
       const sc_core::sc_time& poll_period = sc_core::sc_time(10, sc_core::SC_US));

  bool exit_requested() const { return m_exit_requested; }

 private:
  void poll_tohost();
  void handle(uint64_t tohost);
  void syscall(uint64_t magic_addr);
  int64_t sys_write(uint64_t fd, uint64_t buffer, uint64_t length);
  void request_exit(uint64_t code);
  void deliver_responses();

  // Guest memory through the bus, without timing or side effects on cores.
  unsigned debug_transfer(tlm::tlm_command command, uint64_t address, unsigned char* data,
                          unsigned length);
  bool read_u64(uint64_t address, uint64_t& value);
  bool write_u64(uint64_t address, uint64_t value);

  SimControl& m_control;
  CharBackend& m_console;
  uint64_t m_tohost_addr;
  uint64_t m_fromhost_addr;
  sc_core::sc_time m_poll_period;
  std::deque<uint64_t> m_responses;  // fromhost values not yet delivered
  bool m_exit_requested = false;
};

}  // namespace silica
