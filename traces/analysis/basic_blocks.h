// Cuts each hart's stream of retired instructions into dynamic basic blocks.
// A block ends at a branch or jump (taken or not), before an instruction that
// does not follow on sequentially, and at a trap. Fed a set of leaders from a
// first pass (every pc some block started at), it also starts a block at each
// leader, so a jump into the middle of a straight run splits it and blocks do
// not overlap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "traces/trace_reader.h"
#include "traces/trace_record.h"

namespace silica::trace {

class BlockTracker {
 public:
  // Block-ending classes are found by name ("branch", "jump") in the header.
  using Leaders = std::shared_ptr<const std::unordered_set<uint64_t>>;
  explicit BlockTracker(const TraceHeader& header, Leaders leaders = nullptr);

  // Advances past `r`; true when `r` is the first instruction of a block.
  bool starts_block(const Retired& r) {
    HartState& h = hart(r.hart);
    bool start = h.ended || r.pc != h.next_pc;
    if (!start && m_leaders != nullptr) start = m_leaders->count(r.pc) != 0;
    h.ended = r.insn_class < 64 && (m_ending_classes >> r.insn_class) & 1;
    h.next_pc = r.pc + r.len;
    return start;
  }
  // The trap ends the hart's current block.
  void trap(const Trap& t) { hart(t.hart).ended = true; }

 private:
  struct HartState {
    bool ended = true;
    uint64_t next_pc = 0;
  };
  HartState& hart(uint16_t id) {
    if (id >= m_harts.size()) m_harts.resize(size_t(id) + 1);
    return m_harts[id];
  }

  uint64_t m_ending_classes = 0;  // bit c: class c ends a block
  Leaders m_leaders;
  std::vector<HartState> m_harts;
};

// First pass: the pc of every block start in the trace.
BlockTracker::Leaders find_leaders(const std::string& trace_path);

}  // namespace silica::trace
