// Memory slow paths: TLB refills from DMI, MMIO through the bus, misaligned and
// page-crossing accesses, access faults, and stores into decoded code.
#include "cores/riscv/hart.h"

namespace silica::riscv {
namespace {

uint64_t page_of(uint64_t addr) {
  return addr & ~(kPageSize - 1);
}

// Host address of [addr, addr+size) when RAM backs it with the needed
// permission, else nullptr. Fills the TLB entry for the page too (when tlb is
// given), unless a trace is being written: then every access must come here.
template <unsigned XLEN>
uint8_t* dmi_host(Hart<XLEN>& h, TlbEntry* tlb, uint64_t addr, unsigned size, bool write) {
  DmiRegion region;
  if (!h.memory->dmi_for(addr, region)) return nullptr;
  if (write ? !region.writable : !region.readable) return nullptr;
  if (!region.contains(addr + size - 1)) return nullptr;
  uint64_t page = page_of(addr);
  if (tlb != nullptr && !h.slow_memory && page >= region.base &&
      page + kPageSize - 1 <= region.last) {
    TlbEntry& e = tlb[(addr >> kPageBits) % kTlbEntries];
    e.tag = page;
    e.addend = reinterpret_cast<uintptr_t>(region.host) - region.base;
  }
  return region.host + (addr - region.base);
}

// One naturally aligned access inside a page: TLB, then DMI, then the bus.
template <unsigned XLEN>
bool load_aligned(Hart<XLEN>& h, uint64_t addr, unsigned size, void* out) {
  const TlbEntry& e = h.tlb_read[(addr >> kPageBits) % kTlbEntries];
  if (e.tag == page_of(addr)) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the TLB addend maps guest to host in one add
    std::memcpy(out, reinterpret_cast<const void*>(e.addend + addr), size);
    return true;
  }
  if (const uint8_t* host = dmi_host(h, h.tlb_read, addr, size, false)) {
    std::memcpy(out, host, size);
    return true;
  }
  h.attention = true;  // a device access may have stopped or reset the simulation
  return h.memory->bus_read(addr, out, size);
}

template <unsigned XLEN>
bool store_aligned(Hart<XLEN>& h, uint64_t addr, unsigned size, const void* in) {
  uint64_t page = page_of(addr);
  bool code = h.code_watcher != nullptr && h.code_watcher->is_code_page(page);
  if (code) {
    // Decoded code came from this page: never cache it for writing, and tell
    // the code cache, which drops the stale decodings at the next block boundary.
    h.code_watcher->code_page_written(page);
  } else {
    const TlbEntry& e = h.tlb_write[(addr >> kPageBits) % kTlbEntries];
    if (e.tag == page) {
      // NOLINTNEXTLINE(performance-no-int-to-ptr): as above
      std::memcpy(reinterpret_cast<void*>(e.addend + addr), in, size);
      return true;
    }
  }
  const bool reserved = h.reservation_valid && page_of(h.reservation_addr) == page;
  if (uint8_t* host = dmi_host(h, code || reserved ? nullptr : h.tlb_write, addr, size, true)) {
    std::memcpy(host, in, size);
    return true;
  }
  h.attention = true;
  return h.memory->bus_write(addr, in, size);
}

// Stops the machine after this instruction when it touches a watched range.
template <unsigned XLEN>
void check_watchpoints(Hart<XLEN>& h, uint64_t addr, unsigned size, bool write) {
  for (const Watchpoint& w : *h.watchpoints) {
    bool kind_matches =
        w.kind == BreakpointKind::kAccessWatch ||
        (write ? w.kind == BreakpointKind::kWriteWatch : w.kind == BreakpointKind::kReadWatch);
    if (kind_matches && addr < w.addr + w.length && w.addr < addr + size) {
      h.watch_hit = true;
      h.watch_addr = w.addr;
      h.watch_kind = w.kind;
      h.attention = true;
      return;
    }
  }
}

template <unsigned XLEN>
void record_access(Hart<XLEN>& h, uint64_t addr, unsigned size, uint64_t value, bool write) {
  trace::Retired& r = h.trace_record;
  if (r.n_mem < 2) r.mem[r.n_mem++] = {addr, value, uint8_t(size), write};
}

}  // namespace

