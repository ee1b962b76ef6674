#include "traces/analysis/bbv_writer.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "traces/analysis/basic_blocks.h"
#include "traces/trace_reader.h"

namespace silica::trace {

BbvWriter::BbvWriter(std::ostream& out, uint64_t interval)
    : m_out(out), m_interval(interval == 0 ? 1 : interval) {}

void BbvWriter::flush() {
  std::sort(m_touched.begin(), m_touched.end());
  std::string line = "T";
  char pair[48];
  bool first = true;
  for (uint32_t id : m_touched) {
    std::snprintf(pair, sizeof pair, "%s:%u:%llu", first ? "" : " ", id,
                  static_cast<unsigned long long>(m_counts[id]));
    line += pair;
    m_counts[id] = 0;
    first = false;
  }
  line += '\n';
  m_out << line;
  m_touched.clear();
  m_in_interval = 0;
  ++m_intervals;
}

void BbvWriter::finish() {
  if (m_in_interval > 0) flush();
}

BbvSummary write_bbv(const std::string& trace_path, const BbvOptions& options,
                     const Symbolizer& symbols, std::ostream& bb, std::ostream* pcs) {
  BlockTracker::Leaders leaders = find_leaders(trace_path);
  TraceReader reader(trace_path);
  BlockTracker tracker(reader.header(), leaders);
  BbvWriter writer(bb, options.interval);
  std::unordered_map<uint64_t, uint32_t> ids;                   // block pc -> id
  std::vector<std::pair<uint64_t, uint64_t>> by_id = {{0, 0}};  // id -> (pc, instructions)
  std::vector<uint32_t> current;  // per hart: the block being executed
  BbvSummary summary;
  TraceRecord rec;
  while (reader.next(rec)) {
    if (rec.kind == TraceRecord::kTrap) tracker.trap(rec.trap);
    if (rec.kind != TraceRecord::kRetired) continue;
    const Retired& r = rec.retired;
    // Every hart's blocks are tracked, so leaving one out does not cut the
    // others' blocks differently.
    bool start = tracker.starts_block(r);
    if (options.hart && r.hart != *options.hart) continue;
    if (r.hart >= current.size()) current.resize(size_t(r.hart) + 1, 0);
    if (start || current[r.hart] == 0) {
      auto [it, inserted] = ids.try_emplace(r.pc, uint32_t(by_id.size()));
      if (inserted) by_id.emplace_back(r.pc, 0);
      current[r.hart] = it->second;
    }
    uint32_t id = current[r.hart];
    ++by_id[id].second;
    writer.add(id);
    ++summary.instructions;
  }
  writer.finish();
  summary.intervals = writer.intervals();
  summary.blocks = by_id.size() - 1;
  if (pcs != nullptr) {
    for (size_t id = 1; id < by_id.size(); ++id) {
      char line[64];
      std::snprintf(line, sizeof line, "%zu 0x%llx %llu", id,
                    static_cast<unsigned long long>(by_id[id].first),
                    static_cast<unsigned long long>(by_id[id].second));
      std::string name = symbols.describe(by_id[id].first);
      *pcs << line << (name.empty() ? "" : " ") << name << "\n";
    }
  }
  return summary;
}

}  // namespace silica::trace
