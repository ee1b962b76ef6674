#include "traces/analysis/basic_blocks.h"

#include <utility>

namespace silica::trace {

BlockTracker::BlockTracker(const TraceHeader& header, Leaders leaders)
    : m_leaders(std::move(leaders)) {
  for (size_t c = 0; c < header.class_names.size() && c < 64; ++c) {
    if (header.class_names[c] == "branch" || header.class_names[c] == "jump") {
      m_ending_classes |= uint64_t(1) << c;
    }
  }
}

BlockTracker::Leaders find_leaders(const std::string& trace_path) {
  TraceReader reader(trace_path);
  BlockTracker tracker(reader.header());
  auto leaders = std::make_shared<std::unordered_set<uint64_t>>();
  TraceRecord rec;
  while (reader.next(rec)) {
    if (rec.kind == TraceRecord::kRetired) {
      if (tracker.starts_block(rec.retired)) leaders->insert(rec.retired.pc);
    } else if (rec.kind == TraceRecord::kTrap) {
      tracker.trap(rec.trap);
    }
  }
  return leaders;
}

}  // namespace silica::trace
