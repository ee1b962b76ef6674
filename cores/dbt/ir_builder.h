// Builds a block's IR one guest instruction at a time. The generated front end
// (<isa>_dbt.h) calls it; the translator frames each instruction with
// begin_instruction() and can roll one back when its front-end function
// declines, to call the interpreter for it instead.
//
// Folding happens here, while building: an operation on constants becomes a
// constant, and guest registers written with a constant are remembered as
// such until the block calls out to the interpreter. That is what makes
// operand-field conditions (`if (rd == 0)`) vanish at translation time.
#pragma once

#include <optional>
#include <vector>

#include "cores/dbt/ir.h"

namespace silica::dbt {

class IrBuilder {
 public:
  // reg_width: the guest registers' width (XLEN). zero_register: a register
  // that always reads as zero and ignores writes, or -1.
  IrBuilder(IrBlock& block, unsigned reg_width, int zero_register);

  // Jump targets must be 4-byte aligned (no compressed instructions): such
  // jumps are left to the interpreter, which raises the misaligned trap.
  void set_jump_alignment_check(bool on) { m_check_alignment = on; }

  struct Mark {
    size_t insts;
    std::vector<uint32_t> known;
    std::optional<Value> jump_target;
    bool exit_dynamic;
  };
  void begin_instruction(uint16_t index) { m_insn = index; }
  Mark mark() const { return {m_block.insts.size(), m_known, m_jump_target, m_exit_dynamic}; }
  void rollback(const Mark& mark);

  Value constant(uint64_t value, unsigned width);
  bool is_constant(Value v) const { return inst(v).op == Op::kConst; }
  uint64_t constant_value(Value v) const { return inst(v).imm; }
  unsigned width_of(Value v) const { return inst(v).width; }

  Value get_reg(unsigned reg);
  void set_reg(unsigned reg, Value v);
  Value unary(Op op, unsigned width, Value a);
  Value binary(Op op, unsigned width, Value a, Value b);
  Value select(unsigned width, Value cond, Value if_true, Value if_false);
  // A conversion between integer types: truncation, or extension by the
  // source's signedness.
  Value convert(Value a, unsigned from, bool is_signed, unsigned to);
  Value load(unsigned size, Value addr);
  void store(unsigned size, Value addr, Value value);
  // Control transfer at the end of the current instruction (the block's
  // terminal). false: the jump needs the interpreter (an alignment check).
  bool jump(Value target);
  // Leaves the block for `target` when cond holds (a conditional branch).
  bool exit_if(Value cond, Value target);
  // The whole current instruction runs in the interpreter's function.
  // ends_block: it may change pc, so the block continues at the pc it leaves.
  void call_interpreter(bool ends_block);

  bool has_jump() const { return m_jump_target.has_value(); }
  // Whether the block can go on into the code that follows it (it did not
  // end in an unconditional transfer), and marks where it does.
  bool can_continue() const { return !m_jump_target && !m_exit_dynamic; }
  void boundary(uint64_t next_pc);
  // Appends the terminal: the recorded jump, or the fall-through pc.
  void finish(uint64_t fallthrough_pc);

 private:
  const Inst& inst(Value v) const { return m_block.insts[v.id]; }
  Value append(Op op, unsigned width, std::initializer_list<Value> args, uint64_t imm = 0);
  // Simplifications that keep an operand as the result (x + 0, x & ~0, ...).
  std::optional<Value> simplify(Op op, unsigned width, Value a, Value b) const;

  IrBlock& m_block;
  unsigned m_reg_width;
  int m_zero_register;
  bool m_check_alignment = false;
  uint16_t m_insn = 0;
  std::vector<uint32_t> m_known;  // per guest register: a constant value id, or kNoValue
  std::optional<Value> m_jump_target;
  bool m_exit_dynamic = false;
};

}  // namespace silica::dbt
