#include "cores/riscv/dbt_engine.h"

#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "cores/dbt/ir_builder.h"
#include "cores/riscv/timing_model.h"
#include "riscv_dbt.h"
#include "riscv_interp.h"

namespace silica::riscv {
namespace {

// Entry points translated code calls; `insn` is the DecodedInsn the block was
// compiled with.
template <unsigned XLEN>
dbt::SlowLoad load_thunk(void* hart, const void* insn, uint64_t addr, uint64_t size) {
  auto& h = *static_cast<Hart<XLEN>*>(hart);
  const LoadResult r =
      load_slow(h, *static_cast<const DecodedInsn*>(insn), addr, unsigned(size), false);
  return {dbt::truncate(r.value, unsigned(size * 8)), r.ok ? 1u : 0u};
}

template <unsigned XLEN>
uint64_t store_thunk(void* hart, const void* insn, uint64_t addr, uint64_t size, uint64_t value) {
  auto& h = *static_cast<Hart<XLEN>*>(hart);
  return store_slow(h, *static_cast<const DecodedInsn*>(insn), addr, unsigned(size), value) ? 1 : 0;
}

template <unsigned XLEN>
bool interpret_thunk(void* hart, const void* insn) {
  auto& h = *static_cast<Hart<XLEN>*>(hart);
  const auto& d = *static_cast<const DecodedInsn*>(insn);
  return kExec<XLEN>[d.id](h, d);
}

template <class T, unsigned XLEN>
int32_t offset_of(const Hart<XLEN>& h, const T& member) {
  return int32_t(reinterpret_cast<const char*>(&member) - reinterpret_cast<const char*>(&h));
}

template <unsigned XLEN>
dbt::GuestAbi make_abi(const Hart<XLEN>& h) {
  dbt::GuestAbi abi;
  abi.reg_bytes = XLEN / 8;
  abi.regs = offset_of(h, h.x[0]);
  abi.pc = offset_of(h, h.pc);
  abi.instret = offset_of(h, h.instret);
  abi.cycles = offset_of(h, h.cycles);
  abi.cycle_limit = offset_of(h, h.cycle_limit);
  abi.attention = offset_of(h, h.attention);
  abi.tlb_read = offset_of(h, h.tlb_read[0]);
  abi.tlb_write = offset_of(h, h.tlb_write[0]);
  abi.tlb_entries = kTlbEntries;
  abi.page_bits = kPageBits;
  static_assert(sizeof(TlbEntry) == 16, "the back end indexes the TLB in 16-byte entries");
  abi.load = &load_thunk<XLEN>;
  abi.store = &store_thunk<XLEN>;
  abi.interpret = &interpret_thunk<XLEN>;
  return abi;
}

}  // namespace

template <unsigned XLEN>
DbtEngine<XLEN>::DbtEngine(Hart<XLEN>& hart, const TimingModel& timing, size_t code_cache_bytes)
    : m_hart(hart),
      m_timing(timing),
      m_interpreter(hart, timing),
      m_buffer(code_cache_bytes),
      m_backend(make_abi(hart), m_buffer, m_jump_caches[kUnrestrictedMachine]) {
  // The interpreter gave the hart its CodePages if it had none.
  m_hart.code_pages->attach(this);
  if (const char* dir = std::getenv("SILICA_DBT_DUMP")) m_dump_dir = dir;
}

template <unsigned XLEN>
DbtEngine<XLEN>::~DbtEngine() {
  m_hart.code_pages->detach(this);
}

template <unsigned XLEN>
bool DbtEngine<XLEN>::interpreter_needed() const {
  const Hart<XLEN>& h = m_hart;
  return h.trace != nullptr || h.breakpoints != nullptr || h.watchpoints != nullptr ||
         h.single_step;
}

template <unsigned XLEN>
unsigned DbtEngine<XLEN>::translation_context() const {
  const Hart<XLEN>& h = m_hart;
  if (h.unrestricted_machine_mode()) return kUnrestrictedMachine;
  return h.priv == Privilege::kMachine ? kRestrictedMachine : unsigned(h.priv);
}

template <unsigned XLEN>
StopReason DbtEngine<XLEN>::run(uint64_t cycle_limit, uint64_t instret_limit) {
  if (interpreter_needed()) return m_interpreter.run(cycle_limit, instret_limit);
  Hart<XLEN>& h = m_hart;
  h.attention = true;  // look at everything once on entry
  // The jump the last block left through, to be pointed at the next block.
  uint8_t* chain_site = nullptr;
  uint64_t chain_generation = 0;
  while (h.cycles < cycle_limit && h.instret < instret_limit) {
    if (h.attention) {
      h.attention = false;
      chain_site = nullptr;
      if (*h.stop_request) return StopReason::kStopRequest;
      // What guest addresses mean for fetching code changed (satp,
      // sfence.vma, PMP), or the RAM behind them; or code was written.
      if (h.fetch_context != m_fetch_context ||
          h.memory_map_generation != m_memory_map_generation) {
        flush_code_cache();
      } else if (!m_stale_pages.empty()) {
        drop_stale_translations();
      }
      if ((h.mip & h.mie) != 0) take_pending_interrupt(h);
      if (h.wfi) return StopReason::kWaitForIrq;
      // A pending interrupt the hart cannot take now waits for what could
      // let it: a CSR write, an xRET or a trap, each of which raises
      // attention again (as do the interrupt wires).
    }
    // A trap, an xRET, MPRV or a PMP lock may have moved the hart to another
    // translation context, whose translations probe their own jump cache.
    // (Translated code that changes the context raises attention, so the
    // next entry check leaves for here before running anything the old
    // context's jump cache reached.) New page mappings make the U and S jump
    // caches' entries stale; M-mode fetches physical addresses.
    const unsigned context = translation_context();
    if (context != m_context) {
      m_context = context;
      chain_site = nullptr;
    }
    if (h.mapping_epoch != m_mapping_epoch) {
      m_mapping_epoch = h.mapping_epoch;
      clear_jump_cache(unsigned(Privilege::kUser));
      clear_jump_cache(unsigned(Privilege::kSupervisor));
      chain_site = nullptr;
    }
    bool cold = false;
    Translation* const t = lookup(h.pc, cold);
    if (cold) {
      // Code that ran only a few times is not worth translating yet: the
      // interpreter runs this block.
      const StopReason stop = m_interpreter.run(cycle_limit, h.instret + 1);
      if (stop != StopReason::kBudget) return stop;
      ++m_stats.blocks_interpreted;
      chain_site = nullptr;
      continue;
    }
    if (t == nullptr) {
      // Instruction fetch faulted and the trap is taken. Charge a cycle so a
      // guest stuck in a fault loop still lets simulated time advance.
      h.cycles += 1;
      chain_site = nullptr;
      continue;
    }
    // Translating may have flushed the cache, and the jump with it. A
    // translation whose code reaches into the next page is entered only from
    // here, where that page's mapping is checked.
    if (chain_site != nullptr && chain_generation == m_generation &&
        t->next_physical_page == kNoPage) {
      dbt::X86Backend::chain(chain_site, t->code.checked);
      t->incoming.push_back(chain_site);
      ++m_stats.chains;
    }
    // Translated code checks one limit: fold in the instruction limit (every
    // instruction costs at least a cycle, so the cycles get there no later)
    // and, while attention stays raised, stop at the first boundary, as the
    // interpreter returns to its loop after every block then.
    const uint64_t room = std::min(cycle_limit - h.cycles, instret_limit - h.instret);
    h.cycle_limit = h.attention ? h.cycles : h.cycles + room;
    chain_site = m_backend.enter(&h, t->code.direct);
    ++m_stats.entries;
    chain_generation = m_generation;
  }
  return StopReason::kBudget;
}

template <unsigned XLEN>
typename DbtEngine<XLEN>::Translation* DbtEngine<XLEN>::lookup(uint64_t pc, bool& cold) {
  // The jump cache holds translations checked for this context's mappings.
  const unsigned index = dbt::JumpCache::index(pc);
  dbt::JumpCache::Entry& e = m_jump_caches[m_context].entries[index];
  if (e.pc == pc) return m_jump_targets[m_context][index];
  Translation* t = nullptr;
  uint64_t page = 0;
  // When fetching faults, translate() raises it.
  if (code_page_for(m_hart, pc, page)) {
    auto& blocks = m_blocks[m_context];
    auto it = blocks.find({pc, page});
    if (it != blocks.end()) {
      if (next_page_still_maps(m_hart, pc, it->second->next_physical_page)) {
        t = it->second.get();
      } else {
        drop_translation(blocks, it);
      }
    }
    if (t == nullptr && m_hot_runs > 1 && ++m_runs[m_context][{pc, page}] < m_hot_runs) {
      cold = true;
      return nullptr;
    }
  }
  if (t == nullptr) t = translate(pc);
  if (t != nullptr) {
    e.pc = pc;
    e.code = t->code.checked;
    m_jump_targets[m_context][index] = t;
  }
  return t;
}

template <unsigned XLEN>
void DbtEngine<XLEN>::clear_jump_cache(unsigned context) {
  m_jump_caches[context].clear();
  for (Translation*& t : m_jump_targets[context]) t = nullptr;
}

template <unsigned XLEN>
bool DbtEngine<XLEN>::decode_region(uint64_t pc, Region& region) {
  region = Region{};
  DecodedBlock block;
  if (!decode_block(m_hart, m_timing, pc, block)) return false;
  for (;;) {
    region.insns += block.insns.size();
    const uint64_t next = block.fallthrough_pc;
    // Go on past a conditional branch or a block cut short by its length;
    // anything else (jumps, serializing instructions) ends the region.
    const DecodedInsn& last = block.insns.back();
    const bool goes_on = kInsnInfo[last.id].iclass == InsnClass::branch || !ends_block(last);
    region.blocks.push_back(std::exchange(block, DecodedBlock{}));
    // A region stays within its first page (see the class comment).
    const bool same_page = ((next ^ pc) & ~(kPageSize - 1)) == 0;
    if (!goes_on || !same_page || region.blocks.size() == kMaxRegionBlocks ||
        region.insns + kMaxBlockInsns > kMaxRegionInsns) {
      return true;
    }
    if (!decode_block(m_hart, m_timing, next, block, false)) return true;
  }
}

template <unsigned XLEN>
typename DbtEngine<XLEN>::Translation* DbtEngine<XLEN>::translate(uint64_t pc) {
  const auto start = std::chrono::steady_clock::now();
  Region region;
  if (!decode_region(pc, region)) return nullptr;
  auto owned = std::make_unique<Translation>();
  Translation& t = *owned;
  t.key = {pc, region.blocks.front().physical_pages[0]};
  t.context = m_context;
  t.serial = m_next_serial++;
  t.insns = std::make_unique<DecodedInsn[]>(region.insns);
  size_t n = 0;
  for (const DecodedBlock& b : region.blocks) {
    n = size_t(std::copy(b.insns.begin(), b.insns.end(), t.insns.get() + n) - t.insns.get());
  }
  // A region the back end cannot compile (more live values than registers)
  // is translated as calls to the interpreter, the simplest translation.
  auto compile_any = [&] {
    try {
      return compile(region, t, false);
    } catch (const std::runtime_error&) {
      return compile(region, t, true);
    }
  };
  dbt::CompiledBlock code = compile_any();
  if (code.checked == nullptr) {
    // The code cache is full: start it afresh.
    flush_code_cache();
    code = compile_any();
    if (code.checked == nullptr && region.blocks.size() > 1) {
      // Even an empty cache cannot hold the whole region: one block, then.
      region.blocks.resize(1);
      code = compile_any();
    }
    if (code.checked == nullptr) throw std::runtime_error("DBT code cache too small for a block");
  }
  size_t insns = 0;
  for (size_t k = 0; k < m_last_blocks_used; ++k) {
    const HostPages pages = claim_code_pages(m_hart, this, region.blocks[k]);
    for (unsigned i = 0; i < pages.count; ++i) {
      m_page_users[pages.page[i]].push_back({m_context, t.key, t.serial});
    }
    insns += region.blocks[k].insns.size();
  }
  t.next_physical_page = region.blocks[m_last_blocks_used - 1].next_physical_page();
  m_stats.code_bytes_emitted += m_buffer.used() - m_stats.code_bytes;
  m_stats.insns_left_to_interpreter += m_last_interpreted;
  t.code = code;
  m_blocks[m_context].emplace(t.key, std::move(owned));
  m_stats.blocks_translated += 1;
  m_stats.guest_insns_translated += insns;
  m_stats.code_bytes = m_buffer.used();
  m_stats.translation_ns += uint64_t(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
  return &t;
}

template <unsigned XLEN>
dbt::CompiledBlock DbtEngine<XLEN>::compile(const Region& region, Translation& t,
                                            bool interpret_all) {
  const uint64_t pc = region.blocks.front().pc;
  dbt::IrBlock ir;
  ir.guest_regs = 32;
  dbt::IrBuilder builder(ir, XLEN, 0);
  builder.set_jump_alignment_check(!m_hart.config.has(Extension::C));
  m_last_interpreted = 0;
  dbt::BlockContext context;
  context.pc = pc;
  // In M-mode addresses are physical: chained jumps may leave the page.
  context.chain_across_pages = m_context >= kRestrictedMachine;
  context.jump_cache = &m_jump_caches[m_context];
  // Loads from the RAM the region's code is in read host memory directly,
  // when addresses are physical and unchecked.
  DmiRegion ram;
  if (m_context == kUnrestrictedMachine && m_hart.memory->dmi_for(pc, ram) && ram.readable) {
    context.window = {ram.base, ram.last - ram.base + 1, ram.host, m_hart.config.misaligned_traps};
  }
  uint32_t cycles = 0;
  size_t i = 0;
  m_last_blocks_used = 0;
  for (const DecodedBlock& block : region.blocks) {
    if (m_last_blocks_used != 0) {
      // The previous block ended in a branch that was not taken (or was cut
      // short): go on, unless it turned out to transfer control for sure.
      if (!builder.can_continue()) break;
      builder.boundary(block.pc);
    }
    ++m_last_blocks_used;
    for (size_t k = 0; k < block.insns.size(); ++k, ++i) {
      const DecodedInsn& d = t.insns[i];
      builder.begin_instruction(uint16_t(i));
      const dbt::IrBuilder::Mark mark = builder.mark();
      const IrFrontFn front = kIrFront<XLEN>[d.id];
      if (interpret_all || front == nullptr || !front(builder, d)) {
        builder.rollback(mark);
        builder.call_interpreter(ends_block(d));
        ++m_last_interpreted;
      }
      cycles += d.cycles;
      context.insn_context.push_back(&t.insns[i]);
      context.next_pc.push_back(d.pc + d.len);
      context.cycles_through.push_back(cycles);
    }
  }
  builder.finish(region.blocks[m_last_blocks_used - 1].fallthrough_pc);
  dbt::eliminate_dead_code(ir);
#ifndef NDEBUG
  const std::string problems = dbt::verify(ir);
  if (!problems.empty()) {
    throw std::logic_error("DBT IR for the region at 0x" + std::to_string(pc) + " is malformed:\n" +
                           problems + dbt::to_string(ir));
  }
#endif
  const dbt::CompiledBlock out = m_backend.compile(ir, context);
  if (!m_dump_dir.empty() && out.checked != nullptr) dump(pc, ir, out);
  return out;
}

template <unsigned XLEN>
void DbtEngine<XLEN>::dump(uint64_t pc, const dbt::IrBlock& ir, const dbt::CompiledBlock& code) {
  char name[32];
  std::snprintf(name, sizeof name, "/%016" PRIx64, pc);
  const std::string base = m_dump_dir + name;
  const size_t bytes = size_t(m_buffer.cursor() - code.checked);
  std::ofstream(base + ".ir") << "; guest pc 0x" << std::hex << pc << ", host code at "
                              << static_cast<const void*>(code.checked) << std::dec << ", " << bytes
                              << " bytes\n"
                              << dbt::to_string(ir);
  std::ofstream(base + ".bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(code.checked), std::streamsize(bytes));
}

template <unsigned XLEN>
void DbtEngine<XLEN>::flush_code_cache() {
  bool any = false;
  for (auto& blocks : m_blocks) {
    any |= !blocks.empty();
    blocks.clear();
  }
  if (any) ++m_stats.flushes;  // only flushes that drop translations
  m_page_users.clear();
  m_stale_pages.clear();
  for (auto& runs : m_runs) runs.clear();
  m_hart.code_pages->release_all(this);
  for (unsigned context = 0; context < kContexts; ++context) clear_jump_cache(context);
  m_buffer.flush();
  m_memory_map_generation = m_hart.memory_map_generation;
  m_fetch_context = m_hart.fetch_context;
  ++m_generation;
  m_stats.code_bytes = m_buffer.used();
  m_interpreter.flush_code_cache();  // also lets write-TLB entries refill
}

template <unsigned XLEN>
std::vector<std::pair<std::string, std::string>> DbtEngine<XLEN>::statistics() const {
  const DbtStats& s = m_stats;
  auto fixed = [](double v, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return std::string(text);
  };
  const double blocks = double(std::max<uint64_t>(s.blocks_translated, 1));
  const double insns = double(std::max<uint64_t>(s.guest_insns_translated, 1));
  return {
      {"dbt blocks translated", std::to_string(s.blocks_translated)},
      {"dbt translation us/block", fixed(double(s.translation_ns) / 1e3 / blocks, 2)},
      {"dbt code bytes/guest insn", fixed(double(s.code_bytes_emitted) / insns, 1)},
      {"dbt code cache KiB", fixed(double(s.code_bytes) / 1024.0, 1)},
      {"dbt code cache flushes", std::to_string(s.flushes)},
      {"dbt translations dropped", std::to_string(s.dropped)},
      {"dbt exits chained", std::to_string(s.chains)},
      {"dbt entries from the run loop", std::to_string(s.entries)},
      {"dbt blocks left to the interpreter (not hot yet)", std::to_string(s.blocks_interpreted)},
      {"dbt insns via interpreter %",
       fixed(100.0 * double(s.insns_left_to_interpreter) / insns, 2)},
  };
}

template <unsigned XLEN>
void DbtEngine<XLEN>::code_page_written(uintptr_t host_page) {
  m_stale_pages.push_back(host_page);
  m_hart.attention = true;
}

template <unsigned XLEN>
void DbtEngine<XLEN>::drop_translation(TranslationMap& blocks,
                                       typename TranslationMap::iterator it) {
  const Translation& t = *it->second;
  // Jumps chained into it go back to their exits, where the run loop chains
  // them to whatever replaces it.
  for (uint8_t* site : t.incoming) dbt::X86Backend::unchain(site);
  const unsigned index = dbt::JumpCache::index(t.key.pc);
  if (m_jump_targets[t.context][index] == &t) {
    m_jump_caches[t.context].entries[index] = dbt::JumpCache::Entry{};
    m_jump_targets[t.context][index] = nullptr;
  }
  blocks.erase(it);
  ++m_stats.dropped;
}

template <unsigned XLEN>
void DbtEngine<XLEN>::drop_stale_translations() {
  for (uintptr_t page : m_stale_pages) {
    auto listed = m_page_users.find(page);
    if (listed == m_page_users.end()) continue;  // dropped already
    for (const PageUser& user : listed->second) {
      auto& blocks = m_blocks[user.context];
      auto it = blocks.find(user.key);
      if (it != blocks.end() && it->second->serial == user.serial) drop_translation(blocks, it);
    }
    m_page_users.erase(listed);
    m_hart.code_pages->release(this, page);
  }
  m_stale_pages.clear();
}

template <unsigned XLEN>
void DbtEngine<XLEN>::set_trace_sink(trace::TraceSink* sink) {
  m_interpreter.set_trace_sink(sink);
  flush_code_cache();
}

template class DbtEngine<32>;
template class DbtEngine<64>;

}  // namespace silica::riscv
