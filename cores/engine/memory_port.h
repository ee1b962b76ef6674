// How an engine reaches the platform's memory system: direct host pointers for
// RAM (DMI) and a slow path for everything else. Implemented by the core's
// SystemC module on top of its TLM initiator socket.
#pragma once

#include <cstdint>

namespace silica {

// A range of guest physical addresses backed by host memory.
struct DmiRegion {
  uint8_t* host = nullptr;  // host address of `base`
  uint64_t base = 0;
  uint64_t last = 0;  // inclusive
  bool readable = false;
  bool writable = false;
  bool contains(uint64_t addr) const { return host != nullptr && addr >= base && addr <= last; }
};

class MemoryPort {
 public:
  virtual ~MemoryPort() = default;
  // Slow-path accesses; false means a bus error (access fault for the guest).
  virtual bool bus_read(uint64_t addr, void* data, unsigned len) = 0;
  virtual bool bus_write(uint64_t addr, const void* data, unsigned len) = 0;
  // Looks up (and caches) direct access to the RAM holding addr.
  virtual bool dmi_for(uint64_t addr, DmiRegion& out) = 0;
  // The platform timer's count (the `time` CSR), at the hart's current local time.
  virtual uint64_t timer_ticks() = 0;
  // The cycle counter as a CSR read sees it: `counted`, the hart's own
  // count, unless a replay supplies the recorded value.
  virtual uint64_t cycle_counter(uint64_t counted) { return counted; }
};

}  // namespace silica
