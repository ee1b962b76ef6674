// Physical Memory Protection (Privileged ISA 3.7): 16 entries matched in
// order, TOR, NA4 and NAPOT regions with a 4-byte grain, the L bit locking an
// entry (and applying it to M-mode).
#pragma once

#include <cstdint>

#include "cores/riscv/hart.h"

namespace silica::riscv {

// Whether the PMP lets `priv` make `access` to every byte of
// [addr, addr + size). An access only partly inside the first matching entry
// fails, as the spec requires. S/U-mode accesses no entry matches fail as
// soon as any entry is active; M-mode ones succeed.
bool pmp_allows(const PmpState& pmp, uint64_t addr, uint64_t size, Access access, Privilege priv);

// pmpcfgN (N even on RV64: each holds eight entries' bytes) and pmpaddrN as
// the CSRs read and write them. Writes to locked entries are ignored, as are
// writes to the pmpaddr below a locked TOR entry (its base).
uint64_t pmpcfg_read(const PmpState& pmp, unsigned xlen, unsigned reg);
void pmpcfg_write(PmpState& pmp, unsigned xlen, unsigned reg, uint64_t value);
uint64_t pmpaddr_read(const PmpState& pmp, unsigned index);
void pmpaddr_write(PmpState& pmp, unsigned xlen, unsigned index, uint64_t value);

}  // namespace silica::riscv
