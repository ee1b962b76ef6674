#include "cores/dbt/x86_backend.h"

#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>

namespace silica::dbt {
namespace {

using Xbyak::Label;
using Xbyak::Reg16;
using Xbyak::Reg32;
using Xbyak::Reg64;
using Xbyak::Reg8;

// Host register numbers (x86 encoding).
constexpr int kRax = 0, kRcx = 1, kRdx = 2, kRbx = 3, kRbp = 5, kRsi = 6, kRdi = 7, kR8 = 8,
              kR9 = 9, kR10 = 10, kR11 = 11, kR12 = 12, kR13 = 13, kR14 = 14, kR15 = 15;
constexpr std::array<int, 7> kGuestRegPool = {kRbx, kR12, kRbp, kRsi, kRdi, kR8, kR9};
constexpr std::array<int, 3> kTempPool = {kRax, kRcx, kRdx};
// The retired-instruction and cycle counters live in these while translated
// code runs (a counter in memory would make every block wait for the
// previous block's update of it).
constexpr int kInstret = kR13, kCycles = kR14;
// Caller-saved registers that hold guest registers or values across calls.
constexpr std::array<int, 7> kCallerSaved = {kRax, kRcx, kRdx, kR8, kR9, kRsi, kRdi};
// Stack spill area (below the trampoline's saved registers): one slot per
// caller-saved register, by register number.
constexpr int kSpillSlots = 8;
constexpr int kFrameBytes = 8 + 8 * kSpillSlots;  // keeps rsp 16-byte aligned
constexpr int kNoReg = -1;

int spill_slot(int reg) {
  switch (reg) {
    case kRax:
      return 0;
    case kRcx:
      return 1;
    case kRdx:
      return 2;
    case kR8:
      return 3;
    case kRsi:
      return 4;
    case kRdi:
      return 5;
    case kR9:
      return 6;
    default:
      return 7;
  }
}

Reg64 q(int r) {
  return Reg64(r);
}
Reg32 d(int r) {
  return Reg32(r);
}
Reg16 w(int r) {
  return Reg16(r);
}
Reg8 b(int r) {
  return Reg8(r, r >= 4);
}

bool fits_int32(uint64_t v) {
  return int64_t(v) == int64_t(int32_t(v));
}

bool is_compare(Op op) {
  return op >= Op::kEq && op <= Op::kLeU;
}

// Compiles one block. Everything it decides (which guest registers to keep in
// host registers, where each value lives) is local to the block.
class BlockCompiler {
 public:
  BlockCompiler(const GuestAbi& abi, const IrBlock& block, const BlockContext& context,
                Xbyak::CodeGenerator& gen, const uint8_t* exit, JumpCache& jump_cache)
      : m_abi(abi),
        m_block(block),
        m_insts(block.insts),
        m_context(context),
        m_gen(gen),
        m_exit(exit),
        m_jump_cache(jump_cache),
        m_loc(m_insts.size(), kNoReg),
        m_last_use(m_insts.size(), 0),
        m_uses(m_insts.size(), 0),
        m_hint(m_insts.size(), kNoReg),
        m_fused(m_insts.size(), false),
        m_free_trunc(m_insts.size(), false),
        m_host_of(block.guest_regs, kNoReg),
        m_written_now(block.guest_regs, false),
        m_needs_load(block.guest_regs, false) {}

  // Returns the offset of the direct entry from the checked one.
  size_t compile() {
    analyse();
    choose_cached_registers();
    choose_free_truncations();
    choose_hints();
    fuse_branches();
    const uint8_t* checked = m_gen.getCurr();
    emit_entry_checks();
    const size_t direct = size_t(m_gen.getCurr() - checked);
    load_cached(false);
    m_gen.L(m_body);
    for (uint32_t i = 0; i < m_insts.size(); ++i) {
      if (m_fused[i]) continue;
      emit(i);
    }
    emit_out_of_line();
    return direct;
  }

  unsigned cached_registers() const { return m_cached; }

 private:
  // -- analysis ---------------------------------------------------------------
  unsigned operands(uint32_t i) const { return info(m_insts[i].op).operands; }

  void analyse() {
    for (uint32_t i = 0; i < m_insts.size(); ++i) {
      m_last_use[i] = i;
      for (unsigned k = 0; k < operands(i); ++k) {
        const uint32_t a = m_insts[i].args[k];
        m_last_use[a] = i;
        ++m_uses[a];
      }
    }
  }

  void choose_cached_registers() {
    std::vector<std::pair<unsigned, unsigned>> counts;  // (uses, register)
    std::vector<unsigned> per_reg(m_block.guest_regs, 0);
    for (const Inst& inst : m_insts) {
      if (inst.op != Op::kGetReg && inst.op != Op::kSetReg) continue;
      // A register the block writes before reading need not be loaded.
      if (per_reg[inst.imm]++ == 0 && inst.op == Op::kGetReg) m_needs_load[inst.imm] = true;
    }
    for (unsigned r = 0; r < per_reg.size(); ++r) {
      if (per_reg[r] > 0) counts.emplace_back(per_reg[r], r);
    }
    std::stable_sort(counts.begin(), counts.end(),
                     [](auto x, auto y) { return x.first > y.first; });
    for (size_t k = 0; k < counts.size() && k < kGuestRegPool.size(); ++k) {
      m_host_of[counts[k].second] = kGuestRegPool[k];
      m_cached_list.push_back(counts[k].second);
    }
    // A block that loops to itself runs its body again without reloading:
    // its registers must all be valid from the start, and every exit must
    // write back everything any iteration may have written.
    bool self_loop = false;
    for (const Inst& inst : m_insts) {
      self_loop |= (inst.op == Op::kExit || inst.op == Op::kExitIf) && inst.imm == m_context.pc;
    }
    if (self_loop) {
      for (const Inst& inst : m_insts) {
        if (inst.op == Op::kSetReg && m_host_of[inst.imm] != kNoReg) {
          m_written_now[inst.imm] = true;
        }
      }
      for (unsigned r : m_cached_list) m_needs_load[r] = true;
    }
    m_cached = unsigned(m_cached_list.size());
  }

  // Whether consumer u reads only the low 32 bits of operand k: 32-bit
  // operations on x86 ignore the upper half of their registers.
  bool reads_low_32(uint32_t u, unsigned k) const {
    const Inst& use = m_insts[u];
    switch (use.op) {
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kAnd:
      case Op::kOr:
      case Op::kXor:
      case Op::kShl:
      case Op::kShr:
      case Op::kSar:
      case Op::kEq:
      case Op::kNe:
      case Op::kLtS:
      case Op::kLtU:
      case Op::kLeS:
      case Op::kLeU:
        return use.width == 32;
      case Op::kSext:
        return use.imm == 32;
      case Op::kTrunc:
        return use.width <= 32;
      case Op::kStore:
        return k == 1 && use.imm <= 4;
      default:
        return false;
    }
  }

