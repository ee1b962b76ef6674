// The interpreter engine: decodes each basic block once into a list of
// (handler, operands) pairs generated from the ISA descriptions, caches it by
// pc, and runs blocks back to back. Within a block the handlers are threaded:
// each one tail-calls the next, so an instruction costs one indirect jump
// rather than a call, a return and a loop test. Successor blocks are
// remembered per block so the hash map is only consulted when control flow
// goes somewhere new.
//
// Blocks are found by pc and the physical page it fetches from (CodeKey), so
// they survive satp writes and sfence.vma; the remembered successors, found
// by pc alone, hold only within one Hart::mapping_epoch. A store into a page
// blocks were decoded from (by this hart, another one or a device:
// CodePages) drops just those blocks, at the next block boundary.
#pragma once

#include <array>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cores/engine/engine.h"
#include "cores/riscv/block_decoder.h"
#include "cores/riscv/hart.h"
#include "riscv_interp.h"

namespace silica::riscv {

class TimingModel;

template <unsigned XLEN>
class Interpreter final : public Engine, public CodePages::Owner {
 public:
  Interpreter(Hart<XLEN>& hart, const TimingModel& timing);
  ~Interpreter() override;
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  StopReason run(uint64_t cycle_limit, uint64_t instret_limit) override;
  void flush_code_cache() override;

  void code_page_written(uintptr_t host_page) override;
  void code_page_claimed(uintptr_t host_page) override { m_hart.drop_write_mappings(host_page); }

  void set_trace_sink(trace::TraceSink* sink) override;

 private:
  using ux = sem::uxlen<XLEN>;
  struct Entry;
  // A handler gets, besides the hart and its entry, `last`: the value the
  // block's latest register-writing instruction wrote (see Forwarding).
  using ThreadedFn = void (*)(Hart<XLEN>&, const Entry*, uint64_t last);
  struct Block;
  struct Successor;
  struct Entry {
    ThreadedFn exec;
    union {
      DecodedInsn insn;  // an instruction
      Block* block;      // the sentinel after the last instruction: its block
    };
  };

