// What a core reports when tracing is on: one Retired record per retired
// instruction, one Trap record per exception or interrupt taken, and Bus
// records for MMIO transactions. This header is the seam between the cores
// (which fill records) and the trace writers, filters and tools in traces/.
// Cores pay for tracing only while a sink is attached.
#pragma once

#include <cstdint>

namespace silica::trace {

struct RegWrite {
  uint8_t file = 0;  // 0 = integer registers (x), 1 = floating point (f, later)
  uint8_t index = 0;
  uint64_t value = 0;
};

struct MemAccess {
  uint64_t addr = 0;   // virtual address as the instruction used it
  uint64_t value = 0;  // loaded or stored value (zero-extended)
  uint8_t size = 0;    // bytes
  bool write = false;
};

struct Retired {
  uint64_t instret = 0;  // this hart's count of instructions retired before this one
  uint64_t pc = 0;
  uint32_t raw = 0;  // encoding; 16 significant bits when len == 2
  uint16_t hart = 0;
  uint8_t priv = 3;  // 0 U, 1 S, 3 M
  uint8_t len = 4;   // bytes
  uint8_t xlen = 64;
  uint8_t insn_class = 0;  // silica::riscv::InsnClass from the generated tables
  uint8_t n_writes = 0;
  uint8_t n_mem = 0;
  RegWrite writes[2];
  MemAccess mem[2];  // an AMO reads and writes
};

struct Trap {
  uint64_t instret = 0;  // retired count when the trap was taken
  uint64_t epc = 0;      // pc of the trapping instruction, or where the interrupt hit
  uint64_t cause = 0;    // mcause/scause value (interrupt bit included)
  uint64_t tval = 0;
  uint64_t handler = 0;  // the pc execution continues at
  uint16_t hart = 0;
  uint8_t from_priv = 3;
  uint8_t to_priv = 3;
  bool interrupt = false;
};

struct BusAccess {
  uint64_t time_ps = 0;  // simulated time of the access
  uint64_t addr = 0;
  uint64_t value = 0;
  uint8_t size = 0;
  bool write = false;
  bool ok = true;          // false when the target answered with an error
  uint16_t initiator = 0;  // hart id for cores
};

// Receives records from every hart (harts run one at a time, so calls are
// never concurrent). Implementations filter, format and write them.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void retired(const Retired& record) = 0;
  virtual void trap(const Trap& record) = 0;
  virtual void bus(const BusAccess& record) = 0;
  // Called once at the end of the run; writes everything still buffered.
  virtual void finish() = 0;
};

}  // namespace silica::trace
