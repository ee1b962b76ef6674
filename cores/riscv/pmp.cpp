#include "cores/riscv/pmp.h"

namespace silica::riscv {
namespace {

namespace pmpcfg_bits {
constexpr uint8_t kR = 1, kW = 2, kX = 4, kA = 3 << 3, kL = 0x80;
constexpr uint8_t kOff = 0, kTor = 1 << 3, kNa4 = 2 << 3, kNapot = 3 << 3;
}  // namespace pmpcfg_bits

// pmpaddr holds address bits 55:2 on RV64 (54 bits) and 33:2 on RV32.
uint64_t pmpaddr_mask(unsigned xlen) {
  return xlen == 64 ? (uint64_t(1) << 54) - 1 : 0xffffffff;
}

// The byte range [lo, hi) entry i covers; 128-bit ends so that a NAPOT region
// spanning the whole address space does not wrap.
using u128 = unsigned __int128;
struct Range {
  u128 lo, hi;
};

Range entry_range(const PmpState& pmp, unsigned i) {
  const uint8_t mode = pmp.cfg[i] & pmpcfg_bits::kA;
  const u128 addr = pmp.addr[i];
  if (mode == pmpcfg_bits::kTor) {
    const u128 base = i == 0 ? 0 : pmp.addr[i - 1];
    return {base << 2, addr << 2};
  }
  if (mode == pmpcfg_bits::kNa4) return {addr << 2, (addr << 2) + 4};
  // NAPOT: the trailing ones of pmpaddr give the size, 2^(ones + 3) bytes.
  const uint64_t ones = pmp.addr[i] & ~(pmp.addr[i] + 1);
  const u128 base = u128(pmp.addr[i] & ~ones) << 2;
  return {base, base + (u128(ones) + 1) * 8};
}

void update_summary(PmpState& pmp) {
  pmp.any_active = false;
  pmp.any_locked = false;
  for (uint8_t cfg : pmp.cfg) {
    if ((cfg & pmpcfg_bits::kA) == pmpcfg_bits::kOff) continue;
    pmp.any_active = true;
    if (cfg & pmpcfg_bits::kL) pmp.any_locked = true;
  }
}

bool locked(const PmpState& pmp, unsigned i) {
  return (pmp.cfg[i] & pmpcfg_bits::kL) != 0;
}

}  // namespace

bool pmp_allows(const PmpState& pmp, uint64_t addr, uint64_t size, Access access, Privilege priv) {
  if (!pmp.any_active) return true;
  if (priv == Privilege::kMachine && !pmp.any_locked) return true;
  const u128 first = addr, end = u128(addr) + size;
  for (unsigned i = 0; i < kPmpEntries; ++i) {
    if ((pmp.cfg[i] & pmpcfg_bits::kA) == pmpcfg_bits::kOff) continue;
    const Range r = entry_range(pmp, i);
    if (end <= r.lo || first >= r.hi) continue;    // no byte in this entry
    if (first < r.lo || end > r.hi) return false;  // only some bytes
    if (priv == Privilege::kMachine && !locked(pmp, i)) return true;
    const uint8_t needed = access == Access::kFetch  ? pmpcfg_bits::kX
                           : access == Access::kLoad ? pmpcfg_bits::kR
                                                     : pmpcfg_bits::kW;
    return (pmp.cfg[i] & needed) != 0;
  }
  return priv == Privilege::kMachine;
}

uint64_t pmpcfg_read(const PmpState& pmp, unsigned xlen, unsigned reg) {
  const unsigned per_reg = xlen / 8;
  uint64_t value = 0;
  for (unsigned k = 0; k < per_reg; ++k) value |= uint64_t(pmp.cfg[reg * 4 + k]) << (8 * k);
  return value;
}

void pmpcfg_write(PmpState& pmp, unsigned xlen, unsigned reg, uint64_t value) {
  const unsigned per_reg = xlen / 8;
  for (unsigned k = 0; k < per_reg; ++k) {
    const unsigned i = reg * 4 + k;
    if (locked(pmp, i)) continue;
    auto cfg = uint8_t(value >> (8 * k));
    cfg &= pmpcfg_bits::kR | pmpcfg_bits::kW | pmpcfg_bits::kX | pmpcfg_bits::kA | pmpcfg_bits::kL;
    // W without R is reserved: keep such an entry inaccessible for writes.
    if ((cfg & pmpcfg_bits::kW) && !(cfg & pmpcfg_bits::kR)) cfg &= ~pmpcfg_bits::kW;
    pmp.cfg[i] = cfg;
  }
  update_summary(pmp);
}

uint64_t pmpaddr_read(const PmpState& pmp, unsigned index) {
  return pmp.addr[index];
}

void pmpaddr_write(PmpState& pmp, unsigned xlen, unsigned index, uint64_t value) {
  if (locked(pmp, index)) return;
  const bool next_is_locked_tor = index + 1 < kPmpEntries && locked(pmp, index + 1) &&
                                  (pmp.cfg[index + 1] & pmpcfg_bits::kA) == pmpcfg_bits::kTor;
  if (next_is_locked_tor) return;
  pmp.addr[index] = value & pmpaddr_mask(xlen);
}

}  // namespace silica::riscv