  // A truncation to 32 bits whose every consumer reads only the low 32 bits
  // costs nothing: it names its operand's register.
  void choose_free_truncations() {
    for (uint32_t t = 0; t < m_insts.size(); ++t) {
      if (m_insts[t].op != Op::kTrunc || m_insts[t].width != 32) continue;
      if (is_const(m_insts[t].args[0])) continue;
      bool free = true;
      for (uint32_t u = t + 1; u < m_insts.size() && free; ++u) {
        for (unsigned k = 0; k < operands(u); ++k) {
          if (m_insts[u].args[k] == t && !reads_low_32(u, k)) free = false;
        }
      }
      m_free_trunc[t] = free;
    }
  }

  // A value whose only use is SetReg of a cached register is computed straight
  // into that register, when nothing in between could observe the difference.
  void choose_hints() {
    for (uint32_t j = 0; j < m_insts.size(); ++j) {
      const Inst& set = m_insts[j];
      if (set.op != Op::kSetReg || m_host_of[set.imm] == kNoReg) continue;
      const uint32_t v = set.args[0];
      const Inst& def = m_insts[v];
      const uint8_t flags = info(def.op).flags;
      if (m_uses[v] != 1 || (flags & op_flags::kPure) == 0 || def.op == Op::kConst ||
          def.op == Op::kGetReg || m_free_trunc[v]) {
        continue;
      }
      bool safe = true;
      for (uint32_t k = v + 1; k < j && safe; ++k) {
        const Inst& mid = m_insts[k];
        safe = !((mid.op == Op::kGetReg || mid.op == Op::kSetReg) && mid.imm == set.imm) &&
               (info(mid.op).flags & (op_flags::kMayTrap | op_flags::kEffect)) == 0;
      }
      // Earlier reads of the register (or free truncations of them, which
      // share its host register) must be dead once v is computed.
      for (uint32_t u = 0; u < v && safe; ++u) {
        if (reads_register(u) == int(set.imm) && m_last_use[u] > v) safe = false;
      }
      if (safe) {
        m_hint[v] = m_host_of[set.imm];
      }
    }
  }

  // The guest register whose host register value u lives in (a GetReg or a
  // free truncation of one), or -1.
  int reads_register(uint32_t u) const {
    while (m_free_trunc[u]) u = m_insts[u].args[0];
    return m_insts[u].op == Op::kGetReg ? int(m_insts[u].imm) : -1;
  }

  // A comparison used only by the ExitIf right after it becomes cmp + jcc.
  void fuse_branches() {
    for (uint32_t e = 0; e < m_insts.size(); ++e) {
      if (m_insts[e].op != Op::kExitIf) continue;
      const uint32_t c = m_insts[e].args[0];
      if (!is_compare(m_insts[c].op) || m_uses[c] != 1) continue;
      bool adjacent = true;
      for (uint32_t k = c + 1; k < e; ++k) adjacent &= m_insts[k].op == Op::kConst;
      if (adjacent) m_fused[c] = true;
    }
  }

  // IR the back end has no code for: the engine translates the block more
  // simply (the whole block through the interpreter).
  [[noreturn]] static void unsupported(const char* what) {
    throw std::runtime_error(std::string("the x86-64 back end does not compile ") + what);
  }

  // -- value locations ----------------------------------------------------------
  bool is_const(uint32_t v) const { return m_insts[v].op == Op::kConst; }
  uint64_t const_of(uint32_t v) const { return m_insts[v].imm; }

  // An operand usable as an immediate at this operation width.
  bool as_imm(uint32_t v, unsigned width, uint32_t& imm) const {
    if (!is_const(v)) return false;
    const uint64_t k = const_of(v);
    if (width <= 32 || fits_int32(k)) {
      imm = uint32_t(k);
      return true;
    }
    return false;
  }

  // The register holding v, materialising a constant into `scratch`.
  int reg_of(uint32_t v, int scratch) {
    if (is_const(v)) {
      m_gen.mov(q(scratch), const_of(v));
      return scratch;
    }
    return m_loc[v];
  }

  bool is_temp(int reg) const {
    return std::find(kTempPool.begin(), kTempPool.end(), reg) != kTempPool.end();
  }

  // Whether a value defined before operation i sits in reg and is still read
  // at operation `from` or later.
  bool holds_live_value(int reg, uint32_t i, uint32_t from) const {
    for (uint32_t v = 0; v < i; ++v) {
      if (m_loc[v] == reg && m_last_use[v] >= from && !is_const(v)) return true;
    }
    return false;
  }

  int allocate(uint32_t i) {
    if (m_hint[i] != kNoReg) return m_hint[i];
    // Reuse an operand's temporary that dies here.
    for (unsigned k = 0; k < operands(i); ++k) {
      const uint32_t a = m_insts[i].args[k];
      if (!is_const(a) && is_temp(m_loc[a]) && m_last_use[a] == i &&
          !holds_live_value(m_loc[a], i, i + 1)) {
        return m_loc[a];
      }
    }
    return free_temp(i);
  }

  int free_temp(uint32_t i) const {
    for (int r : kTempPool) {
      if (!holds_live_value(r, i, i)) return r;
    }
    throw std::runtime_error("out of registers");
  }

  // Values in caller-saved registers that must survive a call made by inst i.
  std::vector<int> live_across(uint32_t i) const {
    std::vector<int> regs;
    for (uint32_t v = 0; v < i; ++v) {
      if (is_const(v) || m_loc[v] == kNoReg || m_last_use[v] <= i) continue;
      if (std::find(kCallerSaved.begin(), kCallerSaved.end(), m_loc[v]) == kCallerSaved.end()) {
        continue;
      }
      if (std::find(regs.begin(), regs.end(), m_loc[v]) == regs.end()) regs.push_back(m_loc[v]);
    }
    for (unsigned r : m_cached_list) {
      const int h = m_host_of[r];
      const bool caller_saved =
          std::find(kCallerSaved.begin(), kCallerSaved.end(), h) != kCallerSaved.end();
      if (caller_saved && std::find(regs.begin(), regs.end(), h) == regs.end()) {
        regs.push_back(h);
      }
    }
    return regs;
  }

