#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "cores/riscv/hart_config.h"

namespace silica::riscv {
namespace {

int find_extension(const std::string& name) {
  for (size_t i = 0; i < size_t(Extension::count); ++i) {
    std::string known = kExtensionNames[i];
    std::transform(known.begin(), known.end(), known.begin(), ::tolower);
    if (known == name) return int(i);
  }
  return -1;
}

void enable(HartConfig& config, const std::string& name, const std::string& isa) {
  int index = find_extension(name);
  if (index < 0) {
    std::string known;
    for (const char* n : kExtensionNames) known += std::string(known.empty() ? "" : " ") + n;
    throw std::invalid_argument("ISA '" + isa + "': extension '" + name +
                                "' is not described in isa/riscv (described: " + known + ")");
  }
  config.extensions.set(size_t(index));
}

}  // namespace

HartConfig parse_isa_string(const std::string& isa_in) {
  std::string isa = isa_in;
  std::transform(isa.begin(), isa.end(), isa.begin(), ::tolower);
  HartConfig config;
  if (isa.rfind("rv32", 0) == 0) {
    config.xlen = 32;
  } else if (isa.rfind("rv64", 0) == 0) {
    config.xlen = 64;
  } else {
    throw std::invalid_argument("ISA '" + isa_in + "' must start with rv32 or rv64");
  }
  std::string rest = isa.substr(4);
  size_t underscore = rest.find('_');
  std::string letters = rest.substr(0, underscore);
  if (letters.empty() || (letters[0] != 'i' && letters[0] != 'g' && letters[0] != 'e')) {
    throw std::invalid_argument("ISA '" + isa_in + "' must name a base: i or g");
  }
  for (char c : letters) {
    if (c == 'g') {
      for (const char* e : {"i", "m", "a", "f", "d", "zicsr", "zifencei"})
        enable(config, e, isa_in);
    } else {
      enable(config, std::string(1, c), isa_in);
    }
  }
  while (underscore != std::string::npos) {
    size_t next = rest.find('_', underscore + 1);
    std::string name = rest.substr(underscore + 1, next - underscore - 1);
    if (!name.empty()) enable(config, name, isa_in);
    underscore = next;
  }
  // The privileged architecture is always there: every hart has M, S and U
  // modes (with Sv32 or Sv39/48/57, PMP) and Sstc, as QEMU's virt harts do.
  for (Extension e : {Extension::Sm, Extension::S, Extension::U, Extension::Sstc}) {
    config.extensions.set(size_t(e));
  }
  return config;
}

uint64_t misa_value(const HartConfig& config) {
  uint64_t value = 0;
  for (size_t i = 0; i < size_t(Extension::count); ++i) {
    const char* name = kExtensionNames[i];
    if (config.extensions.test(i) && name[1] == '\0' && name[0] >= 'A' && name[0] <= 'Z') {
      value |= uint64_t(1) << (name[0] - 'A');
    }
  }
  uint64_t mxl = config.xlen == 64 ? 2 : 1;
  return value | (mxl << (config.xlen - 2));
}

}  // namespace silica::riscv
