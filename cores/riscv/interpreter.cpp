#include "cores/riscv/interpreter.h"

#include <algorithm>
#include <bit>

#include "cores/riscv/timing_model.h"

namespace silica::riscv {
ClassCostModel::ClassCostModel() {
  for (size_t i = 0; i < m_cycles.size(); ++i) m_cycles[i] = kClassCycles[i];
}

template <unsigned XLEN>
Interpreter<XLEN>::Interpreter(Hart<XLEN>& hart, const TimingModel& timing)
    : m_hart(hart), m_timing(timing) {
  if (m_hart.code_pages == nullptr) {
    m_own_code_pages = std::make_unique<CodePages>();
    m_hart.code_pages = m_own_code_pages.get();
  }
  m_hart.code_pages->attach(this);
}

template <unsigned XLEN>
Interpreter<XLEN>::~Interpreter() {
  m_hart.code_pages->detach(this);
  if (m_hart.code_pages == m_own_code_pages.get()) m_hart.code_pages = nullptr;
}

template <unsigned XLEN>
template <size_t Id, bool Traced, unsigned Fwd>
inline bool Interpreter<XLEN>::execute(Hart<XLEN>& h, const Entry* e, uint64_t last, ux& result) {
  if constexpr (Traced) h.trace_record.n_mem = 0;
  if (!execute_insn<XLEN, Id, false, Fwd>(h, e->insn, ux(last), result)) [[unlikely]] {
    if constexpr (Traced) trace_trap(h, instret_at(h, e), false);
    h.stopped_at = e;
    return false;
  }
  if constexpr (Traced) trace_retired(h, e);
  // The full semantics are the only code in a chain of blocks that can
  // raise attention: end the chain at this block's end.
  if (h.attention) h.cycle_limit = 0;
  return true;
}

template <unsigned XLEN>
template <bool Last>
inline void Interpreter<XLEN>::proceed(Hart<XLEN>& h, const Entry* e, ux result) {
  if constexpr (Last) {
    return finish_block(h, e[1].block);
  } else {
    return e[1].exec(h, e + 1, result);  // a tail call: compiles to an indirect jump
  }
}

// `result` starts as `last` so that an instruction without a result passes
// the register on untouched (the next one never reads it then).
template <unsigned XLEN>
template <size_t Id, bool Traced, unsigned Fwd, bool Last>
void Interpreter<XLEN>::threaded(Hart<XLEN>& h, const Entry* e, uint64_t last) {
  if constexpr (has_fast_variant<Id, Traced>()) {
    ux result = ux(last);
    if (execute_insn<XLEN, Id, true, Fwd>(h, e->insn, ux(last), result)) [[likely]] {
      return proceed<Last>(h, e, result);
    }
    return threaded_full<Id, Traced, Fwd, Last>(h, e, last);  // a tail call: no frame needed
  } else {
    return threaded_full<Id, Traced, Fwd, Last>(h, e, last);
  }
}

template <unsigned XLEN>
template <size_t Id, bool Traced, unsigned Fwd, bool Last>
void Interpreter<XLEN>::threaded_full(Hart<XLEN>& h, const Entry* e, uint64_t last) {
  ux result = ux(last);
  if (execute<Id, Traced, Fwd>(h, e, last, result)) [[likely]] {
    return proceed<Last>(h, e, result);
  }
}

template <unsigned XLEN>
uint64_t Interpreter<XLEN>::instret_at(const Hart<XLEN>& h, const Entry* e) {
  // h.instret counts whole blocks; add the entries before e in its block.
  const auto* block = static_cast<const Block*>(h.current_block);
  return h.instret + uint64_t(e - block->entries.data());
}

template <unsigned XLEN>
void Interpreter<XLEN>::trace_retired(Hart<XLEN>& h, const Entry* e) {
  const DecodedInsn& d = e->insn;
  const InsnInfo& info = kInsnInfo[d.id];
  trace::Retired& r = h.trace_record;
  r.instret = instret_at(h, e);
  r.pc = d.pc;
  r.raw = d.len == 2 ? (d.raw & 0xffff) : d.raw;
  r.hart = uint16_t(h.config.hart_id);
  r.priv = uint8_t(h.priv);
  r.len = d.len;
  r.xlen = XLEN;
  r.insn_class = uint8_t(info.iclass);
  r.n_writes = 0;
  auto add_write = [&](unsigned reg) {
    if (reg != 0 && r.n_writes < 2) r.writes[r.n_writes++] = {0, uint8_t(reg), uint64_t(h.x[reg])};
  };
  // Visit only the set bits: this runs for every traced instruction.
  for (unsigned slots = info.writes & 0x3f; slots != 0; slots &= slots - 1) {
    add_write(d.r[std::countr_zero(slots)]);
  }
  for (uint32_t regs = info.fixed_writes; regs != 0; regs &= regs - 1) {
    add_write(unsigned(std::countr_zero(regs)));
  }
  for (unsigned slots = info.writes_F & 0x3f; slots != 0; slots &= slots - 1) {
    unsigned reg = d.r[std::countr_zero(slots)];
    if (r.n_writes < 2) r.writes[r.n_writes++] = {1, uint8_t(reg), h.f[reg]};
  }
  h.trace->retired(r);
}

template <unsigned XLEN>
void Interpreter<XLEN>::trace_trap(Hart<XLEN>& h, uint64_t instret, bool interrupt) {
  trace::Trap t;
  t.instret = instret;
  const bool to_supervisor = h.priv == Privilege::kSupervisor;
  t.epc = to_supervisor ? h.sepc : h.mepc;
  t.cause = to_supervisor ? h.scause : h.mcause;
  t.tval = to_supervisor ? h.stval : h.mtval;
  t.handler = h.pc;
  t.hart = uint16_t(h.config.hart_id);
  t.from_priv = to_supervisor ? uint8_t((h.mstatus & mstatus_bits::kSpp) >> 8)
                              : uint8_t((h.mstatus & mstatus_bits::kMpp) >> 11);
  t.to_priv = uint8_t(h.priv);
  t.interrupt = interrupt;
  h.trace->trap(t);
}

template <unsigned XLEN>
inline void Interpreter<XLEN>::finish_block(Hart<XLEN>& h, const Block* block) {
  h.instret += block->count;
  h.cycles += block->cycles;
  if (h.cycles >= h.cycle_limit) return;
  const Successor* next = chained_successor(block, h.pc, h.mapping_epoch);
  if (next == nullptr) return;
  h.current_block = next->block;
  h.pc = next->fallthrough_pc;
  return next->first->exec(h, next->first, 0);
}

template <unsigned XLEN>
template <bool Last, bool Traced, unsigned Fwd, size_t... Ids>
constexpr std::array<typename Interpreter<XLEN>::ThreadedFn, sizeof...(Ids)>
Interpreter<XLEN>::make_threaded_table(std::index_sequence<Ids...>) {
  // Forwarded bits an instruction has no slot for select its plain handler:
  // the decoder never sets them, and this keeps them from being instantiated.
  return std::array<ThreadedFn, sizeof...(Ids)>{
      &threaded<Ids, Traced, Fwd & forwardable(Ids), Last>...};
}

template <unsigned XLEN>
template <bool Last, bool Traced, size_t... Fwds>
constexpr typename Interpreter<XLEN>::HandlerTable Interpreter<XLEN>::make_handler_table(
    std::index_sequence<Fwds...>) {
  constexpr auto kIds = std::make_index_sequence<size_t(InsnId::count)>();
  return HandlerTable{make_threaded_table<Last, Traced, unsigned(Fwds)>(kIds)...};
}

template <unsigned XLEN>
unsigned Interpreter<XLEN>::forwarded_bits(const DecodedInsn& d, unsigned forwarded_reg) {
  if (forwarded_reg == 0) return 0;
  const Forwarding& f = kForwarding[d.id];
  unsigned bits = 0;
  for (unsigned k = 0; k < 2; ++k) {
    if (f.read_slot[k] != kNoSlot && d.r[f.read_slot[k]] == forwarded_reg) bits |= 1u << k;
  }
  return bits;
}

template <unsigned XLEN>
typename Interpreter<XLEN>::Block* Interpreter<XLEN>::decode_block(uint64_t pc) {
  DecodedBlock decoded;
  if (!riscv::decode_block(m_hart, m_timing, pc, decoded)) return nullptr;
  auto block = std::make_unique<Block>();
  block->pc = pc;
  block->fallthrough_pc = decoded.fallthrough_pc;
  block->cycles = decoded.cycles;
  block->count = uint32_t(decoded.insns.size());
  block->priv = m_hart.priv;
  block->physical_page = decoded.physical_pages[0];
  block->next_physical_page = decoded.next_physical_page();
  // Handlers by [Forwarded bits][InsnId]; traced handlers forward nothing.
  constexpr auto kAllBits = std::make_index_sequence<kForwardedVariants>();
  static constexpr HandlerTable kInner = make_handler_table<false, false>(kAllBits);
  static constexpr HandlerTable kLast = make_handler_table<true, false>(kAllBits);
  static constexpr HandlerTable kInnerTraced =
      make_handler_table<false, true>(std::make_index_sequence<1>());
  static constexpr HandlerTable kLastTraced =
      make_handler_table<true, true>(std::make_index_sequence<1>());
  const bool traced = m_hart.trace != nullptr;
  unsigned forwarded_reg = 0;  // the register the previous entry passes on (0: none)
  unsigned bits = 0;
  for (const DecodedInsn& d : decoded.insns) {
    bits = traced ? 0 : forwarded_bits(d, forwarded_reg);
    Entry entry{(traced ? kInnerTraced : kInner)[bits][d.id], {}};
    entry.insn = d;
    block->entries.push_back(entry);
    // An instruction that writes no integer register passes `last` on as it
    // came; one that writes one some other way ends forwarding.
    const uint8_t result_slot = kForwarding[d.id].result_slot;
    if (result_slot != kNoSlot) {
      forwarded_reg = d.r[result_slot];
    } else if (kInsnInfo[d.id].writes != 0 || kInsnInfo[d.id].fixed_writes != 0) {
      forwarded_reg = 0;
    }
  }
  block->entries.back().exec = (traced ? kLastTraced : kLast)[bits][block->entries.back().insn.id];
  Entry sentinel{nullptr, {}};
  sentinel.block = block.get();
  block->entries.push_back(sentinel);
  Block* raw = block.get();
  const HostPages pages = claim_code_pages(m_hart, this, decoded);
  for (unsigned i = 0; i < pages.count; ++i) m_page_blocks[pages.page[i]].push_back(raw);
  m_blocks[size_t(m_hart.priv)][{pc, raw->physical_page}] = std::move(block);
  return raw;
}

template <unsigned XLEN>
typename Interpreter<XLEN>::Block* Interpreter<XLEN>::lookup(uint64_t pc) {
  uint64_t page = 0;
  if (!code_page_for(m_hart, pc, page)) return decode_block(pc);  // which raises the fault
  auto& blocks = m_blocks[size_t(m_hart.priv)];
  auto it = blocks.find({pc, page});
  if (it != blocks.end()) {
    if (next_page_still_maps(m_hart, pc, it->second->next_physical_page)) return it->second.get();
    drop_block(blocks, it);
  }
  return decode_block(pc);
}

template <unsigned XLEN>
StopReason Interpreter<XLEN>::run(uint64_t cycle_limit, uint64_t instret_limit) {
  Hart<XLEN>& h = m_hart;
  Block* previous = nullptr;
  h.attention = true;  // look at everything once on entry
  while (h.cycles < cycle_limit && h.instret < instret_limit) {
    if (h.attention) {
      h.attention = false;
      if (*h.stop_request) return StopReason::kStopRequest;
      if (h.fetch_context != m_fetch_context) {
        flush_code_cache();
        previous = nullptr;
      } else if (!m_stale_pages.empty()) {
        drop_stale_blocks();
        previous = nullptr;
      }
      if ((h.mip & h.mie) != 0 && take_pending_interrupt(h)) {
        if (h.trace != nullptr) trace_trap(h, h.instret, true);
        previous = nullptr;
      }
      if (h.wfi) return StopReason::kWaitForIrq;
      // A pending interrupt the hart cannot take now waits for what could
      // let it: a CSR write, an xRET or a trap, each of which raises
      // attention again (as do the interrupt wires).
    }

    if (h.breakpoints != nullptr && h.breakpoints->count(h.pc) != 0) {
      if (h.pc != h.breakpoint_skip_pc) return StopReason::kDebugStop;
    }
    h.breakpoint_skip_pc = ~uint64_t(0);

    // Find the block: first the predecessor's remembered successors.
    Block* block = previous != nullptr
                       ? remembered_successor(previous, h.pc, h.priv, h.mapping_epoch)
                       : nullptr;
    if (block == nullptr) {
      block = lookup(h.pc);
      if (block == nullptr) {
        // Instruction fetch faulted and the trap is taken. Charge a cycle so a
        // guest stuck in a fault loop still lets simulated time advance.
        if (h.trace != nullptr) trace_trap(h, h.instret, false);
        h.cycles += 1;
        previous = nullptr;
        if (h.single_step) return StopReason::kDebugStop;
        continue;
      }
      if (previous != nullptr) {
        if (previous->successor_epoch != h.mapping_epoch) {
          previous->successor[0] = previous->successor[1] = Successor{};
          previous->successor_epoch = h.mapping_epoch;
        }
        unsigned slot = previous->next_successor_slot;
        previous->successor[slot] =
            Successor{h.pc, block, block->entries.data(), block->fallthrough_pc};
        previous->next_successor_slot = slot ^ 1;
      }
    }

    // Run it, and the chain of blocks it leads to (see finish_block).
    h.current_block = block;
    // While debugging, every block goes back through this loop (breakpoints,
    // single steps, watchpoints are checked here); so does this one if
    // finding it raised attention.
    bool debugging = h.breakpoints != nullptr || h.watchpoints != nullptr || h.single_step;
    h.cycle_limit = debugging || h.attention
                        ? 0
                        : h.cycles + std::min(cycle_limit - h.cycles, instret_limit - h.instret);
    h.pc = block->fallthrough_pc;  // branches and traps overwrite it
    const Entry* first = block->entries.data();
    first->exec(h, first, 0);
    auto* last = static_cast<Block*>(const_cast<void*>(h.current_block));
    if (h.stopped_at != nullptr) {
      // An instruction trapped: it does not retire, but the work before it in
      // its block and the trap itself take time.
      auto* stop = static_cast<const Entry*>(h.stopped_at);
      const Entry* start = last->entries.data();
      h.stopped_at = nullptr;
      h.attention = true;
      h.instret += stop - start;
      for (const Entry* e = start; e <= stop; ++e) h.cycles += e->insn.cycles;
      last = nullptr;
    }
    previous = last;
    if (debugging && (h.single_step || h.watch_hit)) return StopReason::kDebugStop;
  }
  return StopReason::kBudget;
}

template <unsigned XLEN>
void Interpreter<XLEN>::flush_code_cache() {
  for (auto& blocks : m_blocks) blocks.clear();
  m_page_blocks.clear();
  m_stale_pages.clear();
  m_dropped.clear();
  m_hart.code_pages->release_all(this);
  m_fetch_context = m_hart.fetch_context;
  // Write TLB entries were withheld from code pages; let them refill.
  for (auto& e : m_hart.tlb_write) e = TlbEntry{};
}

template <unsigned XLEN>
void Interpreter<XLEN>::code_page_written(uintptr_t host_page) {
  m_stale_pages.push_back(host_page);
  m_hart.attention = true;
}

template <unsigned XLEN>
void Interpreter<XLEN>::drop_stale_blocks() {
  for (uintptr_t page : m_stale_pages) {
    auto listed = m_page_blocks.find(page);
    if (listed == m_page_blocks.end()) continue;  // dropped already
    for (Block* block : listed->second) {
      if (block->priv == kDropped) continue;
      auto& blocks = m_blocks[size_t(block->priv)];
      auto it = blocks.find({block->pc, block->physical_page});
      if (it != blocks.end() && it->second.get() == block) drop_block(blocks, it);
    }
    m_page_blocks.erase(listed);
    m_hart.code_pages->release(this, page);
  }
  m_stale_pages.clear();
  if (m_dropped.size() > kMaxDroppedBlocks) free_dropped_blocks();
}

template <unsigned XLEN>
void Interpreter<XLEN>::enter_dropped(Hart<XLEN>& h, const Entry* e, uint64_t /*last*/) {
  h.pc = e->insn.pc;
  h.current_block = nullptr;
}

template <unsigned XLEN>
void Interpreter<XLEN>::drop_block(BlockMap& blocks, typename BlockMap::iterator it) {
  // Other blocks may still name it as their successor: keep it a while, but
  // have a chain that reaches it return to the run loop instead.
  it->second->priv = kDropped;
  it->second->entries.front().exec = &enter_dropped;
  m_dropped.push_back(std::move(it->second));
  blocks.erase(it);
}

template <unsigned XLEN>
void Interpreter<XLEN>::free_dropped_blocks() {
  for (auto& blocks : m_blocks) {
    for (auto& [key, block] : blocks) {
      for (unsigned k = 0; k < 2; ++k) {
        if (block->successor[k].block != nullptr && block->successor[k].block->priv == kDropped) {
          block->successor[k] = Successor{};
        }
      }
    }
  }
  // A block spanning two pages is still listed under the one not written.
  for (auto it = m_page_blocks.begin(); it != m_page_blocks.end();) {
    std::erase_if(it->second, [](const Block* b) { return b->priv == kDropped; });
    if (!it->second.empty()) {
      ++it;
      continue;
    }
    m_hart.code_pages->release(this, it->first);
    it = m_page_blocks.erase(it);
  }
  m_dropped.clear();
}

template <unsigned XLEN>
void Interpreter<XLEN>::set_trace_sink(trace::TraceSink* sink) {
  m_hart.trace = sink;
  // Decoded blocks carry the traced or untraced handlers, and while tracing
  // only the recording slow path may match the TLB's entries.
  flush_code_cache();
  m_hart.update_memory_mode();
}

template class Interpreter<32>;
template class Interpreter<64>;

}  // namespace silica::riscv
