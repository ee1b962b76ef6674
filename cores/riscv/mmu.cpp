#include "cores/riscv/mmu.h"

#include "cores/riscv/pmp.h"

namespace silica::riscv {
namespace {

namespace pte_bits {
constexpr uint64_t kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kA = 64, kD = 128;
}  // namespace pte_bits

// The shape of a translation scheme: levels, VPN bits per level, PTE size.
struct Scheme {
  unsigned levels;
  unsigned vpn_bits;
  unsigned pte_bytes;
  unsigned ppn_bits;  // in a PTE, from bit 10
};

template <unsigned XLEN>
Scheme scheme_of(const Hart<XLEN>& h) {
  if constexpr (XLEN == 32) {
    return {2, 10, 4, 22};
  } else {
    const unsigned levels = unsigned(uint64_t(h.satp) >> 60) - satp_mode::kSv39 + 3;
    return {levels, 9, 8, 44};
  }
}

template <unsigned XLEN>
uint64_t root_ppn(const Hart<XLEN>& h) {
  return XLEN == 32 ? uint64_t(h.satp) & 0x3fffff : uint64_t(h.satp) & ((uint64_t(1) << 44) - 1);
}

// A page-table entry access: PMP-checked as S-mode (Privileged ISA 3.7.1),
// an access fault of the original access type if refused.
template <unsigned XLEN>
bool pte_access(Hart<XLEN>& h, uint64_t paddr, unsigned bytes, uint64_t& pte, bool write) {
  if (!pmp_allows(h.pmp, paddr, bytes, write ? Access::kStore : Access::kLoad,
                  Privilege::kSupervisor)) {
    return false;
  }
  if (write) return write_physical(h, paddr, bytes, &pte);
  pte = 0;
  return read_physical(h, paddr, bytes, &pte);
}

// The walk. For a debugger (Debug), any valid leaf maps, whatever the
// privilege and permissions, and A/D stay untouched.
template <bool Debug, unsigned XLEN>
Translation walk(Hart<XLEN>& h, uint64_t vaddr, Access access, Privilege priv) {
  if (priv == Privilege::kMachine || !satp_translates(h)) return {true, vaddr, 0};
  const Translation page_fault{false, 0, page_fault_cause(access)};
  const Translation access_fault{false, 0, access_fault_cause(access)};
  const Scheme s = scheme_of(h);
  const unsigned va_bits = kPageBits + s.levels * s.vpn_bits;
  if constexpr (XLEN == 64) {
    // Bits above the virtual address width must copy its top bit.
    const auto canonical = uint64_t(int64_t(vaddr << (64 - va_bits)) >> (64 - va_bits));
    if (canonical != vaddr) return page_fault;
  }
  const uint64_t vpn_mask = (uint64_t(1) << s.vpn_bits) - 1;
  uint64_t table = root_ppn(h) << kPageBits;
  for (int level = int(s.levels) - 1; level >= 0; --level) {
    const uint64_t vpn = (vaddr >> (kPageBits + unsigned(level) * s.vpn_bits)) & vpn_mask;
    const uint64_t pte_addr = table + vpn * s.pte_bytes;
    uint64_t pte = 0;
    if (!pte_access(h, pte_addr, s.pte_bytes, pte, false)) return access_fault;
    // RV64: bits 63:54 (N, PBMT, reserved) must be zero without Svnapot/Svpbmt.
    if (XLEN == 64 && (pte >> 54) != 0) return page_fault;
    if (!(pte & pte_bits::kV) || ((pte & pte_bits::kW) && !(pte & pte_bits::kR))) {
      return page_fault;
    }
    const uint64_t ppn = (pte >> 10) & ((uint64_t(1) << s.ppn_bits) - 1);
    if (!(pte & (pte_bits::kR | pte_bits::kX))) {
      // A pointer to the next level; the last level must hold a leaf.
      if (level == 0) return page_fault;
      table = ppn << kPageBits;
      continue;
    }
    const uint64_t page_offset_mask =
        (uint64_t(1) << (kPageBits + unsigned(level) * s.vpn_bits)) - 1;
    const uint64_t paddr = ((ppn << kPageBits) & ~page_offset_mask) | (vaddr & page_offset_mask);
    const auto page_shift = unsigned(kPageBits + unsigned(level) * s.vpn_bits);
    if constexpr (Debug) return {true, paddr, 0, page_shift};
    // A leaf: the privilege may use it, and it grants the access.
    const bool user_page = (pte & pte_bits::kU) != 0;
    if (priv == Privilege::kUser && !user_page) return page_fault;
    if (priv == Privilege::kSupervisor && user_page &&
        (access == Access::kFetch || !(h.mstatus & mstatus_bits::kSum))) {
      return page_fault;
    }
    const bool readable =
        (pte & pte_bits::kR) || ((h.mstatus & mstatus_bits::kMxr) && (pte & pte_bits::kX));
    const bool granted = access == Access::kFetch  ? (pte & pte_bits::kX) != 0
                         : access == Access::kLoad ? readable
                                                   : (pte & pte_bits::kW) != 0;
    if (!granted) return page_fault;
    // A superpage's PPN must be aligned to its size.
    const uint64_t low_ppn_mask = (uint64_t(1) << (unsigned(level) * s.vpn_bits)) - 1;
    if (ppn & low_ppn_mask) return page_fault;
    // Accessed, and Dirty for stores: the walker sets them (Svadu behaviour).
    const uint64_t needed = pte_bits::kA | (access == Access::kStore ? pte_bits::kD : 0);
    if ((pte & needed) != needed) {
      pte |= needed;
      if (!pte_access(h, pte_addr, s.pte_bytes, pte, true)) return access_fault;
    }
    return {true, paddr, 0, page_shift};
  }
  return page_fault;  // not reached: level 0 either is a leaf or faults
}

}  // namespace

template <unsigned XLEN>
Translation translate(Hart<XLEN>& h, uint64_t vaddr, Access access, Privilege priv) {
  return walk<false>(h, vaddr, access, priv);
}

template <unsigned XLEN>
std::optional<uint64_t> translate_for_debugger(Hart<XLEN>& h, uint64_t vaddr) {
  const Translation t = walk<true>(h, vaddr, Access::kLoad, h.priv);
  if (!t.ok) return std::nullopt;
  return t.paddr;
}

template Translation translate(Hart<32>&, uint64_t, Access, Privilege);
template Translation translate(Hart<64>&, uint64_t, Access, Privilege);
template std::optional<uint64_t> translate_for_debugger(Hart<32>&, uint64_t);
template std::optional<uint64_t> translate_for_debugger(Hart<64>&, uint64_t);

}  // namespace silica::riscv