  void save(const std::vector<int>& regs) {
    for (int r : regs) m_gen.mov(m_gen.qword[m_gen.rsp + 8 * spill_slot(r)], q(r));
  }
  void restore(const std::vector<int>& regs) {
    for (int r : regs) m_gen.mov(q(r), m_gen.qword[m_gen.rsp + 8 * spill_slot(r)]);
  }

  void call(const void* fn) {
    m_gen.mov(m_gen.rax, reinterpret_cast<uint64_t>(fn));
    m_gen.call(m_gen.rax);
  }

  // Calls C++ that acts for the guest (a slow path, an instruction in the
  // interpreter). If that raised the attention flag (a device access, a CSR
  // write, a code change), the cycle limit drops to 0 so the next check
  // leaves: the checks look at the cycle limit only.
  void call_guest_code(const void* fn) {
    auto& g = m_gen;
    call(fn);
    Label calm;
    g.cmp(g.byte[g.r15 + m_abi.attention], 0);
    g.je(calm);
    g.mov(g.qword[g.r15 + m_abi.cycle_limit], 0);
    g.L(calm);
  }

  // -- guest state --------------------------------------------------------------
  Xbyak::Address guest_reg(unsigned r) {
    const int32_t off = m_abi.regs + int32_t(r * m_abi.reg_bytes);
    return m_abi.reg_bytes == 8 ? m_gen.qword[m_gen.r15 + off] : m_gen.dword[m_gen.r15 + off];
  }
  void load_guest(int host, unsigned r) {
    if (m_abi.reg_bytes == 8) {
      m_gen.mov(q(host), guest_reg(r));
    } else {
      m_gen.mov(d(host), guest_reg(r));
    }
  }
  void store_guest(unsigned r, int host) {
    if (m_abi.reg_bytes == 8) {
      m_gen.mov(guest_reg(r), q(host));
    } else {
      m_gen.mov(guest_reg(r), d(host));
    }
  }
  // At entry, the registers read before written; after the interpreter ran,
  // all of them.
  void load_cached(bool all) {
    for (unsigned r : m_cached_list) {
      if (all || m_needs_load[r]) load_guest(m_host_of[r], r);
    }
  }
  // Writes back the cached registers written so far (the others may not even
  // have been loaded).
  void store_written(const std::vector<bool>& written) {
    for (unsigned r : m_cached_list) {
      if (written[r]) store_guest(r, m_host_of[r]);
    }
  }
  void store_written() { store_written(m_written_now); }

  // -- block entry and exits ----------------------------------------------------
  void emit_entry_checks() { emit_checks(m_bail); }

  // What a chained entry and a region boundary check: one compare. The run
  // loop folds everything else it stops for (the instruction limit, a raised
  // attention flag) into the cycle limit it sets.
  void emit_checks(Label& bail) {
    auto& g = m_gen;
    g.cmp(q(kCycles), g.qword[g.r15 + m_abi.cycle_limit]);
    g.jae(bail, g.T_NEAR);
  }

  void count(size_t instructions, uint32_t cycles) {
    if (instructions != 0) m_gen.add(q(kInstret), uint32_t(instructions));
    if (cycles != 0) m_gen.add(q(kCycles), cycles);
  }

  // Retires instructions up to and including `insn`, beyond those a region
  // boundary already counted.
  void count_through(uint16_t insn) {
    count(insn + 1 - m_counted_insns, m_context.cycles_through[insn] - m_counted_cycles);
  }

  // C++ code reads the counters from the hart (a bus access's time, CSRs).
  void store_counters() {
    m_gen.mov(m_gen.qword[m_gen.r15 + m_abi.instret], q(kInstret));
    m_gen.mov(m_gen.qword[m_gen.r15 + m_abi.cycles], q(kCycles));
  }
  void load_counters() {
    m_gen.mov(q(kInstret), m_gen.qword[m_gen.r15 + m_abi.instret]);
    m_gen.mov(q(kCycles), m_gen.qword[m_gen.r15 + m_abi.cycles]);
  }

  void store_pc(uint64_t pc) {
    auto& g = m_gen;
    if (fits_int32(pc)) {
      g.mov(g.qword[g.r15 + m_abi.pc], pc);
    } else {
      g.mov(g.r10, pc);
      g.mov(g.qword[g.r15 + m_abi.pc], g.r10);
    }
  }

  // Leaves after the whole block retired, for a known target: a jump the run
  // loop patches to go straight to the target's translation (or, for a
  // target on another page when the context forbids that, the jump cache).
  // Only the unchained path stores the pc: a block knows its own.
  void leave_to(uint64_t target, uint16_t insn) {
    auto& g = m_gen;
    count_through(insn);
    if (target == m_context.pc) return loop_back();
    store_written();
    constexpr uint64_t kGuestPageMask = ~uint64_t(0xfff);
    if (!m_context.chain_across_pages && ((target ^ m_context.pc) & kGuestPageMask) != 0) {
      g.mov(g.r10, target);
      return leave_indirect(true);
    }
    g.db(0xE9);  // jmp rel32, to the stub right after until chained
    const uint8_t* site = g.getCurr();
    g.dd(0);
    store_pc(target);
    g.mov(g.rax, reinterpret_cast<uint64_t>(site));
    g.jmp(static_cast<const void*>(m_exit));
  }

  // A block that jumps to itself keeps its registers: after the checks a
  // chained entry makes, it goes straight back to the body.
  void loop_back() {
    auto& g = m_gen;
    m_self_loop_used = true;
    emit_checks(m_self_loop_bail);
    g.jmp(m_body, g.T_NEAR);
  }

  // Leaves for the pc in r10 (already stored unless from_memory): probes the
  // jump cache and goes straight on when the target is translated.
  void leave_indirect(bool store_pc) {
    auto& g = m_gen;
    if (store_pc) g.mov(g.qword[g.r15 + m_abi.pc], g.r10);
    g.mov(g.r11d, g.r10d);
    g.shr(g.r11d, 1);
    g.and_(g.r11d, JumpCache::kEntries - 1);
    g.shl(g.r11d, 4);
    static_assert(sizeof(JumpCache::Entry) == 16);
    JumpCache& cache = m_context.jump_cache != nullptr ? *m_context.jump_cache : m_jump_cache;
    g.mov(g.rax, reinterpret_cast<uint64_t>(&cache.entries[0]));
    g.add(g.r11, g.rax);
    g.xor_(g.eax, g.eax);
    g.cmp(g.r10, g.qword[g.r11]);
    g.jne(static_cast<const void*>(m_exit));
    g.jmp(g.qword[g.r11 + 8]);
  }

