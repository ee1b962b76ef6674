// The DBT engine: translates each RISC-V basic block to x86-64 once, from the
// IR the code generator produces out of isa/riscv (riscv_dbt.h), and runs the
// translations chained to each other.
//
// The block rules, the timing charges and the trap paths are the
// interpreter's, so both engines retire the same instructions in the same
// blocks and take interrupts at the same boundaries. While a debugger has
// breakpoints, watchpoints or a single step, or a trace sink is attached, runs
// go to the embedded interpreter, which implements those per instruction.
//
// Translations belong to a translation context: the privilege they fetch
// and access memory with, and for M-mode whether accesses are unchecked
// (no MPRV, no locked PMP entry), the one context whose loads may read RAM
// straight from host memory. Elsewhere loads and stores go through the
// hart's TLB, which holds the current context's pages, and its slow paths.
// Within a context they are found by pc and physical page (CodeKey), so they
// survive satp writes and sfence.vma; a PMP change (Hart::fetch_context)
// drops them all.
//
// A region of translated code covers one virtual page. Jumps chained
// straight from one translation to another stay within a page (in M-mode,
// where addresses are physical, they may go anywhere), so a page's mapping,
// checked when entering from the run loop, holds for the whole chain. Direct
// jumps to other pages go through the jump cache, which is cleared when the
// mappings change (Hart::mapping_epoch).
//
// A store into a page code was translated from (by any hart or device:
// CodePages) drops the translations of that page at the next block boundary:
// the jumps chained into them go back to their exits, so they chain again to
// the retranslation, and the jump cache forgets them. Their host code stays
// in the code buffer, unreachable, until the buffer is flushed.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cores/dbt/code_buffer.h"
#include "cores/dbt/x86_backend.h"
#include "cores/engine/engine.h"
#include "cores/riscv/hart.h"
#include "cores/riscv/interpreter.h"

namespace silica::riscv {

class TimingModel;

struct DbtStats {
  uint64_t blocks_translated = 0;
  uint64_t guest_insns_translated = 0;
  uint64_t insns_left_to_interpreter = 0;  // translated as calls to the interpreter
  uint64_t translation_ns = 0;
  uint64_t code_bytes = 0;          // in the code cache now
  uint64_t code_bytes_emitted = 0;  // by every translation so far
  uint64_t flushes = 0;
  uint64_t dropped = 0;  // translations dropped: their code was written, or remapped
  uint64_t chains = 0;   // exits patched to jump straight to their target
  uint64_t entries = 0;  // times the run loop entered translated code
  uint64_t blocks_interpreted = 0;
};

template <unsigned XLEN>
class DbtEngine final : public Engine, public CodePages::Owner {
 public:
  static constexpr size_t kDefaultCodeCacheBytes = size_t(64) << 20;

  DbtEngine(Hart<XLEN>& hart, const TimingModel& timing,
            size_t code_cache_bytes = kDefaultCodeCacheBytes);
  ~DbtEngine() override;
  DbtEngine(const DbtEngine&) = delete;
  DbtEngine& operator=(const DbtEngine&) = delete;

  StopReason run(uint64_t cycle_limit, uint64_t instret_limit) override;
  void flush_code_cache() override;
  void set_trace_sink(trace::TraceSink* sink) override;

  void code_page_written(uintptr_t host_page) override;
  void code_page_claimed(uintptr_t host_page) override { m_hart.drop_write_mappings(host_page); }

  // Translates a block on its n-th run (from the run loop; the embedded
  // interpreter runs it before that). Most code a boot runs runs a few times
  // only, and translating costs about as much as interpreting it a thousand
  // times. 1 (the default) translates every block on its first run.
  void set_hot_runs(unsigned n) { m_hot_runs = n; }

  const DbtStats& stats() const { return m_stats; }
  std::vector<std::pair<std::string, std::string>> statistics() const override;

