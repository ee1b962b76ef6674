// Record and replay of a machine's run (traces/REPLAY.md). A hart's run is a
// pure function of its state, RAM and a few inputs from outside: the values
// MMIO reads return, the timer and cycle counters it reads, the interrupt
// wires, and what devices write into RAM (DMA). A recording logs those
// inputs, and the slices the harts took turns in; a replay feeds them back
// to the same program on the interpreter, which then retires the very same
// instructions and can trace each of them. This header is the seam between
// the cores (which report and consume inputs) and the log in traces/.
#pragma once

#include <cstdint>
#include <string>

namespace silica::replay {

// What a hart's run() starts from that the hart did not do itself.
struct RunStart {
  uint64_t cycles = 0;     // the cycle counter (sleep in WFI adds to it)
  uint64_t mip_wires = 0;  // interrupt inputs as the platform drives them
  bool sstc_pending = false;
  bool wfi = false;
};

// Where a run() ended: a replay must get to exactly the same place.
struct RunEnd {
  uint64_t instret = 0;
  uint64_t pc = 0;
};

struct BusEvent {
  uint64_t addr = 0;
  uint64_t value = 0;  // read or written, zero-extended (len <= 8)
  uint64_t time_ps = 0;
  uint8_t size = 0;
  bool write = false;
  bool ok = true;
};

// Told everything a hart's run depends on, in the order it happens. Harts
// run one at a time, so calls are never concurrent.
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void run_begin(uint64_t hart_id, const RunStart& start) = 0;
  virtual void run_end(const RunEnd& end) = 0;
  // Only within a run. An access's consequences (wire changes, RAM writes)
  // happen while it is under way, but the log puts them after it: the
  // recorder learns where an access starts, and is told of it once done.
  virtual void access_begin() = 0;
  virtual void bus(const BusEvent& event) = 0;
  virtual void timer(uint64_t ticks) = 0;
  virtual void cycle_counter(uint64_t cycles) = 0;
  virtual void wires(uint64_t mip_wires) = 0;  // the running hart's, changed by its access
  // Within or between runs: bytes a device (or a bus write) put in RAM.
  virtual void memory_write(unsigned memory, uint64_t offset, const uint8_t* data,
                            uint64_t size) = 0;
  // Between runs: the machine was reset (every component reset, the images
  // loaded again, each hart at its boot state). A replay resets its machine
  // here in the same way; the reloading's own writes are not inputs.
  virtual void machine_reset() = 0;
};

// Where a replaying hart takes its inputs from instead of the platform.
// Each call consumes the next recorded input of the running hart; a call
// that does not match what was recorded throws (the replay diverged).
class Source {
 public:
  virtual ~Source() = default;
  // Fills `data` for reads; returns whether the target answered OK.
  virtual bool bus(bool write, uint64_t addr, void* data, unsigned len, uint64_t& time_ps) = 0;
  virtual uint64_t timer() = 0;
  virtual uint64_t cycle_counter() = 0;
};

}  // namespace silica::replay