  // -- operations -----------------------------------------------------------------
  void emit(uint32_t i) {
    const Inst& inst = m_insts[i];
    switch (inst.op) {
      case Op::kConst:
        return;
      case Op::kGetReg:
        return get_reg(i);
      case Op::kSetReg:
        return set_reg(i);
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kAnd:
      case Op::kOr:
      case Op::kXor:
        return arithmetic(i);
      case Op::kShl:
      case Op::kShr:
      case Op::kSar:
        return shift(i);
      case Op::kDivS:
      case Op::kDivU:
      case Op::kRemS:
      case Op::kRemU:
        return divide(i);
      case Op::kMulHSS:
      case Op::kMulHSU:
      case Op::kMulHUU:
        return multiply_high(i);
      case Op::kEq:
      case Op::kNe:
      case Op::kLtS:
      case Op::kLtU:
      case Op::kLeS:
      case Op::kLeU:
        return compare(i);
      case Op::kNeg:
      case Op::kNot:
      case Op::kBoolNot:
      case Op::kTrunc:
      case Op::kSext:
        return unary(i);
      case Op::kSelect:
        return select(i);
      case Op::kLoad:
        return load(i);
      case Op::kStore:
        return store(i);
      case Op::kCallInterp:
        return call_interpreter(i);
      case Op::kExitIf:
        return exit_if(i);
      case Op::kExit:
        return leave_to(inst.imm, inst.insn);
      case Op::kBoundary:
        return boundary(inst);
      case Op::kExitIndirect: {
        const uint32_t t = inst.args[0];
        if (is_const(t)) {
          return leave_to(const_of(t), inst.insn);
        }
        m_gen.mov(m_gen.r10, q(m_loc[t]));
        store_written();
        count_through(inst.insn);
        return leave_indirect(true);
      }
      case Op::kExitDynamic:
        store_written();
        count_through(inst.insn);
        m_gen.mov(m_gen.r10, m_gen.qword[m_gen.r15 + m_abi.pc]);
        return leave_indirect(false);
      default:
        throw std::runtime_error("unknown IR operation");
    }
  }

  // One basic block of the region retired: count it, and stop where the run
  // loop would have stopped between two translations.
  void boundary(const Inst& inst) {
    count_through(inst.insn);
    m_counted_insns = inst.insn + 1u;
    m_counted_cycles = m_context.cycles_through[inst.insn];
    auto bail = std::make_shared<Label>();
    emit_checks(*bail);
    const std::vector<bool> written = m_written_now;
    const uint64_t next_pc = inst.imm;
    m_out_of_line.push_back([this, bail, written, next_pc] {
      m_gen.L(*bail);
      store_written(written);
      store_pc(next_pc);
      m_gen.xor_(m_gen.eax, m_gen.eax);
      m_gen.jmp(static_cast<const void*>(m_exit));
    });
  }

  void get_reg(uint32_t i) {
    const unsigned r = unsigned(m_insts[i].imm);
    if (m_host_of[r] != kNoReg) {
      m_loc[i] = m_host_of[r];  // an alias, valid until the register is written
      return;
    }
    m_loc[i] = allocate(i);
    load_guest(m_loc[i], r);
  }

  void set_reg(uint32_t j) {
    const Inst& inst = m_insts[j];
    const unsigned r = unsigned(inst.imm);
    const uint32_t v = inst.args[0];
    const int host = m_host_of[r];
    if (host != kNoReg) m_written_now[r] = true;
    if (host == kNoReg) {
      if (is_const(v)) {
        const uint64_t k = const_of(v);
        if (m_abi.reg_bytes == 4 || fits_int32(k)) {
          m_gen.mov(guest_reg(r), m_abi.reg_bytes == 4 ? uint32_t(k) : k);
        } else {
          m_gen.mov(m_gen.r10, k);
          store_guest(r, kR10);
        }
      } else {
        store_guest(r, m_loc[v]);
      }
      return;
    }
    if (!is_const(v) && m_loc[v] == host) return;  // computed in place
    // Values still to be read that alias the old contents move out first.
    for (uint32_t u = 0; u < j; ++u) {
      if (!is_const(u) && m_loc[u] == host && m_last_use[u] > j) {
        const int t = free_temp(j);
        m_gen.mov(q(t), q(host));
        for (uint32_t x = u; x < j; ++x) {
          if (m_loc[x] == host && !is_const(x)) m_loc[x] = t;
        }
        break;
      }
    }
    if (is_const(v)) {
      m_gen.mov(q(host), const_of(v));
    } else {
      m_gen.mov(q(host), q(m_loc[v]));
    }
  }

  // The operation-sized view of a register: 64-bit at width 64, else 32-bit
  // (32-bit operations zero the upper half, which keeps values canonical).
  Xbyak::Reg sized(int r, unsigned width) const {
    if (width == 64) return q(r);
    return d(r);
  }

  // Zero-extends a result of width 1/8/16 computed in a 32-bit register.
  void canonical(int r, unsigned width) {
    if (width == 8) m_gen.movzx(d(r), b(r));
    if (width == 16) m_gen.movzx(d(r), w(r));
    if (width == 1) m_gen.and_(d(r), 1);
  }

  void arith_op(Op op, const Xbyak::Reg& dst, const Xbyak::Operand& src) {
    auto& g = m_gen;
    switch (op) {
      case Op::kAdd:
        g.add(dst, src);
        break;
      case Op::kSub:
        g.sub(dst, src);
        break;
      case Op::kMul:
        g.imul(dst, src);
        break;
      case Op::kAnd:
        g.and_(dst, src);
        break;
      case Op::kOr:
        g.or_(dst, src);
        break;
      case Op::kXor:
        g.xor_(dst, src);
        break;
      default:
        break;
    }
  }

  void arith_imm(Op op, const Xbyak::Reg& dst, uint32_t imm) {
    auto& g = m_gen;
    switch (op) {
      case Op::kAdd:
        g.add(dst, imm);
        break;
      case Op::kSub:
        g.sub(dst, imm);
        break;
      case Op::kMul:
        g.imul(dst, dst, int(imm));
        break;
      case Op::kAnd:
        g.and_(dst, imm);
        break;
      case Op::kOr:
        g.or_(dst, imm);
        break;
      case Op::kXor:
        g.xor_(dst, imm);
        break;
      default:
        break;
    }
  }