 private:
  struct Translation {
    dbt::CompiledBlock code;
    // The instructions' decoded form: the slow paths and the interpreter
    // calls of the translated code point into it.
    std::unique_ptr<DecodedInsn[]> insns;
    CodeKey key{};
    unsigned context = 0;
    // Where the last instruction's next page mapped, if it reaches there.
    uint64_t next_physical_page = kNoPage;
    uint64_t serial = 0;  // tells a retranslation at the same key from this one
    // The chaining jumps patched to enter it: unpatched when it is dropped.
    std::vector<uint8_t*> incoming;
  };
  // A translation made from a page, as the page index names it.
  struct PageUser {
    unsigned context;
    CodeKey key;
    uint64_t serial;
  };
  using TranslationMap = std::unordered_map<CodeKey, std::unique_ptr<Translation>, CodeKeyHash>;

  // Debugging or tracing: runs go to the embedded interpreter.
  bool interpreter_needed() const;
  static constexpr unsigned kRestrictedMachine = 2;  // U = 0 and S = 1 are themselves
  static constexpr unsigned kUnrestrictedMachine = 3;
  static constexpr unsigned kContexts = 4;
  unsigned translation_context() const;
  // The translation for pc, translating on a miss; null when fetching
  // faulted (the trap is taken).
  // cold: not translated, and not run often enough yet to be worth it.
  Translation* lookup(uint64_t pc, bool& cold);
  Translation* translate(uint64_t pc);
  // Drops the translations made from pages written since the last call.
  void drop_stale_translations();
  void drop_translation(TranslationMap& blocks, typename TranslationMap::iterator it);
  // A translation covers a region: the block at its pc and the blocks after
  // it on the not-taken side of conditional branches, so loops whose body
  // holds branches still run as one translation. Boundaries inside a region
  // check what the run loop checks between blocks, so both engines stop and
  // take interrupts at the same instructions.
  static constexpr size_t kMaxRegionBlocks = 8;
  static constexpr size_t kMaxRegionInsns = 256;
  struct Region {
    std::vector<DecodedBlock> blocks;
    size_t insns = 0;
  };
  bool decode_region(uint64_t pc, Region& region);
  dbt::CompiledBlock compile(const Region& region, Translation& t, bool interpret_all);
  // With SILICA_DBT_DUMP=DIR set, each translation's IR and host code go to
  // DIR/<pc>.ir and DIR/<pc>.bin (objdump -D -b binary -mi386:x86-64).
  void dump(uint64_t pc, const dbt::IrBlock& ir, const dbt::CompiledBlock& code);

  Hart<XLEN>& m_hart;
  const TimingModel& m_timing;
  Interpreter<XLEN> m_interpreter;
  dbt::CodeBuffer m_buffer;
  // One per context, so that traps and returns between privileges keep them;
  // the translation behind each entry, for the run loop's own lookups.
  dbt::JumpCache m_jump_caches[kContexts];
  Translation* m_jump_targets[kContexts][dbt::JumpCache::kEntries] = {};
  void clear_jump_cache(unsigned context);
  dbt::X86Backend m_backend;
  TranslationMap m_blocks[kContexts];
  unsigned m_context = kUnrestrictedMachine;  // the hart's now
  uint64_t m_mapping_epoch = 0;               // the one the U and S jump caches hold
  uint64_t m_fetch_context = 0;               // Hart::fetch_context the translations are for
  // Host page -> the translations made from it (some perhaps dropped already).
  std::unordered_map<uintptr_t, std::vector<PageUser>> m_page_users;
  std::vector<uintptr_t> m_stale_pages;  // written since drop_stale_translations()
  uint64_t m_next_serial = 0;
  unsigned m_hot_runs = 1;
  // How often each block not yet translated has run.
  std::unordered_map<CodeKey, uint32_t, CodeKeyHash> m_runs[kContexts];
  uint64_t m_generation = 0;  // counts flushes: chaining sites die with them
  uint64_t m_memory_map_generation = 0;
  unsigned m_last_interpreted = 0;  // by the last compile(): calls to the interpreter
  size_t m_last_blocks_used = 0;    // by the last compile(): blocks of the region
  std::string m_dump_dir;
  DbtStats m_stats;
};

extern template class DbtEngine<32>;
extern template class DbtEngine<64>;

}  // namespace silica::riscv
