// What a debugger may do to a simulated machine, independent of the engine
// (interpreter today; DBT and KVM later) and of the protocol (gdb's RSP).
// The gdbstub talks only to this interface.
//
// Execution model: all-stop. While the debugger holds the machine halted,
// no hart runs and simulated time does not advance. resume() runs the
// machine until a stop event and returns it; meanwhile the debugger is polled
// through DebugHooks::poll_interrupt() so Ctrl-C can stop a running guest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace silica {

enum class BreakpointKind : uint8_t {
  kSoftware = 0,     // Z0
  kHardware = 1,     // Z1
  kWriteWatch = 2,   // Z2
  kReadWatch = 3,    // Z3
  kAccessWatch = 4,  // Z4
};

struct StopEvent {
  enum class Reason : uint8_t {
    kBreakpoint,  // a Z0/Z1 address was reached (before executing it)
    kWatchpoint,  // an access hit a watchpoint (after the accessing instruction)
    kStep,        // a single step completed
    kInterrupt,   // the debugger asked to stop (Ctrl-C)
    kExited,      // the guest ended the simulation; exit_code is valid
  };
  Reason reason = Reason::kInterrupt;
  unsigned hart = 0;  // the hart that caused the stop (index, 0-based)
  BreakpointKind watch_kind = BreakpointKind::kWriteWatch;
  uint64_t watch_addr = 0;
  int exit_code = 0;
};

class DebugTarget {
 public:
  virtual ~DebugTarget() = default;

  virtual unsigned hart_count() const = 0;
  virtual unsigned xlen() const = 0;
  // The gdb target description (features XML) for qXfer:features:read.
  virtual std::string target_xml() const = 0;
  // Registers in the numbering target_xml() declares (RISC-V: x0..x31 = 0..31,
  // pc = 32, CSR n = 65 + n). nullopt when the register does not exist.
  virtual std::optional<uint64_t> read_register(unsigned hart, unsigned regno) = 0;
  virtual bool write_register(unsigned hart, unsigned regno, uint64_t value) = 0;
  // Memory as the hart sees it (through its MMU when paging is on); returns
  // the number of bytes transferred (fewer when part is unmapped).
  virtual size_t read_memory(unsigned hart, uint64_t addr, uint8_t* data, size_t len) = 0;
  virtual size_t write_memory(unsigned hart, uint64_t addr, const uint8_t* data, size_t len) = 0;

  // Breakpoints and watchpoints apply to every hart. `length` is gdb's kind
  // (bytes for watchpoints, instruction size for breakpoints).
  virtual bool insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) = 0;
  virtual bool remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) = 0;

  // Runs every hart until a stop event. With step_hart set, that hart executes
  // exactly one instruction (the others do not run) and the event is kStep
  // (or a breakpoint/watchpoint/exit met on the way).
  virtual StopEvent resume(std::optional<unsigned> step_hart) = 0;

  // "monitor" commands the target understands (e.g. "reset", "stats",
  // "quit"); returns the text to show, or nullopt for an unknown command.
  virtual std::optional<std::string> monitor(const std::string& command) = 0;
};

// The debugger side, polled by the target while the guest runs.
class DebugHooks {
 public:
  virtual ~DebugHooks() = default;
  // True when the debugger wants the running guest to stop (Ctrl-C arrived).
  virtual bool poll_interrupt() = 0;
};

}  // namespace silica