  void arithmetic(uint32_t i) {
    const Inst& inst = m_insts[i];
    const unsigned width = inst.width;
    uint32_t a = inst.args[0], c = inst.args[1];
    const bool commutative = inst.op != Op::kSub;
    uint32_t imm = 0;
    if (is_const(a) && commutative) std::swap(a, c);
    const int dst = allocate(i);
    m_loc[i] = dst;
    if (as_imm(c, width, imm)) {
      const int src = reg_of(a, kR10);
      if (src != dst) m_gen.mov(sized(dst, width), sized(src, width));
      arith_imm(inst.op, sized(dst, width), imm);
    } else {
      int src_a = reg_of(a, kR10);
      int src_c = reg_of(c, kR11);
      if (src_c == dst && src_a != dst && commutative) std::swap(src_a, src_c);
      if (src_c == dst && src_a != dst) {
        m_gen.mov(sized(kR11, width), sized(src_a, width));
        arith_op(inst.op, sized(kR11, width), sized(src_c, width));
        m_gen.mov(sized(dst, width), sized(kR11, width));
      } else {
        if (src_a != dst) m_gen.mov(sized(dst, width), sized(src_a, width));
        arith_op(inst.op, sized(dst, width), sized(src_c, width));
      }
    }
    canonical(dst, width);
  }

  // Shifts: the value in r10 (sign-extended first for a narrow arithmetic
  // shift), the amount modulo the width.
  void shift(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    const unsigned width = inst.width;
    const uint32_t a = inst.args[0], c = inst.args[1];
    const int src = reg_of(a, kR10);
    const int dst = allocate(i);
    m_loc[i] = dst;
    const unsigned op_width = width == 64 ? 64 : 32;
    if (is_const(c) && !(inst.op == Op::kSar && width < 32)) {
      // In place: the destination is written after the source is read.
      const Xbyak::Reg out = sized(dst, op_width);
      const int amount = int(const_of(c) % width);
      if (src != dst) g.mov(out, sized(src, op_width));
      if (inst.op == Op::kShl) g.shl(out, amount);
      if (inst.op == Op::kShr) g.shr(out, amount);
      if (inst.op == Op::kSar) g.sar(out, amount);
      canonical(dst, width);
      return;
    }
    if (!is_const(c) && width >= 32 && kHasBmi2) {
      // shlx/shrx/sarx: three operands, the amount in any register taken
      // modulo the width; sources are read before the destination is written.
      const bool wide = op_width == 64;
      auto r = [&](int reg) { return wide ? Xbyak::Reg32e(q(reg)) : Xbyak::Reg32e(d(reg)); };
      if (inst.op == Op::kShl) g.shlx(r(dst), r(src), r(m_loc[c]));
      if (inst.op == Op::kShr) g.shrx(r(dst), r(src), r(m_loc[c]));
      if (inst.op == Op::kSar) g.sarx(r(dst), r(src), r(m_loc[c]));
      return;
    }
    if (inst.op == Op::kSar && width == 8)
      g.movsx(g.r10d, b(src));
    else if (inst.op == Op::kSar && width == 16)
      g.movsx(g.r10d, w(src));
    else
      g.mov(sized(kR10, op_width), sized(src, op_width));
    const Xbyak::Reg value = sized(kR10, op_width);
    if (is_const(c)) {
      const int amount = int(const_of(c) % width);
      if (inst.op == Op::kShl) g.shl(value, amount);
      if (inst.op == Op::kShr) g.shr(value, amount);
      if (inst.op == Op::kSar) g.sar(value, amount);
    } else {
      g.mov(g.r11d, d(m_loc[c]));
      if (width < 32) g.and_(g.r11d, width - 1);
      g.xchg(g.rcx, g.r11);
      if (inst.op == Op::kShl) g.shl(value, g.cl);
      if (inst.op == Op::kShr) g.shr(value, g.cl);
      if (inst.op == Op::kSar) g.sar(value, g.cl);
      g.mov(g.rcx, g.r11);
    }
    g.mov(sized(dst, op_width), value);
    canonical(dst, width);
  }

  // Division keeps RISC-V's rules for zero and overflow: it calls the IR's
  // reference evaluator rather than repeat them in assembly.
  void divide(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    const int a = reg_of(inst.args[0], kR10);
    if (a != kR10) g.mov(g.r10, q(a));
    const int c = reg_of(inst.args[1], kR11);
    if (c != kR11) g.mov(g.r11, q(c));
    const int dst = allocate(i);
    m_loc[i] = dst;
    std::vector<int> live = live_across(i);
    live.erase(std::remove(live.begin(), live.end(), dst), live.end());
    save(live);
    g.mov(g.edi, unsigned(inst.op));
    g.mov(g.esi, unsigned(inst.width));
    g.mov(g.rdx, g.r10);
    g.mov(g.rcx, g.r11);
    g.xor_(g.r8d, g.r8d);
    g.xor_(g.r9d, g.r9d);
    call(reinterpret_cast<const void*>(&evaluate));
    g.mov(g.r10, g.rax);
    restore(live);
    g.mov(q(dst), g.r10);
  }

  void multiply_high(uint32_t i) {
    const Inst& inst = m_insts[i];
    if (inst.width != 32 && inst.width != 64) unsupported("a high multiply at this width");
    auto& g = m_gen;
    const unsigned width = inst.width;
    const int a = reg_of(inst.args[0], kR10);
    if (a != kR10) g.mov(g.r10, q(a));
    const int c = reg_of(inst.args[1], kR11);
    if (c != kR11) g.mov(g.r11, q(c));
    const int dst = allocate(i);
    m_loc[i] = dst;
    if (width == 32) {
      // A 64-bit product of the extended operands holds the whole result.
      if (inst.op != Op::kMulHUU) g.movsxd(g.r10, g.r10d);
      if (inst.op == Op::kMulHSS) g.movsxd(g.r11, g.r11d);
      g.imul(g.r10, g.r11);
      g.shr(g.r10, 32);
      g.mov(d(dst), g.r10d);
      return;
    }
    g.mov(g.qword[g.rsp + 8 * spill_slot(kRax)], g.rax);
    g.mov(g.qword[g.rsp + 8 * spill_slot(kRdx)], g.rdx);
    g.mov(g.rax, g.r10);
    if (inst.op == Op::kMulHSS) {
      g.imul(g.r11);
    } else {
      g.mul(g.r11);
      if (inst.op == Op::kMulHSU) {
        // signed a * unsigned b = unsigned product - (a < 0 ? b << 64 : 0)
        Label positive;
        g.test(g.r10, g.r10);
        g.jns(positive);
        g.sub(g.rdx, g.r11);
        g.L(positive);
      }
    }
    g.mov(g.r10, g.rdx);
    g.mov(g.rax, g.qword[g.rsp + 8 * spill_slot(kRax)]);
    g.mov(g.rdx, g.qword[g.rsp + 8 * spill_slot(kRdx)]);
    g.mov(q(dst), g.r10);
  }

