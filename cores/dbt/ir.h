// The DBT's intermediate representation: one straight-line list of typed
// operations per translated block, ending in a terminal. Values are the
// results of earlier operations (single assignment); every operation works at
// an explicit bit width and every value is kept zero-extended from its width,
// so widening an unsigned value is free and signedness lives in the opcodes.
//
// The opcode table below is the single definition of the IR: the builder,
// the folding evaluator, the verifier, the printer and the x86-64 back end
// all dispatch on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace silica::dbt {

namespace op_flags {
constexpr uint8_t kPure = 1;      // no effect: removable when unused, foldable
constexpr uint8_t kEffect = 2;    // changes guest state or leaves the block
constexpr uint8_t kMayTrap = 4;   // may raise a guest exception
constexpr uint8_t kTerminal = 8;  // ends the block
}  // namespace op_flags

// X(name, operands, flags). `imm` carries: the constant (Const), the guest
// register (GetReg/SetReg), the source width (Sext), the access size in bytes
// (Load/Store), the target pc (ExitIf/Exit), the next block's pc (Boundary:
// where one basic block of a translated region ends and the next begins; the
// run loop's checks happen there, as between separately translated blocks).
// clang-format off
#define SILICA_DBT_OPS(X) \
  X(Const, 0, kPure)                                \
  X(GetReg, 0, kPure)                               \
  X(SetReg, 1, kEffect)                             \
  X(Add, 2, kPure)                                  \
  X(Sub, 2, kPure)                                  \
  X(Mul, 2, kPure)                                  \
  X(And, 2, kPure)                                  \
  X(Or, 2, kPure)                                   \
  X(Xor, 2, kPure)                                  \
  X(Shl, 2, kPure)                                  \
  X(Shr, 2, kPure)                                  \
  X(Sar, 2, kPure)                                  \
  X(DivS, 2, kPure)                                 \
  X(DivU, 2, kPure)                                 \
  X(RemS, 2, kPure)                                 \
  X(RemU, 2, kPure)                                 \
  X(MulHSS, 2, kPure)                               \
  X(MulHSU, 2, kPure)                               \
  X(MulHUU, 2, kPure)                               \
  X(Eq, 2, kPure)                                   \
  X(Ne, 2, kPure)                                   \
  X(LtS, 2, kPure)                                  \
  X(LtU, 2, kPure)                                  \
  X(LeS, 2, kPure)                                  \
  X(LeU, 2, kPure)                                  \
  X(Neg, 1, kPure)                                  \
  X(Not, 1, kPure)                                  \
  X(BoolNot, 1, kPure)                              \
  X(Trunc, 1, kPure)                                \
  X(Sext, 1, kPure)                                 \
  X(Select, 3, kPure)                               \
  X(Load, 1, kMayTrap)                              \
  X(Store, 2, kEffect | op_flags::kMayTrap)         \
  X(CallInterp, 0, kEffect | op_flags::kMayTrap)    \
  X(ExitIf, 1, kEffect)                             \
  X(Boundary, 0, kEffect)                           \
  X(Exit, 0, kEffect | op_flags::kTerminal)         \
  X(ExitIndirect, 1, kEffect | op_flags::kTerminal) \
  X(ExitDynamic, 0, kEffect | op_flags::kTerminal)
// clang-format on

enum class Op : uint8_t {
#define SILICA_DBT_ENUM(name, args, flags) k##name,
  SILICA_DBT_OPS(SILICA_DBT_ENUM)
#undef SILICA_DBT_ENUM
      kCount
};

struct OpInfo {
  const char* name;
  uint8_t operands;
  uint8_t flags;
};

inline constexpr OpInfo kOpInfo[] = {
#define SILICA_DBT_INFO(name, args, flags) {#name, args, op_flags::flags},
    SILICA_DBT_OPS(SILICA_DBT_INFO)
#undef SILICA_DBT_INFO
};

inline const OpInfo& info(Op op) {
  return kOpInfo[static_cast<unsigned>(op)];
}

constexpr uint32_t kNoValue = ~uint32_t(0);

// A value: the index of the operation that produced it.
struct Value {
  uint32_t id = kNoValue;
  bool valid() const { return id != kNoValue; }
};

struct Inst {
  Op op = Op::kConst;
  uint8_t width = 64;  // bits the operation works at (1, 8, 16, 32, 64)
  uint16_t insn = 0;   // index of the guest instruction it belongs to
  uint32_t args[3] = {kNoValue, kNoValue, kNoValue};
  uint64_t imm = 0;
};

struct IrBlock {
  std::vector<Inst> insts;
  unsigned guest_regs = 32;  // guest registers GetReg/SetReg may name
};

// The meaning of every pure operation, on zero-extended operands; used to
// fold constants and as the reference the back end is tested against.
uint64_t evaluate(Op op, unsigned width, uint64_t a, uint64_t b, uint64_t c, uint64_t imm);
uint64_t truncate(uint64_t value, unsigned width);
uint64_t sign_extend_from(uint64_t value, unsigned width);

// Removes pure operations whose results nothing uses.
void eliminate_dead_code(IrBlock& block);
// Empty when the block is well formed, else what is wrong with it.
std::string verify(const IrBlock& block);
// One operation per line, for debugging and tests.
std::string to_string(const IrBlock& block);

}  // namespace silica::dbt
