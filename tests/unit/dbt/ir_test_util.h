// Helpers shared by the DBT unit tests: writing IR by hand (no folding, so a
// test gets exactly the operations it asks for) and the operand values worth
// trying at each width.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "cores/dbt/ir.h"

namespace silica::dbt::test {

inline uint64_t mask_of(unsigned width) {
  return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
}
inline uint64_t sign_of(unsigned width) {
  return uint64_t(1) << (width - 1);
}

// Appends operations to a block exactly as written.
class RawIr {
 public:
  explicit RawIr(unsigned guest_regs = 32) { block.guest_regs = guest_regs; }

  void begin_instruction(uint16_t index) { m_insn = index; }
  uint32_t add(Op op, unsigned width, std::initializer_list<uint32_t> args = {}, uint64_t imm = 0) {
    Inst inst;
    inst.op = op;
    inst.width = uint8_t(width);
    inst.insn = m_insn;
    inst.imm = imm;
    unsigned k = 0;
    for (uint32_t a : args) inst.args[k++] = a;
    block.insts.push_back(inst);
    return uint32_t(block.insts.size() - 1);
  }
  uint32_t constant(uint64_t value, unsigned width) {
    return add(Op::kConst, width, {}, truncate(value, width));
  }
  uint32_t get(unsigned reg, unsigned width) { return add(Op::kGetReg, width, {}, reg); }
  void set(unsigned reg, uint32_t value, unsigned width) { add(Op::kSetReg, width, {value}, reg); }
  void exit(uint64_t pc, unsigned width = 64) { add(Op::kExit, width, {}, pc); }

  IrBlock block;

 private:
  uint16_t m_insn = 0;
};

// Canonical (zero-extended) operands at `width`: the edge cases of two's
// complement arithmetic, shift amounts around the width, and random values.
inline std::vector<uint64_t> interesting_values(unsigned width, std::mt19937_64& rng,
                                                unsigned random_count) {
  const uint64_t m = mask_of(width);
  std::vector<uint64_t> out;
  if (width == 1) return {0, 1};
  const uint64_t sign = sign_of(width);
  for (uint64_t v :
       {uint64_t(0), uint64_t(1), uint64_t(2), uint64_t(3), m, m - 1, sign, sign + 1, sign - 1,
        uint64_t(0x5555555555555555), uint64_t(0xaaaaaaaaaaaaaaaa), uint64_t(width - 1),
        uint64_t(width), uint64_t(width + 1), uint64_t(2 * width - 1)}) {
    out.push_back(v & m);
  }
  for (unsigned i = 0; i < random_count; ++i) out.push_back(rng() & m);
  return out;
}

}  // namespace silica::dbt::test