  // Sets the flags for comparison i; returns the x86 condition that holds when
  // the comparison is true.
  enum class Cond { kE, kNe, kL, kB, kLe, kBe };
  Cond emit_compare(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    const unsigned width = inst.width;
    const bool is_signed = inst.op == Op::kLtS || inst.op == Op::kLeS;
    if (is_signed && width == 1) unsupported("a signed comparison of booleans");
    int a = reg_of(inst.args[0], kR10);
    const uint32_t c = inst.args[1];
    const unsigned op_width = width == 64 ? 64 : 32;
    if (is_signed && width < 32) {
      // Narrow signed values are compared sign-extended.
      width == 8 ? g.movsx(g.r10d, b(a)) : g.movsx(g.r10d, w(a));
      a = kR10;
      const int cr = reg_of(c, kR11);
      width == 8 ? g.movsx(g.r11d, b(cr)) : g.movsx(g.r11d, w(cr));
      g.cmp(g.r10d, g.r11d);
    } else {
      uint32_t imm = 0;
      if (as_imm(c, op_width, imm)) {
        g.cmp(sized(a, op_width), imm);
      } else {
        g.cmp(sized(a, op_width), sized(reg_of(c, kR11), op_width));
      }
    }
    switch (inst.op) {
      case Op::kEq:
        return Cond::kE;
      case Op::kNe:
        return Cond::kNe;
      case Op::kLtS:
        return Cond::kL;
      case Op::kLtU:
        return Cond::kB;
      case Op::kLeS:
        return Cond::kLe;
      default:
        return Cond::kBe;
    }
  }

  void compare(uint32_t i) {
    auto& g = m_gen;
    const Cond cond = emit_compare(i);
    const int dst = allocate(i);
    m_loc[i] = dst;
    switch (cond) {
      case Cond::kE:
        g.sete(g.r10b);
        break;
      case Cond::kNe:
        g.setne(g.r10b);
        break;
      case Cond::kL:
        g.setl(g.r10b);
        break;
      case Cond::kB:
        g.setb(g.r10b);
        break;
      case Cond::kLe:
        g.setle(g.r10b);
        break;
      case Cond::kBe:
        g.setbe(g.r10b);
        break;
    }
    g.movzx(d(dst), g.r10b);
  }

  void exit_if(uint32_t e) {
    auto& g = m_gen;
    const uint32_t c = m_insts[e].args[0];
    Label stay;
    if (m_fused[c]) {
      // Jump over the exit when the comparison is false.
      switch (emit_compare(c)) {
        case Cond::kE:
          g.jne(stay, g.T_NEAR);
          break;
        case Cond::kNe:
          g.je(stay, g.T_NEAR);
          break;
        case Cond::kL:
          g.jge(stay, g.T_NEAR);
          break;
        case Cond::kB:
          g.jae(stay, g.T_NEAR);
          break;
        case Cond::kLe:
          g.jg(stay, g.T_NEAR);
          break;
        case Cond::kBe:
          g.ja(stay, g.T_NEAR);
          break;
      }
    } else {
      const int cond = reg_of(c, kR10);
      g.test(d(cond), d(cond));
      g.jz(stay, g.T_NEAR);
    }
    leave_to(m_insts[e].imm, m_insts[e].insn);
    g.L(stay);
  }

  void unary(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    const unsigned width = inst.width;
    if (inst.op == Op::kSext && inst.imm != 8 && inst.imm != 16 && inst.imm != 32) {
      unsupported("sign extension from this width");
    }
    const int src = reg_of(inst.args[0], kR10);
    if (m_free_trunc[i]) {
      m_loc[i] = src;
      return;
    }
    const int dst = allocate(i);
    m_loc[i] = dst;
    switch (inst.op) {
      case Op::kNeg:
      case Op::kNot:
        if (src != dst) g.mov(sized(dst, width), sized(src, width));
        inst.op == Op::kNeg ? g.neg(sized(dst, width)) : g.not_(sized(dst, width));
        canonical(dst, width);
        break;
      case Op::kBoolNot:
        if (src != dst) g.mov(d(dst), d(src));
        g.xor_(d(dst), 1);
        break;
      case Op::kTrunc:
        if (width == 32) g.mov(d(dst), d(src));
        if (width == 16) g.movzx(d(dst), w(src));
        if (width == 8) g.movzx(d(dst), b(src));
        if (width == 1) {
          g.mov(d(dst), d(src));
          g.and_(d(dst), 1);
        }
        break;
      case Op::kSext:
        if (inst.imm == 8) g.movsx(q(dst), b(src));
        if (inst.imm == 16) g.movsx(q(dst), w(src));
        if (inst.imm == 32) g.movsxd(q(dst), d(src));
        if (width < 64) {
          if (width == 32) g.mov(d(dst), d(dst));
          canonical(dst, width);
        }
        break;
      default:
        break;
    }
  }

  void select(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    if (is_const(inst.args[0])) unsupported("a selection on a constant");
    const int cond = m_loc[inst.args[0]];
    const int if_false = reg_of(inst.args[2], kR10);
    if (if_false != kR10) g.mov(g.r10, q(if_false));
    const int if_true = reg_of(inst.args[1], kR11);
    const int dst = allocate(i);
    m_loc[i] = dst;
    g.test(d(cond), d(cond));
    g.cmovnz(g.r10, q(if_true));
    g.mov(q(dst), g.r10);
  }

  // -- memory -----------------------------------------------------------------------
  // Leaves r11 pointing at the TLB entry for the address in r10, and the flags
  // saying whether it matches an access of `size` bytes (the tag holds the
  // page; misaligned addresses never match).
  void tlb_probe(int32_t table, unsigned size, int scratch) {
    auto& g = m_gen;
    g.mov(g.r11, g.r10);
    g.shr(g.r11, int(m_abi.page_bits));
    g.and_(g.r11d, m_abi.tlb_entries - 1);
    g.shl(g.r11d, 4);
    g.lea(g.r11, g.ptr[g.r15 + g.r11 + table]);
    g.mov(q(scratch), g.r10);
    const uint64_t mask = ~((uint64_t(1) << m_abi.page_bits) - 1) | (size - 1);
    g.and_(q(scratch), uint32_t(mask));
    g.cmp(q(scratch), g.qword[g.r11]);
  }

