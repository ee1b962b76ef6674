// Writes retired instructions as Spike --log-commits lines (spike_format.h).
// Traps and bus accesses have no place in that layout and are not written,
// so the file diffs line for line against Spike's commit log.
#pragma once

#include <string>

#include "traces/block_writer.h"
#include "traces/spike_format.h"
#include "traces/trace_record.h"

namespace silica::trace {

class TextTraceWriter final : public TraceSink {
 public:
  // Throws std::runtime_error naming the file when it cannot be created.
  explicit TextTraceWriter(const std::string& path);
  ~TextTraceWriter() override;

  void retired(const Retired& record) override {
    if (m_limit - m_pos < ptrdiff_t(kMaxSpikeLine)) next_buffer();
    m_pos += format_spike_commit(record, m_pos);
  }
  void trap(const Trap&) override {}
  void bus(const BusAccess&) override {}
  // Writes what is buffered and closes the file; later records are dropped.
  // Throws std::runtime_error naming the file if a write failed.
  void finish() override;

 private:
  void next_buffer();

  BlockWriter m_out;
  BlockBuffer m_buffer;
  char m_discard[kMaxSpikeLine];  // where records after finish() go
  char* m_pos = nullptr;
  char* m_limit = nullptr;
  bool m_finished = false;
};

}  // namespace silica::trace
