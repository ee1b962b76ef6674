// Names for code addresses from an ELF's symbol table, for the reports of
// silica-trace. Without an ELF every lookup comes back empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "platforms/elf_image.h"

namespace silica::trace {

class Symbolizer {
 public:
  Symbolizer() = default;
  // Reads the ELF; throws silica::ConfigError naming the file.
  explicit Symbolizer(const std::string& elf_path);

  bool empty() const { return !m_image.has_value(); }
  // The code symbol holding addr, or nullptr.
  const ElfSymbol* function(uint64_t addr) const;
  // "name" at the symbol's address, "name+0x1c" inside it, "" when unknown.
  std::string describe(uint64_t addr) const;

 private:
  std::optional<ElfImage> m_image;
};

}  // namespace silica::trace