  // The exit for a trap in instruction `insn`: the registers written before
  // it are what the guest state has.
  struct TrapExit {
    std::unique_ptr<Label> label = std::make_unique<Label>();
    std::vector<bool> written;  // cached registers written before the instruction
    unsigned counted_insns = 0;
    uint32_t counted_cycles = 0;
  };
  Label& trap_exit(uint16_t insn) {
    auto it = m_trap_exits.find(insn);
    if (it == m_trap_exits.end()) {
      TrapExit exit;
      exit.written = m_written_now;
      exit.counted_insns = m_counted_insns;
      exit.counted_cycles = m_counted_cycles;
      it = m_trap_exits.emplace(insn, std::move(exit)).first;
    }
    return *it->second.label;
  }

  void load_host(int dst, unsigned size, const Reg64& base, const Reg64& index) {
    auto& g = m_gen;
    switch (size) {
      case 1:
        g.movzx(d(dst), g.byte[base + index]);
        break;
      case 2:
        g.movzx(d(dst), g.word[base + index]);
        break;
      case 4:
        g.mov(d(dst), g.dword[base + index]);
        break;
      default:
        g.mov(q(dst), g.qword[base + index]);
        break;
    }
  }

  void load(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    const unsigned size = unsigned(inst.imm);
    const int addr = reg_of(inst.args[0], kR10);
    if (addr != kR10) g.mov(g.r10, q(addr));
    const int dst = allocate(i);
    m_loc[i] = dst;
    auto slow = std::make_shared<Label>();
    auto done = std::make_shared<Label>();
    auto tlb = std::make_shared<Label>();
    const LoadWindow& window = m_context.window;
    const bool use_window = window.size >= size && fits_int32(0 - window.base) &&
                            window.size - size < (uint64_t(1) << 31);
    if (use_window) {
      // Inside the RAM window the host address is one subtraction away, and
      // a load's latency is not behind a TLB lookup's.
      g.lea(g.r11, g.ptr[g.r10 + int32_t(0 - window.base)]);
      g.cmp(g.r11, uint32_t(window.size - size));
      g.ja(*tlb, g.T_NEAR);
      if (window.aligned_only && size > 1) {
        g.test(g.r10d, size - 1);
        g.jnz(*tlb, g.T_NEAR);
      }
      g.mov(q(dst), reinterpret_cast<uint64_t>(window.host));
      load_host(dst, size, q(dst), g.r11);
    } else {
      g.L(*tlb);
      tlb_probe(m_abi.tlb_read, size, dst);
      g.jne(*slow, g.T_NEAR);
      g.mov(g.r11, g.qword[g.r11 + 8]);
      load_host(dst, size, g.r11, g.r10);
    }
    g.L(*done);
    std::vector<int> live = live_across(i);
    live.erase(std::remove(live.begin(), live.end(), dst), live.end());
    const void* context = m_context.insn_context[inst.insn];
    Label* trapped = &trap_exit(inst.insn);
    m_out_of_line.push_back([this, slow, done, tlb, live, context, size, dst, trapped, use_window] {
      auto& g = m_gen;
      if (use_window) {
        // Outside the window: the TLB.
        g.L(*tlb);
        tlb_probe(m_abi.tlb_read, size, dst);
        g.jne(*slow, g.T_NEAR);
        g.mov(g.r11, g.qword[g.r11 + 8]);
        load_host(dst, size, g.r11, g.r10);
        g.jmp(*done, g.T_NEAR);
      }
      g.L(*slow);
      save(live);
      store_counters();
      g.mov(g.rdx, g.r10);
      g.mov(g.rdi, g.r15);
      g.mov(g.rsi, reinterpret_cast<uint64_t>(context));
      g.mov(g.ecx, size);
      call_guest_code(reinterpret_cast<const void*>(m_abi.load));
      g.mov(g.r10, g.rax);
      g.mov(g.r11, g.rdx);
      restore(live);
      g.test(g.r11, g.r11);
      g.jz(*trapped, g.T_NEAR);
      g.mov(q(dst), g.r10);
      g.jmp(*done, g.T_NEAR);
    });
  }

  void store(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    const unsigned size = unsigned(inst.imm);
    const int addr = reg_of(inst.args[0], kR10);
    if (addr != kR10) g.mov(g.r10, q(addr));
    const uint32_t value = inst.args[1];
    auto slow = std::make_shared<Label>();
    auto done = std::make_shared<Label>();
    // A temporary free at this store: the tag compare's scratch, then the
    // value when it is a wide constant.
    const int scratch = free_temp(i);
    tlb_probe(m_abi.tlb_write, size, scratch);
    g.jne(*slow, g.T_NEAR);
    g.mov(g.r11, g.qword[g.r11 + 8]);
    uint32_t imm = 0;
    const bool is_imm = as_imm(value, size * 8 == 64 ? 64 : 32, imm);
    const int reg = is_imm ? kNoReg : reg_of(value, scratch);
    switch (size) {
      case 1:
        is_imm ? g.mov(g.byte[g.r11 + g.r10], imm & 0xff) : g.mov(g.byte[g.r11 + g.r10], b(reg));
        break;
      case 2:
        is_imm ? g.mov(g.word[g.r11 + g.r10], imm & 0xffff) : g.mov(g.word[g.r11 + g.r10], w(reg));
        break;
      case 4:
        is_imm ? g.mov(g.dword[g.r11 + g.r10], imm) : g.mov(g.dword[g.r11 + g.r10], d(reg));
        break;
      default:
        is_imm ? g.mov(g.qword[g.r11 + g.r10], uint64_t(int64_t(int32_t(imm))))
               : g.mov(g.qword[g.r11 + g.r10], q(reg));
        break;
    }
    g.L(*done);
    const std::vector<int> live = live_across(i);
    const void* context = m_context.insn_context[inst.insn];
    Label* trapped = &trap_exit(inst.insn);
    const bool value_is_const = is_const(value);
    const uint64_t value_const = value_is_const ? const_of(value) : 0;
    const int value_reg = value_is_const ? kNoReg : m_loc[value];
    m_out_of_line.push_back(
        [this, slow, done, live, context, size, trapped, value_is_const, value_const, value_reg] {
          auto& g = m_gen;
          g.L(*slow);
          // r11 (the TLB entry) is free here; the value goes there before
          // the argument registers are loaded.
          if (value_is_const) {
            g.mov(g.r11, value_const);
          } else {
            g.mov(g.r11, q(value_reg));
          }
          save(live);
          store_counters();
          g.mov(g.rdx, g.r10);
          g.mov(g.r8, g.r11);
          g.mov(g.rdi, g.r15);
          g.mov(g.rsi, reinterpret_cast<uint64_t>(context));
          g.mov(g.ecx, size);
          call_guest_code(reinterpret_cast<const void*>(m_abi.store));
          g.mov(g.r10, g.rax);
          restore(live);
          g.test(g.r10, g.r10);
          g.jz(*trapped, g.T_NEAR);
          g.jmp(*done, g.T_NEAR);
        });
  }

