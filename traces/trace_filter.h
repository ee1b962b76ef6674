// Which records a trace keeps. TraceFilter is the configuration (what the
// command line fills in); FilterState applies it to a stream of records and
// holds the start/stop trigger of each hart.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "traces/trace_record.h"

namespace silica::trace {

struct AddressRange {
  uint64_t lo = 0;  // first address in the range
  uint64_t hi = 0;  // first address past it: [lo, hi)
  bool contains(uint64_t addr) const { return addr >= lo && addr < hi; }
};

inline constexpr uint8_t kPrivU = 1u << 0;
inline constexpr uint8_t kPrivS = 1u << 1;
inline constexpr uint8_t kPrivM = 1u << 3;
inline constexpr uint8_t kAllPriv = 0x0f;

struct TraceFilter {
  // A retired instruction is kept when its pc is in one of the ranges (no
  // ranges: every pc).
  std::vector<AddressRange> ranges;
  // Bit p set: keep instructions retired in privilege p (0 U, 1 S, 3 M).
  uint8_t priv_mask = kAllPriv;
  // Keep instructions whose Retired::instret is in [first, last).
  uint64_t first = 0;
  uint64_t last = std::numeric_limits<uint64_t>::max();
  // Tracing of a hart starts when it retires the instruction at start_pc
  // (that instruction included) and stops after it retires the one at
  // stop_pc (included). Either may be absent: no start means on from the
  // beginning, no stop means on to the end. The trigger re-arms, so every
  // start..stop stretch is kept (each call of a function, say).
  std::optional<uint64_t> start_pc;
  std::optional<uint64_t> stop_pc;

  // True when the filter keeps everything (open_trace then adds no filter).
  bool keeps_everything() const;
};

// Applies a TraceFilter. Retired records drive the start/stop trigger whether
// or not they are kept. Traps are kept when their hart is being traced, the
// trap's instret is in the window, and epc and from_priv pass the range and
// privilege tests. Bus accesses are kept when their initiator hart is being
// traced and its next instruction is in the window (a bus access has no pc).
class FilterState {
 public:
  explicit FilterState(TraceFilter filter);

  bool keep(const Retired& r) {
    bool on = update_trigger(r.hart, r.pc, r.instret);
    return on && in_window(r.instret) && priv_ok(r.priv) && in_ranges(r.pc);
  }
  bool keep(const Trap& t);
  bool keep(const BusAccess& b);

  const TraceFilter& filter() const { return m_filter; }

 private:
  struct HartTrigger {
    bool on = false;
    bool stop_after = false;  // the last retired instruction was the stop pc
    uint64_t next_instret = 0;
  };

  HartTrigger& trigger(uint16_t hart) {
    if (hart >= m_harts.size()) grow(hart);
    return m_harts[hart];
  }
  void grow(uint16_t hart);

  // Moves the hart's trigger past a retired pc; returns whether that
  // instruction is inside a start..stop stretch.
  bool update_trigger(uint16_t hart, uint64_t pc, uint64_t instret) {
    HartTrigger& h = trigger(hart);
    h.next_instret = instret + 1;
    if (h.stop_after) {
      h.on = false;
      h.stop_after = false;
    }
    if (m_filter.start_pc && pc == *m_filter.start_pc) h.on = true;
    if (m_filter.stop_pc && pc == *m_filter.stop_pc && h.on) h.stop_after = true;
    return h.on;
  }
  bool in_window(uint64_t instret) const {
    return instret >= m_filter.first && instret < m_filter.last;
  }
  bool priv_ok(uint8_t priv) const { return priv < 8 && (m_filter.priv_mask >> priv) & 1; }
  bool in_ranges(uint64_t pc) const {
    if (m_filter.ranges.empty()) return true;
    for (const AddressRange& r : m_filter.ranges) {
      if (r.contains(pc)) return true;
    }
    return false;
  }

  TraceFilter m_filter;
  std::vector<HartTrigger> m_harts;
};

}  // namespace silica::trace
