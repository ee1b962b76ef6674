#include "traces/analysis/block_profile.h"

#include <algorithm>
#include <utility>

namespace silica::trace {

BlockProfile::BlockProfile(const TraceHeader& header, BlockTracker::Leaders leaders)
    : m_tracker(header, std::move(leaders)) {}

uint32_t BlockProfile::block_at(uint64_t pc) {
  auto [it, inserted] = m_index.try_emplace(pc, uint32_t(m_blocks.size()));
  if (inserted) {
    BlockStats b;
    b.pc = pc;
    b.end = pc;
    m_blocks.push_back(b);
  }
  return it->second;
}

void BlockProfile::add(const TraceRecord& record) {
  if (record.kind == TraceRecord::kTrap) {
    m_tracker.trap(record.trap);
    hart(record.trap.hart).trapped = true;
    return;
  }
  if (record.kind != TraceRecord::kRetired) return;
  const Retired& r = record.retired;
  HartState& h = hart(r.hart);
  if (m_tracker.starts_block(r) || h.block < 0) {
    uint32_t next = block_at(r.pc);
    if (h.block >= 0) {
      uint64_t key = uint64_t(h.block) << 33 | uint64_t(next) << 1 | (h.trapped ? 1 : 0);
      ++m_edges[key];
    }
    h.block = next;
    h.run = 0;
    h.trapped = false;
    ++m_blocks[next].entries;
  }
  BlockStats& b = m_blocks[size_t(h.block)];
  ++b.insns;
  b.length = std::max(b.length, ++h.run);
  b.end = std::max(b.end, r.pc + r.len);
  ++m_instructions;
}

std::vector<EdgeStats> BlockProfile::edges() const {
  std::vector<EdgeStats> out;
  out.reserve(m_edges.size());
  for (const auto& [key, count] : m_edges) {
    out.push_back(
        EdgeStats{uint32_t(key >> 33), uint32_t(key >> 1) & 0xffffffffu, (key & 1) != 0, count});
  }
  std::sort(out.begin(), out.end(), [](const EdgeStats& a, const EdgeStats& b) {
    if (a.from != b.from) return a.from < b.from;
    if (a.to != b.to) return a.to < b.to;
    return a.trap < b.trap;
  });
  return out;
}

BlockProfile profile_blocks(const std::string& trace_path) {
  BlockTracker::Leaders leaders = find_leaders(trace_path);
  TraceReader reader(trace_path);
  BlockProfile profile(reader.header(), leaders);
  TraceRecord rec;
  while (reader.next(rec)) profile.add(rec);
  return profile;
}

}  // namespace silica::trace
