// The remaining helpers named in the descriptions: the instruction-fetch and
// address-translation fences, and LR/SC reservations.
//
// LR/SC (Unprivileged ISA 8.2). The reservation holds the physical address
// LR read and the value it saw. SC succeeds only if the reservation is still
// valid and memory still holds that value. A store by this hart to the
// reserved doubleword, a trap or any SC invalidates it; a store by another
// hart (or a device) that changes the value makes SC fail without any
// bookkeeping between harts, even when that store went through a TLB or DMI
// fast path. A store that writes back the very value LR read goes unnoticed
// (the ABA case), which is what QEMU does too; lock-free algorithms on RISC-V
// cannot tell the difference.
#include "cores/riscv/mmu.h"

namespace silica::riscv {

// Every store into decoded code, by any hart or device, has already marked
// that code stale (CodePages): the engines drop it between blocks, and fence.i
// ends its block, so the next instruction is fetched afresh.
template <unsigned XLEN>
void fence_i(Hart<XLEN>& h, const DecodedInsn&) {
  h.attention = true;
}

template <unsigned XLEN>
bool fence_vma(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> vaddr,
               sem::uxlen<XLEN> /*asid*/, bool one_page) {
  // Illegal in U-mode, and in S-mode while mstatus.TVM traps it to M.
  if (h.priv == Privilege::kUser ||
      (h.priv == Privilege::kSupervisor && (h.mstatus & mstatus_bits::kTvm) != 0)) {
    return illegal_instruction(h, d);
  }
  // The ASID is not looked at: the TLBs hold one address space. Decoded code
  // stays whatever was named: the code caches find it by physical page.
  if (one_page) {
    h.mapping_changed_at(uint64_t(vaddr));  // Linux names one page far more often than all
  } else {
    h.translation_changed(TranslationChange::kMappings);
  }
  return true;
}

namespace {

template <class T, unsigned XLEN>
bool load_reserved(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, T& out) {
  if (addr & (sizeof(T) - 1)) {
    raise_exception(h, cause::kLoadMisaligned, addr, d.pc);
    return false;
  }
  if (!mem_load<T>(h, d, addr, out)) return false;  // translates, checks PMP, may fault
  const Translation t = translate(h, addr, Access::kLoad, h.data_privilege());
  h.reservation_valid = true;
  h.reservation_addr = t.paddr;
  h.reservation_value = out;
  // Stores by this hart to the reserved page must reach the slow path, which
  // breaks the reservation: drop the page's write-TLB entry (store_slow keeps
  // it out while the reservation lasts).
  h.tlb_write[(addr >> kPageBits) % kTlbEntries] = TlbEntry{};
  return true;
}

template <class T, unsigned XLEN>
bool store_conditional(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, T value,
                       sem::uxlen<XLEN>& result) {
  if (addr & (sizeof(T) - 1)) {
    raise_exception(h, cause::kStoreMisaligned, addr, d.pc);
    return false;
  }
  bool success = false;
  if (h.reservation_valid) {
    // An SC that may succeed is a store: its page faults are raised, which is
    // how a copy-on-write page after fork() gets its private copy (a failing
    // SC that hid the fault would retry forever on the read-only page).
    const Translation t = translate(h, addr, Access::kStore, h.data_privilege());
    if (!t.ok) {
      raise_exception(h, t.cause, addr, d.pc);  // the trap also ends the reservation
      return false;
    }
    T current = 0;
    success = t.paddr == h.reservation_addr && read_physical(h, t.paddr, sizeof(T), &current) &&
              current == T(h.reservation_value);
  }
  h.reservation_valid = false;
  if (success && !mem_store<T>(h, d, addr, value)) return false;
  result = success ? 0 : 1;
  return true;
}
}  // namespace

template <unsigned XLEN>
bool load_reserved_u32(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr, uint32_t& out) {
  return load_reserved(h, d, addr, out);
}
template <unsigned XLEN>
bool load_reserved_u64(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr, uint64_t& out) {
  return load_reserved(h, d, addr, out);
}
template <unsigned XLEN>
bool store_conditional_u32(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr,
                           uint32_t value, sem::uxlen<XLEN>& result) {
  return store_conditional(h, d, addr, value, result);
}
template <unsigned XLEN>
bool store_conditional_u64(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr,
                           uint64_t value, sem::uxlen<XLEN>& result) {
  return store_conditional(h, d, addr, value, result);
}

#define SILICA_INSTANTIATE(XLEN)                                                                   \
  template void fence_i(Hart<XLEN>&, const DecodedInsn&);                                          \
  template bool fence_vma(Hart<XLEN>&, const DecodedInsn&, sem::uxlen<XLEN>, sem::uxlen<XLEN>,     \
                          bool);                                                                   \
  template bool load_reserved_u32(Hart<XLEN>&, const DecodedInsn&, sem::uxlen<XLEN>, uint32_t&);   \
  template bool load_reserved_u64(Hart<XLEN>&, const DecodedInsn&, sem::uxlen<XLEN>, uint64_t&);   \
  template bool store_conditional_u32(Hart<XLEN>&, const DecodedInsn&, sem::uxlen<XLEN>, uint32_t, \
                                      sem::uxlen<XLEN>&);                                          \
  template bool store_conditional_u64(Hart<XLEN>&, const DecodedInsn&, sem::uxlen<XLEN>, uint64_t, \
                                      sem::uxlen<XLEN>&);
SILICA_INSTANTIATE(32)
SILICA_INSTANTIATE(64)
#undef SILICA_INSTANTIATE

}  // namespace silica::riscv
