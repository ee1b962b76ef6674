// The interface every execution engine implements (interpreter now; DBT and
// KVM later). Engines know nothing of SystemC: the core module around them owns
// simulated time, the quantum and interrupts, and calls run() between waits.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace silica::trace {
class TraceSink;
}

namespace silica {

enum class StopReason {
  kBudget,       // reached the cycle or instruction limit it was given
  kWaitForIrq,   // executed WFI with no interrupt pending: sleep until one arrives
  kStopRequest,  // the simulation asked every hart to stop (exit, reset)
  kDebugStop,    // a breakpoint, watchpoint or single step: the debugger takes over
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Runs until the hart's cycle counter reaches cycle_limit, its retired
  // instruction count reaches instret_limit, or something needs the caller.
  virtual StopReason run(uint64_t cycle_limit, uint64_t instret_limit) = 0;
  // Drops every cached decoding/translation (e.g. after memory was reloaded).
  virtual void flush_code_cache() = 0;
  // Starts (sink) or stops (nullptr) reporting every retired instruction.
  virtual void set_trace_sink(trace::TraceSink* sink) = 0;
  // Engine-specific figures for --stats, as (name, value) pairs.
  virtual std::vector<std::pair<std::string, std::string>> statistics() const { return {}; }
};

}  // namespace silica
