// Timing models decide how long retired instructions take; they never change
// what the instructions do. The engine asks the model for each instruction's
// static cost when it decodes it and charges it when the instruction retires,
// so the simplest model costs nothing at run time. Detailed models (pipelines,
// caches) will plug in here by observing the retired stream.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "riscv_isa.h"

namespace silica::riscv {

class TimingModel {
 public:
  virtual ~TimingModel() = default;
  virtual std::string name() const = 0;
  // Cycles charged when an instruction of this class retires.
  virtual uint8_t cycles_for(InsnClass iclass) const = 0;
};

// Charges a fixed cost per instruction class. The defaults come from the
// `class NAME cycles=N` lines of isa/riscv/base.isa.
class ClassCostModel final : public TimingModel {
 public:
  ClassCostModel();
  std::string name() const override { return "class-cost"; }
  uint8_t cycles_for(InsnClass iclass) const override { return m_cycles[size_t(iclass)]; }
  void set_cycles(InsnClass iclass, uint8_t cycles) { m_cycles[size_t(iclass)] = cycles; }

 private:
  std::array<uint8_t, size_t(InsnClass::count)> m_cycles{};
};

}  // namespace silica::riscv
