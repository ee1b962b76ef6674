// What a RISC-V hart is configured with: the ISA string's extensions, its id,
// and the choices the specification leaves to implementations.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

#include "riscv_isa.h"

namespace silica::riscv {

struct HartConfig {
  unsigned xlen = 64;
  std::bitset<size_t(Extension::count)> extensions;
  uint64_t hart_id = 0;
  // Misaligned loads and stores: the spec lets an implementation either
  // perform them or trap; QEMU's virt performs them, so silica does by default.
  bool misaligned_traps = false;

  bool has(Extension e) const { return extensions.test(size_t(e)); }
};

// Parses "rv64imac_zicsr_zifencei" (also "rv32i", "rv64g..."): every extension
// must be one described in isa/riscv. Throws std::invalid_argument with a
// message naming the unknown part.
HartConfig parse_isa_string(const std::string& isa);

// The misa register value for a configuration.
uint64_t misa_value(const HartConfig& config);

}  // namespace silica::riscv