template <unsigned XLEN>
LoadResult load_slow(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, unsigned size,
                     bool for_amo) {
  bool misaligned = (addr & (size - 1)) != 0;
  if (misaligned && (for_amo || h.config.misaligned_traps)) {
    raise_exception(h, for_amo ? cause::kStoreMisaligned : cause::kLoadMisaligned, addr, d.pc);
    return {false, 0};
  }
  uint8_t bytes[8] = {};
  bool ok = true;
  if (!misaligned) {
    ok = load_aligned(h, addr, size, bytes);
  } else {
    // Emulated misaligned access, one byte at a time (it may cross pages).
    for (unsigned i = 0; ok && i < size; ++i) ok = load_aligned(h, addr + i, 1, bytes + i);
  }
  if (!ok) {
    raise_exception(h, for_amo ? cause::kStoreAccessFault : cause::kLoadAccessFault, addr, d.pc);
    return {false, 0};
  }
  uint64_t value = 0;
  std::memcpy(&value, bytes, sizeof value);  // little-endian host, as the guest
  if (h.trace != nullptr) record_access(h, addr, size, value, false);
  if (h.watchpoints != nullptr) check_watchpoints(h, addr, size, false);
  return {true, value};
}

template <unsigned XLEN>
bool store_slow(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, unsigned size, uint64_t value) {
  const void* in = &value;
  bool misaligned = (addr & (size - 1)) != 0;
  if (misaligned && h.config.misaligned_traps) {
    raise_exception(h, cause::kStoreMisaligned, addr, d.pc);
    return false;
  }
  bool ok = true;
  if (!misaligned) {
    ok = store_aligned(h, addr, size, in);
  } else {
    const auto* bytes = static_cast<const uint8_t*>(in);
    for (unsigned i = 0; ok && i < size; ++i) ok = store_aligned(h, addr + i, 1, bytes + i);
  }
  if (!ok) raise_exception(h, cause::kStoreAccessFault, addr, d.pc);
  if (ok && h.trace != nullptr) record_access(h, addr, size, value, true);
  if (ok && h.watchpoints != nullptr) check_watchpoints(h, addr, size, true);
  // A store to the reserved address breaks an LR/SC pair.
  if (h.reservation_valid && (h.reservation_addr & ~uint64_t(7)) == (addr & ~uint64_t(7))) {
    h.reservation_valid = false;
  }
  return ok;
}

template <unsigned XLEN>
const uint8_t* fetch_page(Hart<XLEN>& h, uint64_t pc) {
  DmiRegion region;
  uint64_t page = page_of(pc);
  if (!h.memory->dmi_for(pc, region) || !region.readable) return nullptr;
  if (page < region.base || page + kPageSize - 1 > region.last) return nullptr;
  return region.host + (page - region.base);
}

template <unsigned XLEN>
bool fetch_word(Hart<XLEN>& h, uint64_t pc, uint32_t& word, uint64_t& fault_addr) {
  uint16_t low = 0, high = 0;
  if (!load_aligned(h, pc, 2, &low)) {
    fault_addr = pc;
    return false;
  }
  word = low;
  if ((low & 3) != 3) return true;
  if (!load_aligned(h, pc + 2, 2, &high)) {
    fault_addr = pc + 2;
    return false;
  }
  word |= uint32_t(high) << 16;
  return true;
}

template <unsigned XLEN>
void Hart<XLEN>::reset(uint64_t start_pc) {
  for (auto& r : x) r = 0;
  pc = start_pc;
  priv = Privilege::kMachine;
  mie = mip = mtvec = mepc = mcause = mtval = mscratch = 0;
  // Machine mode is the only mode: MPP always holds it.
  mstatus = mstatus_bits::kMpp;
  instret = cycles = 0;
  for (auto& r : f) r = 0;
  fflags = frm = 0;
  wfi = false;
  attention = true;
  stopped_at = nullptr;
  reservation_valid = false;
  flush_tlb();
}

template <unsigned XLEN>
void Hart<XLEN>::flush_tlb() {
  for (auto& e : tlb_read) e = TlbEntry{};
  for (auto& e : tlb_write) e = TlbEntry{};
}

#define SILICA_INSTANTIATE(XLEN)                                                            \
  template struct Hart<XLEN>;                                                               \
  template LoadResult load_slow(Hart<XLEN>&, const DecodedInsn&, uint64_t, unsigned, bool); \
  template bool store_slow(Hart<XLEN>&, const DecodedInsn&, uint64_t, unsigned, uint64_t);  \
  template const uint8_t* fetch_page(Hart<XLEN>&, uint64_t);                                \
  template bool fetch_word(Hart<XLEN>&, uint64_t, uint32_t&, uint64_t&);
SILICA_INSTANTIATE(32)
SILICA_INSTANTIATE(64)
#undef SILICA_INSTANTIATE

}  // namespace silica::riscv
