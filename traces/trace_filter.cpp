#include "traces/trace_filter.h"

#include <utility>

namespace silica::trace {

bool TraceFilter::keeps_everything() const {
  return ranges.empty() && (priv_mask & kAllPriv) == kAllPriv && first == 0 &&
         last == std::numeric_limits<uint64_t>::max() && !start_pc && !stop_pc;
}

FilterState::FilterState(TraceFilter filter) : m_filter(std::move(filter)) {}

void FilterState::grow(uint16_t hart) {
  HartTrigger fresh;
  fresh.on = !m_filter.start_pc;  // without a start address tracing is on from the beginning
  m_harts.resize(size_t(hart) + 1, fresh);
}

bool FilterState::keep(const Trap& t) {
  const HartTrigger& h = trigger(t.hart);
  return h.on && !h.stop_after && in_window(t.instret) && priv_ok(t.from_priv) && in_ranges(t.epc);
}

bool FilterState::keep(const BusAccess& b) {
  const HartTrigger& h = trigger(b.initiator);
  return h.on && !h.stop_after && in_window(h.next_instret);
}

}  // namespace silica::trace
