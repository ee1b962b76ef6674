#include "traces/analysis/symbolizer.h"

#include <cstdio>

namespace silica::trace {

Symbolizer::Symbolizer(const std::string& elf_path) : m_image(read_elf(elf_path)) {}

const ElfSymbol* Symbolizer::function(uint64_t addr) const {
  return m_image ? m_image->function_at(addr) : nullptr;
}

std::string Symbolizer::describe(uint64_t addr) const {
  const ElfSymbol* s = function(addr);
  if (s == nullptr) return "";
  if (addr == s->address) return s->name;
  char offset[24];
  std::snprintf(offset, sizeof offset, "+0x%llx",
                static_cast<unsigned long long>(addr - s->address));
  return s->name + offset;
}

}  // namespace silica::trace
