// Writes the binary trace format (FORMAT.md): records are delta-encoded into
// 256 KiB blocks on the caller's thread, and a background thread compresses
// full blocks with zstd and writes them (block_writer.h).
#pragma once

#include <string>
#include <vector>

#include "traces/binary_format.h"
#include "traces/block_writer.h"
#include "traces/trace_record.h"

namespace silica::trace {

struct BinaryTraceHeader {
  unsigned xlen = 64;                    // the hart's XLEN at the start of the run
  std::string isa;                       // e.g. "rv64imac_zicsr_zifencei"; may be empty
  std::vector<std::string> class_names;  // Retired::insn_class -> name
};

class BinaryTraceWriter final : public TraceSink {
 public:
  // Creates the file and writes its header; throws std::runtime_error naming
  // the file when it cannot. Level 1: at level 3 the compressing thread
  // (~180 MB/s here, on ~5.3 raw bytes per instruction) held the traced run
  // to 34 M instructions/s; level 1 compresses twice as fast for a file 6 %
  // larger, and leaves the core's thread the slower of the two.
  BinaryTraceWriter(const std::string& path, const BinaryTraceHeader& header, int zstd_level = 1);
  ~BinaryTraceWriter() override;

  void retired(const Retired& record) override;
  void trap(const Trap& record) override;
  void bus(const BusAccess& record) override;
  // Writes the end record and everything buffered, and closes the file;
  // later records are dropped. Throws std::runtime_error naming the file if
  // a write failed.
  void finish() override;

 private:
  // Room for one record; starts a new block when the current one is full.
  uint8_t* reserve() {
    if (m_limit - m_pos < ptrdiff_t(format::kMaxRecordBytes)) next_block();
    return m_pos;
  }
  void next_block();
  uint8_t* select_hart(uint8_t* p, uint16_t hart);

  uint8_t m_xlen;
  BlockWriter m_out;
  BlockBuffer m_buffer;
  uint8_t* m_pos = nullptr;
  uint8_t* m_limit = nullptr;
  format::ModelState m_state;
  uint64_t m_retired = 0;
  uint64_t m_traps = 0;
  uint64_t m_bus = 0;
  bool m_finished = false;
  uint8_t m_discard[format::kMaxRecordBytes];  // where records after finish() go
};

}  // namespace silica::trace
