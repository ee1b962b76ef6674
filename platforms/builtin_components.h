// The component types silica provides itself (memory and peripherals). Cores
// register their own types from their own code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cores/engine/code_pages.h"
#include "interconnect/memory.h"
#include "platforms/component.h"

namespace silica {

// Registers memory, rom, uart16550, clint, plic, goldfish_rtc, sifive_test and htif
// with the ComponentRegistry. Explicit, because static initializers in a static
// library are dropped when nothing references their object file. Idempotent.
void register_builtin_components();

// Platform types "memory" (RAM) and "rom" (read-only to the guest, filled by
// the loader: the reset vector), both with parameter size=. Exposed so loaders
// and checks can find RAM: the builder requires every initiator to reach one.
class MemoryComponent : public Component {
 public:
  // Writes through the socket reach `code_pages` (may be null).
  MemoryComponent(const std::string& name, uint64_t size, bool read_only = false,
                  CodePages* code_pages = nullptr);
  Memory& memory() { return m_memory; }
  // "" or "socket".
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override;

 private:
  Memory m_memory;
};

}  // namespace silica
