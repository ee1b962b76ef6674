// The DBT's x86-64 back end: turns a block's IR into host code with xbyak.
//
// Register use: r15 holds the guest state (the hart) for the whole time
// translated code runs, r13 and r14 its retired-instruction and cycle counters.
// Within a block, the guest registers it uses most live in host registers
// (rbx r12 rbp rsi rdi r8 r9), loaded at block entry and written back at every
// exit; the rest are read and written in memory. rax rcx rdx hold IR values
// (which never outlive one guest instruction); r10 r11 are scratch.
//
// Translated code is entered through a trampoline (enter()) and returns to it
// with a value the run loop uses to chain blocks: the address of the jump to
// patch, or 0. Guest memory accesses look up the software TLB inline and call
// the slow path only on a miss; a slow path, a division or an instruction left
// to the interpreter calls back into C++ through the function pointers of
// GuestAbi.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cores/dbt/code_buffer.h"
#include "cores/dbt/ir.h"

namespace silica::dbt {

// The result of a slow-path load: returned in rax:rdx.
struct SlowLoad {
  uint64_t value;
  uint64_t ok;
};

// Where translated code finds the guest state, relative to the hart pointer,
// and the C++ functions it calls.
struct GuestAbi {
  unsigned reg_bytes = 8;  // a guest register's size in memory (XLEN / 8)
  int32_t regs = 0, pc = 0, instret = 0, cycles = 0;
  // Translated code stops at the first check with cycles >= cycle_limit; the
  // run loop sets it, and code that raises the attention flag (a bool) during
  // a call out of translated code zeroes it.
  int32_t cycle_limit = 0;
  int32_t attention = 0;
  int32_t tlb_read = 0, tlb_write = 0;
  unsigned tlb_entries = 256, page_bits = 12;
  // Slow paths: `insn` is the per-instruction context the block was compiled with.
  SlowLoad (*load)(void* hart, const void* insn, uint64_t addr, uint64_t size) = nullptr;
  uint64_t (*store)(void* hart, const void* insn, uint64_t addr, uint64_t size,
                    uint64_t value) = nullptr;                // 0: trapped
  bool (*interpret)(void* hart, const void* insn) = nullptr;  // false: trapped
};

// A direct-mapped cache from guest pc to translated code, probed inline by
// indirect jumps and returns; the run loop fills it.
struct JumpCache {
  static constexpr unsigned kEntries = 4096;
  struct Entry {
    uint64_t pc = ~uint64_t(0);
    const void* code = nullptr;
  };
  Entry entries[kEntries];
  static unsigned index(uint64_t pc) { return unsigned(pc >> 1) & (kEntries - 1); }
  void clear() {
    for (Entry& e : entries) e = Entry{};
  }
};

// A range of guest addresses that loads may read straight from host memory
// (RAM with direct access, no translation). Its bounds are compiled into the
// block, so the run loop must flush translations when it changes.
struct LoadWindow {
  uint64_t base = 0;
  uint64_t size = 0;  // 0: no window
  const uint8_t* host = nullptr;
  bool aligned_only = false;  // misaligned loads must trap: leave them to the TLB path
};

// What the back end needs to know about the block's guest instructions.
struct BlockContext {
  LoadWindow window;
  uint64_t pc = 0;  // the block's guest pc
  // Whether jumps to other guest pages may be chained; if not, they go
  // through the jump cache (another page may map elsewhere next time).
  bool chain_across_pages = true;
  // The jump cache indirect jumps probe; null: the back end's.
  JumpCache* jump_cache = nullptr;
  std::vector<const void*> insn_context;  // passed to the slow paths, per instruction
  std::vector<uint64_t> next_pc;          // per instruction: its fall-through pc
  std::vector<uint32_t> cycles_through;   // per instruction: cycles up to and including it
};

// A translated block has two entries: chained jumps and the jump cache use the
// checked one, which first looks at the hart's attention flag and limits; the
// run loop, which has just done that itself, uses the direct one.
struct CompiledBlock {
  const uint8_t* checked = nullptr;
  const uint8_t* direct = nullptr;
  unsigned cached_regs = 0;  // guest registers kept in host registers
};

class X86Backend {
 public:
  X86Backend(const GuestAbi& abi, CodeBuffer& buffer, JumpCache& jump_cache);

  // Emits the block; its entries are null when the code buffer is full.
  // Throws std::runtime_error when the block cannot be compiled (e.g. more
  // simultaneously live values than registers); the caller then retranslates
  // it more simply.
  CompiledBlock compile(const IrBlock& block, const BlockContext& context);

  // Runs translated code from `code` until it returns; the result is the
  // address of a chaining jump to patch (see chain()), or 0.
  uint8_t* enter(void* hart, const void* code) const { return m_enter(hart, code); }
  // Points the jump whose 32-bit displacement is at `site` to `target`.
  static void chain(uint8_t* site, const void* target);
  // Points it back to the exit stub right after it, as compiled.
  static void unchain(uint8_t* site) { chain(site, site + 4); }

 private:
  using EnterFn = uint8_t* (*)(void*, const void*);
  void emit_trampolines();

  GuestAbi m_abi;
  CodeBuffer& m_buffer;
  JumpCache& m_jump_cache;
  EnterFn m_enter = nullptr;
  const uint8_t* m_exit = nullptr;  // returns to enter()'s caller with rax
};

}  // namespace silica::dbt
