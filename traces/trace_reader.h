// Reads binary traces (FORMAT.md) back into the records the cores wrote.
//
//   trace::TraceReader reader("run.trace");     // throws TraceError
//   trace::TraceRecord rec;
//   while (reader.next(rec)) {                   // throws TraceError
//     if (rec.kind == trace::TraceRecord::kRetired) use(rec.retired);
//   }
//
// Damaged files give a TraceError with a one-line message naming the file and
// what is wrong ("truncated", "corrupt block at byte N", "unsupported
// version"); the records before the damage have been returned by then. The
// reader never trusts a size or count from the file without checking it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "traces/binary_format.h"
#include "traces/block_file_reader.h"
#include "traces/trace_record.h"

namespace silica::trace {

struct TraceHeader {
  unsigned version_major = 0;
  unsigned version_minor = 0;
  unsigned xlen = 0;
  std::string isa;
  std::vector<std::string> class_names;

  // The class name for Retired::insn_class, or "class<N>" if unnamed.
  std::string class_name(unsigned insn_class) const;
};

struct TraceRecord {
  enum Kind { kRetired, kTrap, kBus };
  Kind kind = kRetired;
  Retired retired;  // valid when kind == kRetired
  Trap trap;        // valid when kind == kTrap
  BusAccess bus;    // valid when kind == kBus
};

// Counts from the end record (what the writer wrote).
struct TraceTotals {
  uint64_t retired = 0;
  uint64_t traps = 0;
  uint64_t bus = 0;
};

class TraceReader {
 public:
  // Opens the file and reads its header. Throws TraceError.
  explicit TraceReader(const std::string& path);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  const TraceHeader& header() const { return m_header; }
  const std::string& path() const { return m_file.path(); }

  // The next record; false after the end record. Throws TraceError when the
  // file is truncated or corrupt.
  bool next(TraceRecord& record);

  // Valid once next() returned false.
  const TraceTotals& totals() const { return m_totals; }

 private:
  [[noreturn]] void corrupt(const std::string& what) const;
  bool load_block();
  uint8_t get_u8();
  uint64_t get_varint();
  void decode_retired(uint8_t tag, Retired& r);
  void decode_trap(Trap& t);
  void decode_bus(BusAccess& b);
  void decode_end();

  BlockFileReader m_file;
  TraceHeader m_header;
  std::vector<uint8_t> m_block;
  const uint8_t* m_pos = nullptr;
  const uint8_t* m_end = nullptr;
  format::ModelState m_state;
  bool m_done = false;
  TraceTotals m_counted;  // records returned so far
  TraceTotals m_totals;   // from the end record
};

}  // namespace silica::trace
