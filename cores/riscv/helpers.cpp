// The remaining helpers named in the descriptions: instruction-fetch fence and
// LR/SC reservations (Unprivileged ISA 8.2: the reservation covers the aligned
// doubleword; any SC clears it; a trap or a store to it breaks it).
#include "cores/riscv/hart.h"

namespace silica::riscv {

template <unsigned XLEN>
void fence_i(Hart<XLEN>& h, const DecodedInsn&) {
  h.code_flush_requested = true;
  h.attention = true;
}

namespace {
template <class T, unsigned XLEN>
bool load_reserved(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, T& out) {
  if (addr & (sizeof(T) - 1)) {
    raise_exception(h, cause::kLoadMisaligned, addr, d.pc);
    return false;
  }
  if (!mem_load<T>(h, d, addr, out)) return false;
  h.reservation_valid = true;
  h.reservation_addr = addr;
  // Stores to the reserved page must reach store_slow, which breaks the
  // reservation: drop the page's write-TLB entry (store_aligned keeps it out
  // while the reservation lasts). Otherwise whether a store breaks it would
  // depend on what the TLB happens to hold.
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
  bool success = h.reservation_valid && h.reservation_addr == addr;
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
