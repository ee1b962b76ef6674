// Per-processor debug access, implemented by each core (interpreter today;
// DBT and KVM later) and used by the machine-level DebugTarget in tools/.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cores/engine/debug_target.h"

namespace silica {

struct Watchpoint {
  uint64_t addr = 0;
  uint64_t length = 1;
  BreakpointKind kind = BreakpointKind::kWriteWatch;
};

class CpuDebug {
 public:
  virtual ~CpuDebug() = default;
  virtual std::string target_xml() const = 0;
  virtual std::optional<uint64_t> read_register(unsigned regno) = 0;
  virtual bool write_register(unsigned regno, uint64_t value) = 0;
  // Replace the whole set; an empty set turns the feature off (full speed).
  virtual void set_breakpoints(const std::set<uint64_t>& addresses) = 0;
  virtual void set_watchpoints(const std::vector<Watchpoint>& watchpoints) = 0;
  // When set, the next run executes one instruction (or takes one trap) and stops.
  virtual void set_stepping(bool stepping) = 0;
  // Polled once per quantum while running, to stop on the debugger's request.
  virtual void set_hooks(DebugHooks* hooks) = 0;
  // The physical address the debugger's vaddr names in the processor's
  // current address space; nothing if it is unmapped.
  virtual std::optional<uint64_t> debugger_physical(uint64_t vaddr) = 0;
  // Memory was written behind the processor's back: drop decoded code.
  virtual void invalidate_code() = 0;
  // Why this processor stopped the machine in the last run, if it did.
  virtual std::optional<StopEvent> take_stop() = 0;
};

}  // namespace silica
