// Memory slow paths: translation and PMP (mmu.cpp, pmp.cpp), TLB refills from
// DMI, MMIO through the bus, misaligned and page-crossing accesses, access and
// page faults, and stores into decoded code.
#include "cores/riscv/mmu.h"
#include "cores/riscv/pmp.h"

namespace silica::riscv {
namespace {

uint64_t page_of(uint64_t addr) {
  return addr & ~(kPageSize - 1);
}

// A virtual address made physical for one access, or the fault to raise.
struct Resolved {
  bool ok;
  uint64_t paddr;
  uint64_t cause;
  // The page tables and PMP grant the access on the whole 4 KiB page, so
  // the TLB may cache the page for it.
  bool whole_page;
  unsigned page_shift = kPageBits;  // the leaf's size (Translation)
};

// Translates [vaddr, vaddr + size), which lies within one page, and checks
// PMP on the physical bytes.
template <unsigned XLEN>
Resolved resolve(Hart<XLEN>& h, uint64_t vaddr, unsigned size, Access access) {
  const Privilege priv = access == Access::kFetch ? h.priv : h.data_privilege();
  const Translation t = translate(h, vaddr, access, priv);
  if (!t.ok) return {false, 0, t.cause, false};
  if (!pmp_allows(h.pmp, t.paddr, size, access, priv)) {
    return {false, 0, access_fault_cause(access), false};
  }
  const bool whole_page = pmp_allows(h.pmp, page_of(t.paddr), kPageSize, access, priv);
  return {true, t.paddr, 0, whole_page, t.page_shift};
}

// Host address of physical [paddr, paddr+size) when RAM backs it with the
// needed permission, else nullptr.
template <unsigned XLEN>
uint8_t* dmi_host(Hart<XLEN>& h, uint64_t paddr, unsigned size, bool write, DmiRegion& region) {
  if (!h.memory->dmi_for(paddr, region)) return nullptr;
  if (write ? !region.writable : !region.readable) return nullptr;
  if (!region.contains(paddr + size - 1)) return nullptr;
  return region.host + (paddr - region.base);
}

// Caches virtual page -> host page after an access the page tables and PMP
// grant on the whole page, when RAM backs all of it.
template <unsigned XLEN>
void fill_tlb(Hart<XLEN>& h, TlbEntry* tlb, uint8_t* shifts, uint64_t vaddr, uint64_t paddr,
              unsigned page_shift, const DmiRegion& region) {
  const uint64_t ppage = page_of(paddr);
  if (ppage < region.base || ppage + kPageSize - 1 > region.last) return;
  const unsigned index = (vaddr >> kPageBits) % kTlbEntries;
  TlbEntry& e = tlb[index];
  // Tracing or watching: every access must still come to the slow path.
  e.tag = page_of(vaddr) | (h.slow_memory ? kSlowPathTag : 0);
  e.addend = reinterpret_cast<uintptr_t>(region.host) + (ppage - region.base) - page_of(vaddr);
  shifts[index] = uint8_t(page_shift);
}

// No translation and no PMP entry: loads and stores of every privilege
// reach the same physical bytes, unchecked.
template <unsigned XLEN>
bool addresses_unchecked(const Hart<XLEN>& h) {
  return !satp_translates(h) && !h.pmp.any_active;
}

// Opens the read window on the RAM region a load just read from, when
// addresses are unchecked and misaligned loads need not trap (the window
// serves any alignment).
template <unsigned XLEN>
void fill_read_window(Hart<XLEN>& h, const DmiRegion& region) {
  if (h.slow_memory || h.config.misaligned_traps || !addresses_unchecked(h)) return;
  const uint64_t size = region.last - region.base + 1;
  if (size < 8) return;
  h.read_window.base = region.base;
  h.read_window.limit = size - 7;
  h.read_window.host = region.host;
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

// What the slow path does with an access that succeeded: record it for the
// trace, and check it against the watchpoints.
template <unsigned XLEN>
void observe_access(Hart<XLEN>& h, uint64_t addr, unsigned size, uint64_t value, bool write) {
  if (h.trace != nullptr) {
    trace::Retired& r = h.trace_record;
    if (r.n_mem < 2) r.mem[r.n_mem++] = {addr, value, uint8_t(size), write};
  }
  if (h.watchpoints != nullptr) check_watchpoints(h, addr, size, write);
}

// While slow_memory holds: the entry filled for the slow path that maps the
// page of an access that stays within it, else nullptr.
inline const TlbEntry* slow_path_tlb_hit(const TlbEntry* tlb, uint64_t addr) {
  const TlbEntry& e = tlb[(addr >> kPageBits) % kTlbEntries];
  return e.tag == (page_of(addr) | kSlowPathTag) ? &e : nullptr;
}

}  // namespace

template <unsigned XLEN>
bool read_physical(Hart<XLEN>& h, uint64_t paddr, unsigned size, void* out) {
  DmiRegion region;
  if (const uint8_t* host = dmi_host(h, paddr, size, false, region)) {
    std::memcpy(out, host, size);
    return true;
  }
  h.attention = true;  // a device access may have stopped or reset the simulation
  return h.memory->bus_read(paddr, out, size);
}

template <unsigned XLEN>
bool write_physical(Hart<XLEN>& h, uint64_t paddr, unsigned size, const void* in) {
  // A store to the reserved doubleword breaks an LR/SC pair.
  if (h.reservation_valid && (h.reservation_addr & ~uint64_t(7)) <= paddr + size - 1 &&
      paddr <= (h.reservation_addr | 7)) {
    h.reservation_valid = false;
  }
  DmiRegion region;
  if (uint8_t* host = dmi_host(h, paddr, size, true, region)) {
    std::memcpy(host, in, size);
    // Every hart's code decoded from these bytes goes stale (bus writes
    // reach the code pages through the memory instead).
    h.code_pages->written(host, size);
    return true;
  }
  h.attention = true;
  return h.memory->bus_write(paddr, in, size);
}

template <unsigned XLEN>
LoadResult load_slow(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, unsigned size,
                     bool for_amo) {
  const bool misaligned = (addr & (size - 1)) != 0;
  if (misaligned && (for_amo || h.config.misaligned_traps)) {
    raise_exception(h, for_amo ? cause::kStoreMisaligned : cause::kLoadMisaligned, addr, d.pc);
    return {false, 0};
  }
  // An AMO's load needs write permission and reports store/AMO faults.
  const Access access = for_amo ? Access::kStore : Access::kLoad;
  const uint64_t second_page = page_of(addr + size - 1);
  const bool crosses = second_page != page_of(addr);
  if (h.slow_memory && !crosses) {
    if (const TlbEntry* e = slow_path_tlb_hit(for_amo ? h.tlb_write : h.tlb_read, addr)) {
      uint64_t value = 0;
      std::memcpy(&value, host_of(*e, addr), size);
      observe_access(h, addr, size, value, false);
      return {true, value};
    }
  }
  if (misaligned && !crosses && !for_amo) {
    // Misaligned within a page: its TLB entry serves (the inline paths only
    // take aligned accesses; a byte-sized probe matches any alignment).
    // Linux times misaligned copies at boot.
    if (const TlbEntry* e = tlb_hit<uint8_t>(h.tlb_read, addr)) {
      uint64_t value = 0;
      std::memcpy(&value, host_of(*e, addr), size);
      return {true, value};
    }
  }
  const unsigned first_size = crosses ? unsigned(second_page - addr) : size;
  const Resolved first = resolve(h, addr, first_size, access);
  if (!first.ok) {
    raise_exception(h, first.cause, addr, d.pc);
    return {false, 0};
  }
  Resolved second = first;
  if (first_size != size) {
    second = resolve(h, second_page, size - first_size, access);
    if (!second.ok) {
      raise_exception(h, second.cause, second_page, d.pc);
      return {false, 0};
    }
  }
  uint8_t bytes[8] = {};
  bool ok = true;
  DmiRegion region;
  const uint8_t* host = crosses ? nullptr : dmi_host(h, first.paddr, size, false, region);
  if (host != nullptr) {
    std::memcpy(bytes, host, size);
    if (first.whole_page && !for_amo) {
      fill_tlb(h, h.tlb_read, h.tlb_read_shift, addr, first.paddr, first.page_shift, region);
      fill_read_window(h, region);
    }
  } else if (!misaligned) {
    h.attention = true;
    ok = h.memory->bus_read(first.paddr, bytes, size);
  } else {
    // Emulated misaligned access, one byte at a time in little-endian order.
    for (unsigned i = 0; ok && i < size; ++i) {
      const uint64_t paddr = i < first_size ? first.paddr + i : second.paddr + (i - first_size);
      ok = read_physical(h, paddr, 1, bytes + i);
    }
  }
  if (!ok) {
    raise_exception(h, access_fault_cause(access), addr, d.pc);
    return {false, 0};
  }
  uint64_t value = 0;
  std::memcpy(&value, bytes, sizeof value);  // little-endian host, as the guest
  observe_access(h, addr, size, value, false);
  return {true, value};
}

template <unsigned XLEN>
bool store_slow(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, unsigned size, uint64_t value) {
  const bool misaligned = (addr & (size - 1)) != 0;
  if (misaligned && h.config.misaligned_traps) {
    raise_exception(h, cause::kStoreMisaligned, addr, d.pc);
    return false;
  }
  const uint64_t second_page = page_of(addr + size - 1);
  const bool crosses = second_page != page_of(addr);
  if (h.slow_memory && !crosses) {
    // The write TLB never maps code or a reserved page: nothing else to do.
    if (const TlbEntry* e = slow_path_tlb_hit(h.tlb_write, addr)) {
      std::memcpy(host_of(*e, addr), &value, size);
      observe_access(h, addr, size, value, true);
      return true;
    }
  }
  if (misaligned && !crosses) {
    // As in load_slow. The write TLB never maps code or a reserved page.
    if (const TlbEntry* e = tlb_hit<uint8_t>(h.tlb_write, addr)) {
      std::memcpy(host_of(*e, addr), &value, size);
      return true;
    }
  }
  const unsigned first_size = crosses ? unsigned(second_page - addr) : size;
  const Resolved first = resolve(h, addr, first_size, Access::kStore);
  if (!first.ok) {
    raise_exception(h, first.cause, addr, d.pc);
    return false;
  }
  Resolved second = first;
  if (first_size != size) {
    second = resolve(h, second_page, size - first_size, Access::kStore);
    if (!second.ok) {
      raise_exception(h, second.cause, second_page, d.pc);
      return false;
    }
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
  bool ok = true;
  DmiRegion ram;
  // One access unless it crosses pages, or is misaligned on a device.
  if (!crosses && (!misaligned || dmi_host(h, first.paddr, size, true, ram) != nullptr)) {
    ok = write_physical(h, first.paddr, size, bytes);
    // Cache the page for stores unless they must keep coming here: it holds
    // decoded code (of any hart), or the reservation of an LR.
    const uint64_t ppage = page_of(first.paddr);
    DmiRegion region;
    const uint8_t* host =
        ok && first.whole_page ? dmi_host(h, first.paddr, size, true, region) : nullptr;
    const bool watched = (host != nullptr && h.code_pages->is_code(CodePages::page_of(host))) ||
                         (h.reservation_valid && page_of(h.reservation_addr) == ppage);
    if (host != nullptr && !watched) {
      fill_tlb(h, h.tlb_write, h.tlb_write_shift, addr, first.paddr, first.page_shift, region);
    }
  } else {
    for (unsigned i = 0; ok && i < size; ++i) {
      const uint64_t paddr = i < first_size ? first.paddr + i : second.paddr + (i - first_size);
      ok = write_physical(h, paddr, 1, bytes + i);
    }
  }
  if (!ok) {
    raise_exception(h, cause::kStoreAccessFault, addr, d.pc);
    return false;
  }
  observe_access(h, addr, size, value, true);
  return true;
}

template <unsigned XLEN>
bool fetch_physical_page(Hart<XLEN>& h, uint64_t pc, uint64_t& physical_page, bool& whole,
                         unsigned* page_shift) {
  const uint64_t tag = page_of(pc) | uint64_t(h.priv);
  FetchTlbEntry& e = h.tlb_fetch[(pc >> kPageBits) % kTlbEntries];
  if (e.tag != tag) {
    const Resolved r = resolve(h, pc, 2, Access::kFetch);
    if (!r.ok) return false;
    if (!r.whole_page) {
      physical_page = page_of(r.paddr);
      whole = false;
      if (page_shift != nullptr) *page_shift = r.page_shift;
      return true;
    }
    e = {tag, page_of(r.paddr), r.page_shift};
  }
  physical_page = e.physical_page;
  whole = true;
  if (page_shift != nullptr) *page_shift = e.page_shift;
  return true;
}

template <unsigned XLEN>
const uint8_t* fetch_page(Hart<XLEN>& h, uint64_t pc, uint64_t& physical_page) {
  bool whole = false;
  if (!fetch_physical_page(h, pc, physical_page, whole)) {
    physical_page = ~uint64_t(0);
    return nullptr;
  }
  // Decoding reads the rest of the page straight from the host: only when
  // PMP lets the whole page execute.
  if (!whole) return nullptr;
  DmiRegion region;
  if (!h.memory->dmi_for(physical_page, region) || !region.readable) return nullptr;
  if (physical_page < region.base || physical_page + kPageSize - 1 > region.last) return nullptr;
  return region.host + (physical_page - region.base);
}

template <unsigned XLEN>
bool fetch_word(Hart<XLEN>& h, uint64_t pc, uint32_t& word, FetchFault& fault) {
  // Each halfword on its own: a 32-bit instruction may straddle two pages.
  auto fetch_half = [&](uint64_t vaddr, uint16_t& half) {
    const Resolved r = resolve(h, vaddr, 2, Access::kFetch);
    if (!r.ok) {
      fault = {vaddr, r.cause};
      return false;
    }
    if (!read_physical(h, r.paddr, 2, &half)) {
      fault = {vaddr, cause::kInsnAccessFault};
      return false;
    }
    return true;
  };
  uint16_t low = 0, high = 0;
  if (!fetch_half(pc, low)) return false;
  word = low;
  if ((low & 3) != 3) return true;
  if (!fetch_half(pc + 2, high)) return false;
  word |= uint32_t(high) << 16;
  return true;
}

template <unsigned XLEN>
void Hart<XLEN>::reset(uint64_t start_pc) {
  for (auto& r : x) r = 0;
  pc = start_pc;
  priv = Privilege::kMachine;
  mie = mtvec = mepc = mcause = mtval = mscratch = 0;
  mip = mip_software = 0;  // the wires keep their levels: devices drive them
  sstc_timer_pending = false;
  medeleg = mideleg = 0;
  stvec = sepc = scause = stval = sscratch = satp = 0;
  mcounteren = scounteren = 0;
  menvcfg = senvcfg = 0;
  stimecmp = ~uint64_t(0);
  pmp = PmpState{};
  // MPP holds M from reset, so an mret before any trap stays in M-mode; RV64
  // reports 64-bit S and U modes in SXL/UXL.
  mstatus = ux(mstatus_bits::kMpp | (XLEN == 64 ? mstatus_bits::kUxlSxl64 : 0));
  update_mip();
  instret = cycles = 0;
  for (auto& r : f) r = 0;
  fflags = frm = 0;
  wfi = false;
  attention = true;
  stopped_at = nullptr;
  reservation_valid = false;
  ++fetch_context;
  begin_mapping_epoch();
  flush_tlb();
  flush_fetch_tlb();
}

template <unsigned XLEN>
void Hart<XLEN>::flush_tlb() {
  read_window = ReadWindow{};
  for (auto& e : tlb_read) e = TlbEntry{};
  for (auto& e : tlb_write) e = TlbEntry{};
}

template <unsigned XLEN>
void Hart<XLEN>::flush_fetch_tlb() {
  for (auto& e : tlb_fetch) e = FetchTlbEntry{};
}

template <unsigned XLEN>
void Hart<XLEN>::begin_mapping_epoch() {
  ++mapping_epoch;
  for (auto& word : code_mappings) word = 0;  // no shortcut of the new epoch leads anywhere yet
}

template <unsigned XLEN>
void Hart<XLEN>::mapping_changed_at(uint64_t vaddr) {
  // Entries of the leaf holding vaddr, whatever their index: a superpage
  // fills many. A scan of 768 entries costs less than refilling them all.
  auto same_leaf = [vaddr](uint64_t tag, unsigned shift) {
    return tag != ~uint64_t(0) && ((tag ^ vaddr) >> shift) == 0;
  };
  for (unsigned i = 0; i < kTlbEntries; ++i) {
    if (same_leaf(tlb_read[i].tag, tlb_read_shift[i])) tlb_read[i] = TlbEntry{};
    if (same_leaf(tlb_write[i].tag, tlb_write_shift[i])) tlb_write[i] = TlbEntry{};
    if (same_leaf(tlb_fetch[i].tag, tlb_fetch[i].page_shift)) tlb_fetch[i] = FetchTlbEntry{};
  }
  // Code entered through a leaf holding vaddr: the shortcuts the engines
  // took there may now lead to code from the wrong physical page.
  bool code_there = false;
  const unsigned level_bits = XLEN == 32 ? 10 : 9;  // Sv32, or Sv39/48/57
  for (unsigned shift = kPageBits; shift < XLEN && !code_there; shift += level_bits) {
    const unsigned bit = code_mapping_bit(vaddr, shift);
    code_there = (code_mappings[bit / 64] >> (bit % 64)) & 1;
  }
  if (code_there) begin_mapping_epoch();
  attention = true;
}

template <unsigned XLEN>
void Hart<XLEN>::drop_write_mappings(uintptr_t host_page) {
  for (TlbEntry& e : tlb_write) {
    if (page_of(e.tag) + e.addend == host_page) e = TlbEntry{};
  }
}

template <unsigned XLEN>
void Hart<XLEN>::translation_changed(TranslationChange change) {
  // The TLB holds one translation context: the privilege loads and stores
  // use, with SUM and MXR. With addresses unchecked every context maps the
  // same, so only a real change flushes it. The fetch TLB is tagged with the
  // privilege instead: it outlives traps.
  const uint64_t key =
      addresses_unchecked(*this)
          ? ~uint64_t(0)
          : uint64_t(data_privilege()) |
                ((uint64_t(mstatus) & (mstatus_bits::kSum | mstatus_bits::kMxr)) >> 14);
  const bool mappings = change != TranslationChange::kDataContext;
  if (mappings || key != tlb_context) {
    flush_tlb();
    tlb_context = key;
  }
  if (mappings) {
    flush_fetch_tlb();
    begin_mapping_epoch();
    attention = true;
  }
  if (change == TranslationChange::kProtection) ++fetch_context;
}

template <unsigned XLEN>
void Hart<XLEN>::update_mip() {
  ux stip_mask = ux(1) << cause::kSupervisorTimerIrq;
  ux value = mip_wires | mip_software;
  // With Sstc on, STIP is time >= stimecmp rather than software's bit.
  if (menvcfg >> 63) value = (value & ~stip_mask) | (sstc_timer_pending ? stip_mask : 0);
  mip = value;
}

#define SILICA_INSTANTIATE(XLEN)                                                            \
  template struct Hart<XLEN>;                                                               \
  template bool read_physical(Hart<XLEN>&, uint64_t, unsigned, void*);                      \
  template bool write_physical(Hart<XLEN>&, uint64_t, unsigned, const void*);               \
  template LoadResult load_slow(Hart<XLEN>&, const DecodedInsn&, uint64_t, unsigned, bool); \
  template bool store_slow(Hart<XLEN>&, const DecodedInsn&, uint64_t, unsigned, uint64_t);  \
  template const uint8_t* fetch_page(Hart<XLEN>&, uint64_t, uint64_t&);                     \
  template bool fetch_physical_page(Hart<XLEN>&, uint64_t, uint64_t&, bool&, unsigned*);    \
  template bool fetch_word(Hart<XLEN>&, uint64_t, uint32_t&, FetchFault&);
SILICA_INSTANTIATE(32)
SILICA_INSTANTIATE(64)
#undef SILICA_INSTANTIATE

}  // namespace silica::riscv
