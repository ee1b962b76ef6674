#include "cores/riscv/block_decoder.h"

#include <algorithm>

#include "cores/riscv/timing_model.h"

namespace silica::riscv {
namespace {

template <unsigned XLEN>
DecodedInsn decode_one(const Hart<XLEN>& h, const TimingModel& timing, uint64_t pc, uint32_t word) {
  DecodedInsn d{};
  d.pc = pc;
  d.raw = word;
  InsnId id = decode<XLEN>(word);
  const InsnInfo& info = kInsnInfo[size_t(id)];
  if (id != InsnId::illegal && !h.config.has(info.extension)) id = InsnId::illegal;
  d.id = uint16_t(id);
  d.len = (word & 3) == 3 ? 4 : 2;
  // At least a cycle: simulated time always advances, and the DBT relies on
  // cycles growing no slower than retired instructions.
  d.cycles = id == InsnId::illegal ? 1 : std::max<uint8_t>(1, timing.cycles_for(info.iclass));
  extract_operands(id, word, d);
  return d;
}

}  // namespace

template <unsigned XLEN>
bool decode_block(Hart<XLEN>& h, const TimingModel& timing, uint64_t pc, DecodedBlock& out,
                  bool raise_fault) {
  out = DecodedBlock{};
  out.pc = pc;
  const uint64_t page = pc & ~(kPageSize - 1);
  uint64_t physical_page = 0;
  const uint8_t* host = fetch_page(h, pc, physical_page);
  uint64_t cursor = pc;
  const unsigned max_insns = std::min(kMaxBlockInsns, h.max_block_insns);
  while (out.insns.size() < max_insns) {
    // A breakpoint address always starts a block: the run loop stops there.
    if (!out.insns.empty() && h.breakpoints != nullptr && h.breakpoints->count(cursor) != 0) {
      break;
    }
    uint32_t word = 0;
    const bool in_page = cursor + 4 <= page + kPageSize;
    if (host != nullptr && in_page) {
      std::memcpy(&word, host + (cursor - page), 4);
      if ((word & 3) != 3) word &= 0xffff;
    } else {
      // MMIO/ROM without DMI, a page PMP grants only in part, or an
      // instruction at the page's last halfword.
      FetchFault fault;
      if (!fetch_word(h, cursor, word, fault)) {
        // Only a fetch at the block's start faults now; a later one ends the
        // block and faults if execution really gets there.
        if (!out.insns.empty()) break;
        if (raise_fault) raise_exception(h, fault.cause, fault.addr, cursor);
        return false;
      }
    }
    const DecodedInsn d = decode_one(h, timing, cursor, word);
    if (is_serializing(d) && !out.insns.empty()) break;  // runs alone in the next block
    out.insns.push_back(d);
    out.cycles += d.cycles;
    cursor += d.len;
    if (ends_block(d) || cursor >= page + kPageSize) break;
  }
  out.fallthrough_pc = cursor;
  // The physical pages the code came from: stores there must invalidate it.
  out.physical_pages.push_back(physical_page);
  if (cursor > page + kPageSize) {
    uint64_t next_page = 0;
    fetch_page(h, page + kPageSize, next_page);
    out.physical_pages.push_back(next_page);
  }
  return true;
}

template <unsigned XLEN>
HostPages claim_code_pages(Hart<XLEN>& h, CodePages::Owner* owner, const DecodedBlock& block) {
  HostPages out;
  for (uint64_t page : block.physical_pages) {
    DmiRegion region;
    if (!h.memory->dmi_for(page, region) || !region.contains(page)) continue;
    const uintptr_t host_page = CodePages::page_of(region.host + (page - region.base));
    h.code_pages->claim(owner, host_page);
    out.page[out.count++] = host_page;
  }
  return out;
}

template bool decode_block<32>(Hart<32>&, const TimingModel&, uint64_t, DecodedBlock&, bool);
template bool decode_block<64>(Hart<64>&, const TimingModel&, uint64_t, DecodedBlock&, bool);
template HostPages claim_code_pages<32>(Hart<32>&, CodePages::Owner*, const DecodedBlock&);
template HostPages claim_code_pages<64>(Hart<64>&, CodePages::Owner*, const DecodedBlock&);

}  // namespace silica::riscv