  // The instruction runs in the interpreter's generated function, on the
  // guest state in memory.
  void call_interpreter(uint32_t i) {
    const Inst& inst = m_insts[i];
    auto& g = m_gen;
    store_written();
    const uint64_t next = m_context.next_pc[inst.insn];
    if (fits_int32(next)) {
      g.mov(g.qword[g.r15 + m_abi.pc], next);
    } else {
      g.mov(g.r10, next);
      g.mov(g.qword[g.r15 + m_abi.pc], g.r10);
    }
    store_counters();
    g.mov(g.rdi, g.r15);
    g.mov(g.rsi, reinterpret_cast<uint64_t>(m_context.insn_context[inst.insn]));
    call_guest_code(reinterpret_cast<const void*>(m_abi.interpret));
    g.mov(g.r10d, g.eax);
    load_counters();  // a CSR write may have changed them
    load_cached(true);
    g.test(g.r10b, g.r10b);
    g.jz(trap_exit(inst.insn), g.T_NEAR);
  }

  void emit_out_of_line() {
    auto& g = m_gen;
    for (auto& emit_slow_path : m_out_of_line) emit_slow_path();
    // An instruction trapped: the instructions before it retired, and the
    // trap handler's pc is already in the hart.
    for (auto& [insn, exit] : m_trap_exits) {
      g.L(*exit.label);
      store_written(exit.written);
      // The trapping instruction does not retire, but its cycles are spent.
      count(insn - exit.counted_insns, m_context.cycles_through[insn] - exit.counted_cycles);
      g.mov(g.byte[g.r15 + m_abi.attention], 1);
      g.xor_(g.eax, g.eax);
      g.jmp(static_cast<const void*>(m_exit));
    }
    // Entered while the run loop must look at something: nothing ran yet.
    g.L(m_bail);
    store_pc(m_context.pc);
    g.xor_(g.eax, g.eax);
    g.jmp(static_cast<const void*>(m_exit));
    if (m_self_loop_used) {
      g.L(m_self_loop_bail);
      store_written();
      store_pc(m_context.pc);
      g.xor_(g.eax, g.eax);
      g.jmp(static_cast<const void*>(m_exit));
    }
  }

  // cpuid is slow: ask once.
  inline static const bool kHasBmi2 = Xbyak::util::Cpu().has(Xbyak::util::Cpu::tBMI2);
  const GuestAbi& m_abi;
  const IrBlock& m_block;
  const std::vector<Inst>& m_insts;
  const BlockContext& m_context;
  Xbyak::CodeGenerator& m_gen;
  const uint8_t* m_exit;
  JumpCache& m_jump_cache;

  std::vector<int> m_loc;
  std::vector<uint32_t> m_last_use;
  std::vector<unsigned> m_uses;
  std::vector<int> m_hint;
  std::vector<bool> m_fused;
  std::vector<bool> m_free_trunc;  // truncations that only rename their operand
  std::vector<int> m_host_of;
  std::vector<bool> m_written_now;  // cached registers written so far
  std::vector<bool> m_needs_load;   // read before written: loaded at entry
  std::vector<unsigned> m_cached_list;
  unsigned m_cached = 0;
  Label m_bail;
  Label m_body;  // after the entry's register loads
  Label m_self_loop_bail;
  bool m_self_loop_used = false;
  std::map<uint16_t, TrapExit> m_trap_exits;
  // What region boundaries emitted so far have already counted.
  unsigned m_counted_insns = 0;
  uint32_t m_counted_cycles = 0;
  std::vector<std::function<void()>> m_out_of_line;
};

}  // namespace

X86Backend::X86Backend(const GuestAbi& abi, CodeBuffer& buffer, JumpCache& jump_cache)
    : m_abi(abi), m_buffer(buffer), m_jump_cache(jump_cache) {
  emit_trampolines();
}

void X86Backend::emit_trampolines() {
  Xbyak::CodeGenerator g(m_buffer.remaining(), m_buffer.cursor());
  // enter(hart, code): save the callee-saved registers, keep the hart in r15.
  m_enter = reinterpret_cast<EnterFn>(const_cast<uint8_t*>(g.getCurr()));
  g.push(g.rbx);
  g.push(g.rbp);
  g.push(g.r12);
  g.push(g.r13);
  g.push(g.r14);
  g.push(g.r15);
  g.sub(g.rsp, kFrameBytes);
  g.mov(g.r15, g.rdi);
  g.mov(q(kInstret), g.qword[g.r15 + m_abi.instret]);
  g.mov(q(kCycles), g.qword[g.r15 + m_abi.cycles]);
  g.jmp(g.rsi);
  m_exit = g.getCurr();
  g.mov(g.qword[g.r15 + m_abi.instret], q(kInstret));
  g.mov(g.qword[g.r15 + m_abi.cycles], q(kCycles));
  g.add(g.rsp, kFrameBytes);
  g.pop(g.r15);
  g.pop(g.r14);
  g.pop(g.r13);
  g.pop(g.r12);
  g.pop(g.rbp);
  g.pop(g.rbx);
  g.ret();
  m_buffer.commit(g.getSize());
  m_buffer.reserve_prefix();
}

CompiledBlock X86Backend::compile(const IrBlock& block, const BlockContext& context) {
  // A block's code is small; leave it to xbyak to report a full buffer.
  Xbyak::CodeGenerator g(m_buffer.remaining(), m_buffer.cursor());
  CompiledBlock out;
  out.checked = g.getCurr();
  try {
    BlockCompiler compiler(m_abi, block, context, g, m_exit, m_jump_cache);
    out.direct = out.checked + compiler.compile();
    out.cached_regs = compiler.cached_registers();
  } catch (const Xbyak::Error& e) {
    if (int(e) == Xbyak::ERR_CODE_IS_TOO_BIG) return CompiledBlock{};
    throw std::runtime_error(std::string("x86 emission failed: ") + e.what());
  }
  if (g.hasUndefinedLabel()) throw std::runtime_error("x86 emission left a label undefined");
  m_buffer.commit(g.getSize());
  return out;
}

void X86Backend::chain(uint8_t* site, const void* target) {
  const int64_t rel = static_cast<const uint8_t*>(target) - (site + 4);
  const int32_t rel32 = int32_t(rel);
  std::memcpy(site, &rel32, 4);
}

}  // namespace silica::dbt
