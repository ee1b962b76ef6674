// Forms basic blocks: the one rule both engines use, so the interpreter and the
// DBT stop, count and take interrupts at the same instruction boundaries.
//
// A block ends at a control transfer, a serializing instruction (which runs
// alone in its block), the end of a page (so invalidating a page never leaves
// half a block), a breakpoint address (it starts the next block), or the
// hart's max_block_insns.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "cores/riscv/hart.h"

namespace silica::riscv {

class TimingModel;

constexpr unsigned kMaxBlockInsns = 64;

// A serializing instruction (or an illegal one) runs alone in its block.
inline bool is_serializing(const DecodedInsn& d) {
  return d.id == 0 || (kInsnInfo[d.id].flags & insn_flags::serializing) != 0;
}

// Whether the block ends after d: a control transfer or a serializing instruction.
inline bool ends_block(const DecodedInsn& d) {
  return is_serializing(d) || (kInsnInfo[d.id].flags & insn_flags::ends_block) != 0;
}

constexpr uint64_t kNoPage = ~uint64_t(0);

// How the code caches find decoded code: by pc and the physical page it was
// fetched from, so code survives satp writes and sfence.vma, and two address
// spaces running different code at one pc each keep theirs.
struct CodeKey {
  uint64_t pc;
  uint64_t physical_page;
  bool operator==(const CodeKey&) const = default;
};
struct CodeKeyHash {
  size_t operator()(const CodeKey& k) const {
    return std::hash<uint64_t>()(k.pc ^ (k.physical_page * 0x9e3779b97f4a7c15));
  }
};

struct DecodedBlock {
  uint64_t pc = 0;
  uint64_t fallthrough_pc = 0;  // where execution goes when nothing jumps
  uint32_t cycles = 0;          // timing-model cost when every instruction retires
  std::vector<DecodedInsn> insns;
  // Physical pages holding the instructions (one, or two when the last
  // instruction straddles a page end).
  std::vector<uint64_t> physical_pages;
  uint64_t next_physical_page() const {
    return physical_pages.size() > 1 ? physical_pages[1] : kNoPage;
  }
};

// Decodes the block at pc. Returns false when fetching its first instruction
// faults; the instruction access fault has then been raised on the hart,
// unless raise_fault is false (a translator looking ahead).
template <unsigned XLEN>
bool decode_block(Hart<XLEN>& h, const TimingModel& timing, uint64_t pc, DecodedBlock& out,
                  bool raise_fault = true);

// The host pages (CodePages' names) of RAM a block was decoded from.
struct HostPages {
  uintptr_t page[2] = {};
  unsigned count = 0;
};

// Claims the pages the block was decoded from for `owner` in the machine's
// CodePages, so that stores into them, by any hart or device, mark the
// owner's code stale. Pages without direct access (device memory) cannot be
// written behind the hart's back and are not claimed.
template <unsigned XLEN>
HostPages claim_code_pages(Hart<XLEN>& h, CodePages::Owner* owner, const DecodedBlock& block);

// The physical page pc fetches from now, the second half of its CodeKey;
// false when fetching there faults (decoding then raises it). The caller is
// about to take shortcuts to the code it finds there, so the hart notes the
// mapping (Hart::note_code_mapping).
template <unsigned XLEN>
bool code_page_for(Hart<XLEN>& h, uint64_t pc, uint64_t& physical_page) {
  bool whole = false;
  unsigned page_shift = kPageBits;
  if (!fetch_physical_page(h, pc, physical_page, whole, &page_shift)) return false;
  h.note_code_mapping(pc, page_shift);
  return true;
}

// The code caches key decoded code by its pc and the physical page the pc
// fetched from then; a block whose last instruction reaches into the next
// page also records where that page mapped (else kNoPage). Whether that still
// holds for the hart's current translation:
template <unsigned XLEN>
bool next_page_still_maps(Hart<XLEN>& h, uint64_t pc, uint64_t next_physical_page) {
  if (next_physical_page == kNoPage) return true;
  uint64_t page = 0;
  bool whole = false;
  return fetch_physical_page(h, (pc & ~(kPageSize - 1)) + kPageSize, page, whole) &&
         page == next_physical_page;
}

}  // namespace silica::riscv
