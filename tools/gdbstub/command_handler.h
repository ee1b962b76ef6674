// What each RSP packet means: parses one packet payload, acts on the
// DebugTarget and produces the reply payloads. No I/O here, so the unit
// tests and the fuzzer can drive it directly; GdbServer moves the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cores/engine/debug_target.h"

namespace silica::gdb {

class CommandHandler {
 public:
  // What the session does after a packet has been answered.
  enum class Outcome : uint8_t {
    kContinue,  // wait for the next packet
    kDetach,    // 'D': gdb let go; breakpoints are already removed
    kKill,      // 'k' / vKill: end the simulation
    kExited,    // the guest ended (a 'W' reply was produced); see exit_code()
  };

  // Breakpoints gdb may leave behind are tracked so detach can remove them;
  // a client inserting more than this many gets errors instead of growing
  // the list without bound.
  static constexpr size_t kMaxTrackedBreakpoints = 4096;

  explicit CommandHandler(DebugTarget& target) : m_target(target) {}

  // Handles one packet (its payload as received, escapes included) and
  // appends the payloads to send back, in order, to `replies`. Most packets
  // get exactly one reply; qRcmd may get several ('O' output packets, then
  // the final one); 'k' gets none. Resume packets run the target until it
  // stops and reply with the stop event.
  Outcome handle(std::string_view packet, std::vector<std::string>& replies);

  // True once after QStartNoAckMode was accepted: the transport turns acks
  // off after sending the "OK" (which gdb still acknowledges).
  bool take_no_ack_request();

  // Removes every breakpoint and watchpoint gdb inserted and has not removed
  // (on detach, kill or a dropped connection).
  void remove_all_breakpoints();

  int exit_code() const { return m_exit_code; }

 private:
  struct Breakpoint {
    BreakpointKind kind;
    uint64_t addr;
    uint64_t length;
  };
  // A parsed thread-id: -1 (all), 0 (any) or one hart.
  struct ThreadSelector {
    enum class Kind : uint8_t { kAll, kAny, kHart } kind;
    unsigned hart = 0;
  };

  std::string handle_query(std::string_view packet, std::vector<std::string>& replies);
  std::string handle_v_packet(std::string_view packet, Outcome& outcome);
  std::string handle_set_thread(std::string_view packet);
  std::string handle_read_registers();
  std::string handle_write_registers(std::string_view hex);
  std::string handle_read_register(std::string_view args);
  std::string handle_write_register(std::string_view args);
  std::string handle_read_memory(std::string_view args);
  std::string handle_write_memory(std::string_view args, bool binary);
  std::string handle_breakpoint(std::string_view args, bool insert);
  std::string handle_xfer_features(std::string_view args);
  void handle_monitor(std::string_view hex, std::vector<std::string>& replies);
  std::string handle_thread_info(bool first);

  // Resumes with an optional new pc (the old 'c addr' / 's addr' forms).
  std::string resume(std::optional<unsigned> step, std::string_view new_pc, Outcome& outcome);
  std::string run_until_stop(std::optional<unsigned> step, Outcome& outcome);
  std::string handle_vcont(std::string_view actions, Outcome& outcome);
  std::string stop_reply(const StopEvent& event) const;

  std::optional<ThreadSelector> parse_thread(std::string_view text) const;
  std::string thread_id(unsigned hart) const;
  unsigned register_bytes() const { return m_target.xlen() / 8; }
  // gdb's RISC-V numbering puts f0-f31 at 33-64; silica's are 64 bits wide
  // (FLEN = 64, as the target description says) on rv32 too.
  unsigned register_bytes(uint64_t regno) const {
    return regno >= 33 && regno < 65 ? 8 : register_bytes();
  }
  // The hart 's' steps: the Hc choice, else the Hg one.
  unsigned step_hart() const;

  DebugTarget& m_target;
  unsigned m_general_hart = 0;                               // Hg: registers and memory
  std::optional<unsigned> m_continue_hart;                   // Hc: which hart 's' steps
  unsigned m_thread_cursor = 0;                              // qfThreadInfo/qsThreadInfo paging
  StopEvent m_last_stop{StopEvent::Reason::kBreakpoint, 0};  // '?' before any run: SIGTRAP
  std::vector<Breakpoint> m_breakpoints;
  bool m_no_ack_requested = false;
  int m_exit_code = 0;
};

}  // namespace silica::gdb
