// Execution counts per dynamic basic block and per control-flow edge between
// blocks, gathered from a trace (the second pass, after find_leaders).
// `silica-trace stats` ranks the blocks; `silica-trace cfg` draws the graph.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "traces/analysis/basic_blocks.h"
#include "traces/trace_reader.h"

namespace silica::trace {

struct BlockStats {
  uint64_t pc = 0;       // first instruction
  uint64_t end = 0;      // past the furthest instruction seen in the block
  uint64_t entries = 0;  // times the block was entered
  uint64_t insns = 0;    // instructions retired in it, over all entries
  uint32_t length = 0;   // most instructions retired in one entry
};

struct EdgeStats {
  uint32_t from = 0;  // indexes into BlockProfile::blocks()
  uint32_t to = 0;
  bool trap = false;  // control went through a trap (exception or interrupt)
  uint64_t count = 0;
};

class BlockProfile {
 public:
  BlockProfile(const TraceHeader& header, BlockTracker::Leaders leaders);

  void add(const TraceRecord& record);

  // In order of first execution.
  const std::vector<BlockStats>& blocks() const { return m_blocks; }
  // Sorted by (from, to, trap).
  std::vector<EdgeStats> edges() const;
  uint64_t instructions() const { return m_instructions; }

 private:
  struct HartState {
    int64_t block = -1;  // index of the block being executed
    uint32_t run = 0;    // instructions retired in it this time
    bool trapped = false;
  };
  HartState& hart(uint16_t id) {
    if (id >= m_harts.size()) m_harts.resize(size_t(id) + 1);
    return m_harts[id];
  }
  uint32_t block_at(uint64_t pc);

  BlockTracker m_tracker;
  std::vector<BlockStats> m_blocks;
  std::unordered_map<uint64_t, uint32_t> m_index;  // pc -> m_blocks index
  std::unordered_map<uint64_t, uint64_t> m_edges;  // from << 33 | to << 1 | trap -> count
  std::vector<HartState> m_harts;
  uint64_t m_instructions = 0;
};

// Both passes over a trace file.
BlockProfile profile_blocks(const std::string& trace_path);

}  // namespace silica::trace