  // Runs one instruction's generated semantics, then the next entry's; on a
  // trap it records where the block stopped and unwinds. The Traced variant
  // (used only while a trace sink is attached) also reports the instruction.
  // The Last variant, for a block's last instruction, instead counts the
  // block and, when nothing needs the run loop, jumps straight into the
  // remembered successor (block chaining). Each instruction type thus has
  // its own block-to-block dispatch jump, which the host predicts far better
  // than one shared jump.
  //
  // Forwarding: where an instruction reads the register the latest
  // register-writing instruction before it in the block wrote, the decoder
  // picks the variant whose Fwd bits take that operand from `last`, a host
  // register, instead of from Hart::x, where the value was stored a few
  // cycles earlier. A chain of dependent instructions then no longer waits
  // on a store-to-load forward each time.
  template <size_t Id, bool Traced, unsigned Fwd, bool Last>
  static void threaded(Hart<XLEN>& h, const Entry* e, uint64_t last);
  // Untraced, an instruction with a fast variant (kHasFastVariant) tries it
  // first and falls back to this, which runs the full semantics, only when
  // it declines: then the handler above makes no call and needs no frame.
  template <size_t Id, bool Traced, unsigned Fwd, bool Last>
  [[gnu::noinline]] static void threaded_full(Hart<XLEN>& h, const Entry* e, uint64_t last);
  // What follows an instruction that retired: the next entry, or with Last
  // the end of the block (forced inline, like finish_block, for the reason
  // above).
  template <bool Last>
  [[gnu::always_inline]] static void proceed(Hart<XLEN>& h, const Entry* e, ux result);
  template <size_t Id, bool Traced>
  static constexpr bool has_fast_variant() {
    return !Traced && kHasFastVariant[Id];
  }
  // The Fwd bits instruction Id has a read slot for.
  static constexpr unsigned forwardable(size_t id) {
    return (kForwarding[id].read_slot[0] != kNoSlot ? 1u : 0u) |
           (kForwarding[id].read_slot[1] != kNoSlot ? 2u : 0u);
  }
  // The Fwd bits for d when the previous entry forwards register
  // forwarded_reg (0: it forwards none).
  static unsigned forwarded_bits(const DecodedInsn& d, unsigned forwarded_reg);
  // Counts a finished block and chains to its successor. Forced inline: out
  // of line, GCC would give all blocks one shared dispatch jump again.
  [[gnu::always_inline]] static void finish_block(Hart<XLEN>& h, const Block* block);
  // Runs an entry's semantics; with Traced, reports it retired or trapped.
  template <size_t Id, bool Traced, unsigned Fwd>
  static bool execute(Hart<XLEN>& h, const Entry* e, uint64_t last, ux& result);
  static void trace_retired(Hart<XLEN>& h, const Entry* e);
  static void trace_trap(Hart<XLEN>& h, uint64_t instret, bool interrupt);
  static uint64_t instret_at(const Hart<XLEN>& h, const Entry* e);
  // A successor decoded for another privilege does not count: the same pc
  // may translate differently there, or not be executable. Nor does a
  // dropped block, whose privilege reads kDropped, nor one remembered under
  // other page mappings.
  static Block* remembered_successor(const Block* block, uint64_t pc, Privilege priv,
                                     uint64_t mapping_epoch) {
    const Successor* next = chained_successor(block, pc, mapping_epoch);
    return next != nullptr && next->block->priv == priv ? next->block : nullptr;
  }
  // The same between chained blocks, where neither check is needed: an
  // instruction that changes privilege (an xRET) raises attention, which
  // ends the chain first, and a dropped block's first handler leads back
  // to the run loop (enter_dropped).
  static const Successor* chained_successor(const Block* block, uint64_t pc,
                                            uint64_t mapping_epoch) {
    if (block->successor_epoch != mapping_epoch) return nullptr;
    if (block->successor[0].pc == pc) return &block->successor[0];
    if (block->successor[1].pc == pc) return &block->successor[1];
    return nullptr;
  }
  // The first handler of a dropped block: leaves the block to the run loop,
  // which looks pc up again.
  static void enter_dropped(Hart<XLEN>& h, const Entry* e, uint64_t last);
  // The return type is spelled out: GCC 12 crashes deducing it here for
  // some source paths (an internal compiler error in the substitution).
  template <bool Last, bool Traced, unsigned Fwd, size_t... Ids>
  static constexpr std::array<ThreadedFn, sizeof...(Ids)> make_threaded_table(
      std::index_sequence<Ids...>);
  static constexpr size_t kForwardedVariants = 4;  // Fwd = 0..3
  using HandlerTable =
      std::array<std::array<ThreadedFn, size_t(InsnId::count)>, kForwardedVariants>;
  template <bool Last, bool Traced, size_t... Fwds>
  static constexpr HandlerTable make_handler_table(std::index_sequence<Fwds...>);
  // A remembered successor block, with copies of what chaining into it
  // needs, so that the jump into its first handler waits on fewer loads.
  struct Successor {
    uint64_t pc = ~uint64_t(0);  // none
    Block* block = nullptr;
    const Entry* first = nullptr;  // block->entries.data()
    uint64_t fallthrough_pc = 0;   // block->fallthrough_pc
  };
  struct Block {
    uint64_t pc = 0;
    uint64_t fallthrough_pc = 0;
    uint32_t cycles = 0;                   // total timing-model cost when every instruction retires
    std::vector<Entry> entries;            // the instructions, then a sentinel naming the block
    uint32_t count = 0;                    // instructions (entries.size() - 1)
    Privilege priv = Privilege::kMachine;  // the privilege it was fetched with
    uint64_t physical_page = 0;            // where pc was fetched from: its key
    uint64_t next_physical_page = kNoPage;
    // The last two distinct successors seen, to skip the hash lookup, and
    // the Hart::mapping_epoch they were seen in.
    Successor successor[2];
    unsigned next_successor_slot = 0;
    uint64_t successor_epoch = 0;
  };
  using BlockMap = std::unordered_map<CodeKey, std::unique_ptr<Block>, CodeKeyHash>;

  Block* lookup(uint64_t pc);
  Block* decode_block(uint64_t pc);
  // Drops the blocks decoded from pages written since the last call.
  void drop_stale_blocks();
  void drop_block(BlockMap& blocks, typename BlockMap::iterator it);
  // Frees dropped blocks, once no successor link or page list names them.
  void free_dropped_blocks();

  // The privilege of a dropped block: no hart runs in it.
  static constexpr Privilege kDropped = Privilege(2);
  // Dropped blocks kept before they are freed (freeing scans every block).
  static constexpr size_t kMaxDroppedBlocks = 4096;

  Hart<XLEN>& m_hart;
  const TimingModel& m_timing;
  // Decoded blocks, one map per privilege (U, S, -, M): each privilege
  // fetches with its own permissions. All go when PMP changes
  // (Hart::fetch_context).
  BlockMap m_blocks[4];
  uint64_t m_fetch_context = 0;
  // Host page -> the blocks decoded from it (some perhaps dropped already).
  std::unordered_map<uintptr_t, std::vector<Block*>> m_page_blocks;
  std::vector<uintptr_t> m_stale_pages;  // written since drop_stale_blocks()
  std::vector<std::unique_ptr<Block>> m_dropped;
  // The hart's CodePages when it came without a machine's (unit tests).
  std::unique_ptr<CodePages> m_own_code_pages;
};

extern template class Interpreter<32>;
extern template class Interpreter<64>;

}  // namespace silica::riscv
