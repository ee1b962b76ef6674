#include "cores/dbt/ir.h"

#include <sstream>

namespace silica::dbt {

uint64_t truncate(uint64_t value, unsigned width) {
  return width >= 64 ? value : value & ((uint64_t(1) << width) - 1);
}

uint64_t sign_extend_from(uint64_t value, unsigned width) {
  if (width >= 64) return value;
  const uint64_t sign = uint64_t(1) << (width - 1);
  value = truncate(value, width);
  return (value ^ sign) - sign;
}

namespace {
using s128 = __int128;
using u128 = unsigned __int128;

int64_t as_signed(uint64_t v, unsigned width) {
  return int64_t(sign_extend_from(v, width));
}

uint64_t divide(Op op, unsigned w, uint64_t a, uint64_t b) {
  const bool is_rem = op == Op::kRemS || op == Op::kRemU;
  // RISC-V's total division: x/0 = all ones, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0.
  if (truncate(b, w) == 0) return is_rem ? a : truncate(~uint64_t(0), w);
  if (op == Op::kDivU) return a / b;
  if (op == Op::kRemU) return a % b;
  const int64_t sa = as_signed(a, w), sb = as_signed(b, w);
  if (sb == -1 && sa == as_signed(uint64_t(1) << (w - 1), w)) return is_rem ? 0 : a;
  return truncate(uint64_t(is_rem ? sa % sb : sa / sb), w);
}

uint64_t multiply_high(Op op, unsigned w, uint64_t a, uint64_t b) {
  const s128 sa = as_signed(a, w), sb = as_signed(b, w);
  u128 product = 0;
  if (op == Op::kMulHSS) product = u128(sa * sb);
  if (op == Op::kMulHSU) product = u128(sa * s128(b));
  if (op == Op::kMulHUU) product = u128(a) * u128(b);
  return truncate(uint64_t(product >> w), w);
}
}  // namespace

uint64_t evaluate(Op op, unsigned w, uint64_t a, uint64_t b, uint64_t c, uint64_t imm) {
  const unsigned amount = w == 0 ? 0 : unsigned(b % w);
  switch (op) {
    case Op::kConst:
      return truncate(imm, w);
    case Op::kAdd:
      return truncate(a + b, w);
    case Op::kSub:
      return truncate(a - b, w);
    case Op::kMul:
      return truncate(a * b, w);
    case Op::kAnd:
      return a & b;
    case Op::kOr:
      return a | b;
    case Op::kXor:
      return a ^ b;
    case Op::kShl:
      return truncate(a << amount, w);
    case Op::kShr:
      return truncate(a, w) >> amount;
    case Op::kSar:
      return truncate(uint64_t(as_signed(a, w) >> amount), w);
    case Op::kDivS:
    case Op::kDivU:
    case Op::kRemS:
    case Op::kRemU:
      return divide(op, w, a, b);
    case Op::kMulHSS:
    case Op::kMulHSU:
    case Op::kMulHUU:
      return multiply_high(op, w, a, b);
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLtS:
      return as_signed(a, w) < as_signed(b, w);
    case Op::kLtU:
      return a < b;
    case Op::kLeS:
      return as_signed(a, w) <= as_signed(b, w);
    case Op::kLeU:
      return a <= b;
    case Op::kNeg:
      return truncate(uint64_t(0) - a, w);
    case Op::kNot:
      return truncate(~a, w);
    case Op::kBoolNot:
      return a ^ 1;
    case Op::kTrunc:
      return truncate(a, w);
    case Op::kSext:
      return truncate(sign_extend_from(a, unsigned(imm)), w);
    case Op::kSelect:
      return a != 0 ? b : c;
    default:
      return 0;  // not a pure operation
  }
}

void eliminate_dead_code(IrBlock& block) {
  std::vector<Inst>& insts = block.insts;
  std::vector<bool> used(insts.size(), false);
  for (size_t i = insts.size(); i-- > 0;) {
    const Inst& inst = insts[i];
    if ((info(inst.op).flags & op_flags::kPure) != 0 && !used[i]) continue;
    used[i] = true;  // effects (and what they read) always stay
    for (unsigned k = 0; k < info(inst.op).operands; ++k) used[inst.args[k]] = true;
  }
  std::vector<uint32_t> renumber(insts.size(), kNoValue);
  size_t kept = 0;
  for (size_t i = 0; i < insts.size(); ++i) {
    if (!used[i]) continue;
    Inst inst = insts[i];
    for (unsigned k = 0; k < info(inst.op).operands; ++k) inst.args[k] = renumber[inst.args[k]];
    renumber[i] = uint32_t(kept);
    insts[kept++] = inst;
  }
  insts.resize(kept);
}

std::string verify(const IrBlock& block) {
  const std::vector<Inst>& insts = block.insts;
  std::ostringstream err;
  if (insts.empty() || (info(insts.back().op).flags & op_flags::kTerminal) == 0) {
    return "the block does not end in a terminal";
  }
  for (size_t i = 0; i < insts.size(); ++i) {
    const Inst& inst = insts[i];
    const OpInfo& oi = info(inst.op);
    if (unsigned(inst.op) >= unsigned(Op::kCount)) err << "%" << i << ": unknown opcode\n";
    if ((oi.flags & op_flags::kTerminal) != 0 && i + 1 != insts.size()) {
      err << "%" << i << ": terminal " << oi.name << " before the end\n";
    }
    if (inst.width != 1 && inst.width != 8 && inst.width != 16 && inst.width != 32 &&
        inst.width != 64) {
      err << "%" << i << ": width " << unsigned(inst.width) << "\n";
    }
    if ((inst.op == Op::kGetReg || inst.op == Op::kSetReg) && inst.imm >= block.guest_regs) {
      err << "%" << i << ": register " << inst.imm << " out of range\n";
    }
    for (unsigned k = 0; k < 3; ++k) {
      const bool expected = k < oi.operands;
      const uint32_t a = inst.args[k];
      if (!expected && a != kNoValue) err << "%" << i << ": extra operand " << k << "\n";
      if (!expected) continue;
      if (a >= i) {
        err << "%" << i << ": operand " << k << " is not defined before its use\n";
      } else if ((info(insts[a].op).flags & (op_flags::kPure)) == 0 && insts[a].op != Op::kLoad) {
        err << "%" << i << ": operand " << k << " (%" << a << ") produces no value\n";
      }
    }
  }
  return err.str();
}

std::string to_string(const IrBlock& block) {
  std::ostringstream out;
  for (size_t i = 0; i < block.insts.size(); ++i) {
    const Inst& inst = block.insts[i];
    const OpInfo& oi = info(inst.op);
    out << "%" << i << " = " << oi.name << "." << unsigned(inst.width);
    for (unsigned k = 0; k < oi.operands; ++k) out << " %" << inst.args[k];
    if (inst.op == Op::kConst || inst.op == Op::kExit || inst.op == Op::kExitIf ||
        inst.op == Op::kBoundary) {
      out << " 0x" << std::hex << inst.imm << std::dec;
    } else if (inst.imm != 0) {
      out << " [" << inst.imm << "]";
    }
    out << "  ; insn " << inst.insn << "\n";
  }
  return out.str();
}

}  // namespace silica::dbt
