// Virtual memory (Privileged ISA 4.3-4.6): satp's Bare, Sv32 (RV32) and
// Sv39/Sv48/Sv57 (RV64) page-table walks with every permission check, A/D
// bits set by the walker (as QEMU does), and the physical accesses the
// walker and the memory slow paths share.
#pragma once

#include <cstdint>
#include <optional>

#include "cores/riscv/hart.h"

namespace silica::riscv {

inline uint64_t page_fault_cause(Access access) {
  return access == Access::kFetch  ? cause::kInsnPageFault
         : access == Access::kLoad ? cause::kLoadPageFault
                                   : cause::kStorePageFault;
}
inline uint64_t access_fault_cause(Access access) {
  return access == Access::kFetch  ? cause::kInsnAccessFault
         : access == Access::kLoad ? cause::kLoadAccessFault
                                   : cause::kStoreAccessFault;
}

// The satp MODE values (RV64; RV32's Sv32 is MODE 1 in bit 31).
namespace satp_mode {
constexpr unsigned kBare = 0, kSv39 = 8, kSv48 = 9, kSv57 = 10;
}

// Whether satp's MODE field selects translation (any mode but Bare).
template <unsigned XLEN>
bool satp_translates(const Hart<XLEN>& h) {
  return XLEN == 32 ? (h.satp >> 31) != 0 : (uint64_t(h.satp) >> 60) != satp_mode::kBare;
}

struct Translation {
  bool ok;
  uint64_t paddr;  // when ok
  uint64_t cause;  // when not: a page fault, or an access fault from the walk
  // When ok: log2 of the size of the leaf that mapped it (12 for a 4 KiB
  // page, 21 for a 2 MiB megapage, ...; 12 without translation).
  unsigned page_shift = kPageBits;
};

// Translates vaddr for an access made with privilege priv (the caller applies
// MPRV). M-mode and Bare are the identity. The walk reads (and for A/D,
// writes) page-table entries in physical memory, checked by PMP as S-mode
// accesses. Raises nothing.
template <unsigned XLEN>
Translation translate(Hart<XLEN>& h, uint64_t vaddr, Access access, Privilege priv);

// The physical address a debugger means by vaddr: the hart's current
// translation (identity in M-mode), any valid leaf whatever its permissions,
// A/D untouched. Nothing when vaddr is unmapped.
template <unsigned XLEN>
std::optional<uint64_t> translate_for_debugger(Hart<XLEN>& h, uint64_t vaddr);

// Physical memory, without translation or PMP: RAM through DMI, the rest
// through the bus. False on a bus error. Stores notice decoded code and break
// an LR reservation on the bytes they write (hart_memory.cpp).
template <unsigned XLEN>
bool read_physical(Hart<XLEN>& h, uint64_t paddr, unsigned size, void* out);
template <unsigned XLEN>
bool write_physical(Hart<XLEN>& h, uint64_t paddr, unsigned size, const void* in);

}  // namespace silica::riscv
