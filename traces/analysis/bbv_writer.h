// Basic-block vectors for SimPoint, in the .bb format Valgrind's exp-bbv
// writes: one line per interval of N retired instructions,
//
//   T:45:1024 :189:99343
//
// "T", then for each block that ran in the interval ":<block id>:<count>"
// separated by spaces, where the count is the instructions the block retired
// in the interval (entries times length) and ids are numbered from 1 in order
// of first execution. A last, shorter interval is written too.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "traces/analysis/symbolizer.h"

namespace silica::trace {

class BbvWriter {
 public:
  BbvWriter(std::ostream& out, uint64_t interval);
  // One retired instruction of block `id` (1-based).
  void add(uint32_t id) {
    if (id >= m_counts.size()) m_counts.resize(size_t(id) + 1);
    if (m_counts[id]++ == 0) m_touched.push_back(id);
    if (++m_in_interval == m_interval) flush();
  }
  // Writes the partial last interval, if any.
  void finish();
  uint64_t intervals() const { return m_intervals; }

 private:
  void flush();

  std::ostream& m_out;
  uint64_t m_interval;
  uint64_t m_in_interval = 0;
  uint64_t m_intervals = 0;
  std::vector<uint64_t> m_counts;  // by block id
  std::vector<uint32_t> m_touched;
};

struct BbvOptions {
  uint64_t interval = 100'000'000;
  std::optional<uint16_t> hart;  // only this hart's instructions; default all
};

struct BbvSummary {
  uint64_t instructions = 0;
  uint64_t intervals = 0;
  uint64_t blocks = 0;
};

// Reads the trace (twice) and writes its vectors to `bb`. With `pcs`, writes
// one line per block too: "<id> 0x<pc> <instructions> [symbol+offset]".
BbvSummary write_bbv(const std::string& trace_path, const BbvOptions& options,
                     const Symbolizer& symbols, std::ostream& bb, std::ostream* pcs);

}  // namespace silica::trace
