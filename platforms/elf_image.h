// A RISC-V executable as the simulator needs it: what to load where, where to
// start, and its symbols (tohost/fromhost, and function names for traces).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tlm>

namespace silica {

class Router;

struct ElfSegment {
  uint64_t address = 0;        // physical load address (p_paddr)
  std::vector<uint8_t> bytes;  // file contents; mem_size - bytes.size() more zero bytes follow
  uint64_t mem_size = 0;
  uint32_t flags = 0;  // PF_R / PF_W / PF_X
};

struct ElfSymbol {
  std::string name;
  uint64_t address = 0;
  // Bytes covered. For code labels without a size (assembly), read_elf uses
  // the distance to the next code symbol or the end of the section.
  uint64_t size = 0;
  bool is_code = false;      // a function, or a label in an executable section
  bool is_function = false;  // STT_FUNC with a size from the compiler
  bool is_global = false;    // global or weak binding
};

class ElfImage {
 public:
  std::string path;
  unsigned xlen = 0;  // 32 or 64, from the ELF class
  uint64_t entry = 0;
  std::vector<ElfSegment> segments;

  // Address of a defined symbol; a global binding wins over local ones.
  std::optional<uint64_t> symbol(const std::string& name) const;
  // The code symbol whose extent holds `address`, or nullptr.
  const ElfSymbol* function_at(uint64_t address) const;

  const std::vector<ElfSymbol>& symbols() const { return m_symbols; }
  void set_symbols(std::vector<ElfSymbol> symbols);

 private:
  std::vector<ElfSymbol> m_symbols;
  std::map<std::string, size_t> m_by_name;
  // Indexes of code symbols sorted by address: sized functions, and the rest.
  std::vector<size_t> m_functions;
  std::vector<size_t> m_labels;
};

// Reads and validates an executable. Throws ConfigError naming the file when it
// cannot be read, is not an ELF, is not RISC-V, or is truncated/malformed.
ElfImage read_elf(const std::string& path);

// Writes a debug transaction somewhere; returns the bytes actually transferred.
using DebugTransport = std::function<unsigned(tlm::tlm_generic_payload&)>;

// Writes every segment (with its zero-filled tail) through debug transactions.
// Throws ConfigError "<file>: segment at 0x... (size 0x...) is not backed by
// memory" when part of a segment lands where nothing accepts it.
void load_elf(const ElfImage& image, const DebugTransport& transport);
void load_elf(const ElfImage& image, tlm::tlm_fw_transport_if<>& target);
// Through the system bus; works before elaboration.
void load_elf(const ElfImage& image, Router& bus);

}  // namespace silica
