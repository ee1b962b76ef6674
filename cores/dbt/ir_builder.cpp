#include "cores/dbt/ir_builder.h"

namespace silica::dbt {

IrBuilder::IrBuilder(IrBlock& block, unsigned reg_width, int zero_register)
    : m_block(block),
      m_reg_width(reg_width),
      m_zero_register(zero_register),
      m_known(block.guest_regs, kNoValue) {}

void IrBuilder::rollback(const Mark& mark) {
  m_block.insts.resize(mark.insts);
  m_known = mark.known;
  m_jump_target = mark.jump_target;
  m_exit_dynamic = mark.exit_dynamic;
}

Value IrBuilder::append(Op op, unsigned width, std::initializer_list<Value> args, uint64_t imm) {
  Inst inst;
  inst.op = op;
  inst.width = uint8_t(width);
  inst.insn = m_insn;
  inst.imm = imm;
  unsigned k = 0;
  for (Value a : args) inst.args[k++] = a.id;
  m_block.insts.push_back(inst);
  return Value{uint32_t(m_block.insts.size() - 1)};
}

Value IrBuilder::constant(uint64_t value, unsigned width) {
  return append(Op::kConst, width, {}, truncate(value, width));
}

Value IrBuilder::get_reg(unsigned reg) {
  if (int(reg) == m_zero_register) return constant(0, m_reg_width);
  if (m_known[reg] != kNoValue) return Value{m_known[reg]};
  return append(Op::kGetReg, m_reg_width, {}, reg);
}

void IrBuilder::set_reg(unsigned reg, Value v) {
  if (int(reg) == m_zero_register) return;
  m_known[reg] = is_constant(v) ? v.id : kNoValue;
  append(Op::kSetReg, m_reg_width, {v}, reg);
}

std::optional<Value> IrBuilder::simplify(Op op, unsigned width, Value a, Value b) const {
  // Keeping `a` as the result is only right if it is no wider than the result.
  if (!is_constant(b) || width_of(a) > width) return std::nullopt;
  const uint64_t k = constant_value(b);
  switch (op) {
    case Op::kAdd:
    case Op::kSub:
    case Op::kOr:
    case Op::kXor:
    case Op::kShl:
    case Op::kShr:
    case Op::kSar:
      if (k == 0) return a;
      break;
    case Op::kAnd:
      if (k == truncate(~uint64_t(0), width)) return a;
      break;
    case Op::kMul:
      if (k == 1) return a;
      break;
    default:
      break;
  }
  return std::nullopt;
}

Value IrBuilder::unary(Op op, unsigned width, Value a) {
  if (is_constant(a)) return constant(evaluate(op, width, constant_value(a), 0, 0, 0), width);
  return append(op, width, {a});
}

Value IrBuilder::binary(Op op, unsigned width, Value a, Value b) {
  if (is_constant(a) && is_constant(b)) {
    // Comparisons produce a u1 whatever width they compare at.
    const unsigned result_width = (op >= Op::kEq && op <= Op::kLeU) ? 1 : width;
    return constant(evaluate(op, width, constant_value(a), constant_value(b), 0, 0), result_width);
  }
  if (auto same = simplify(op, width, a, b)) return *same;
  return append(op, width, {a, b});
}

Value IrBuilder::select(unsigned width, Value cond, Value if_true, Value if_false) {
  if (is_constant(cond)) return constant_value(cond) != 0 ? if_true : if_false;
  return append(Op::kSelect, width, {cond, if_true, if_false});
}

Value IrBuilder::convert(Value a, unsigned from, bool is_signed, unsigned to) {
  if (to == from || (to > from && !is_signed)) return a;  // zero-extended already
  if (to < from) return unary(Op::kTrunc, to, a);
  if (is_constant(a)) return constant(sign_extend_from(constant_value(a), from), to);
  return append(Op::kSext, to, {a}, from);
}

Value IrBuilder::load(unsigned size, Value addr) {
  return append(Op::kLoad, size * 8, {addr}, size);
}

void IrBuilder::store(unsigned size, Value addr, Value value) {
  append(Op::kStore, size * 8, {addr, value}, size);
}

bool IrBuilder::jump(Value target) {
  if (m_check_alignment && (!is_constant(target) || (constant_value(target) & 2) != 0)) {
    return false;
  }
  m_jump_target = target;
  return true;
}

bool IrBuilder::exit_if(Value cond, Value target) {
  if (is_constant(cond)) return constant_value(cond) == 0 || jump(target);
  if (!is_constant(target)) return false;
  if (m_check_alignment && (constant_value(target) & 2) != 0) return false;
  append(Op::kExitIf, m_reg_width, {cond}, constant_value(target));
  return true;
}

void IrBuilder::call_interpreter(bool ends_block) {
  append(Op::kCallInterp, m_reg_width, {});
  // The interpreter may have written any register.
  std::fill(m_known.begin(), m_known.end(), kNoValue);
  m_exit_dynamic |= ends_block;
}

void IrBuilder::boundary(uint64_t next_pc) {
  append(Op::kBoundary, m_reg_width, {}, next_pc);
}

void IrBuilder::finish(uint64_t fallthrough_pc) {
  if (m_jump_target) {
    if (is_constant(*m_jump_target)) {
      append(Op::kExit, m_reg_width, {}, constant_value(*m_jump_target));
    } else {
      append(Op::kExitIndirect, m_reg_width, {*m_jump_target});
    }
  } else if (m_exit_dynamic) {
    append(Op::kExitDynamic, m_reg_width, {});
  } else {
    append(Op::kExit, m_reg_width, {}, fallthrough_pc);
  }
}

}  // namespace silica::dbt
