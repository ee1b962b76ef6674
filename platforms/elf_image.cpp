#include "platforms/elf_image.h"
#include "interconnect/tlm_helpers.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <limits>

#include "interconnect/router.h"
#include "platforms/component.h"
#include "platforms/host_file.h"

namespace silica {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what);
}

std::string libelf_error() {
  const char* message = elf_errmsg(-1);
  return message != nullptr ? message : "unknown libelf error";
}

const char* machine_name(unsigned machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86-64";
    case EM_386:
      return "i386";
    case EM_ARM:
      return "ARM";
    case EM_AARCH64:
      return "AArch64";
    case EM_MIPS:
      return "MIPS";
    case EM_PPC64:
      return "PowerPC64";
    default:
      return nullptr;
  }
}

// offset + count * entry_size <= file_size, without overflow.
bool table_fits(uint64_t offset, uint64_t count, uint64_t entry_size, uint64_t file_size) {
  if (offset > file_size) return false;
  if (entry_size != 0 && count > (file_size - offset) / entry_size) return false;
  return true;
}

class ElfHandle {
 public:
  explicit ElfHandle(Elf* elf) : m_elf(elf) {}
  ~ElfHandle() { elf_end(m_elf); }
  ElfHandle(const ElfHandle&) = delete;
  ElfHandle& operator=(const ElfHandle&) = delete;
  Elf* get() const { return m_elf; }

 private:
  Elf* m_elf;
};

void read_segments(const std::string& path, Elf* elf, const GElf_Ehdr& header,
                   const std::vector<uint8_t>& file, ElfImage& image) {
  const uint64_t file_size = file.size();
  size_t count = 0;
  if (elf_getphdrnum(elf, &count) != 0) fail(path, "malformed program headers: " + libelf_error());
  if (!table_fits(header.e_phoff, count, header.e_phentsize, file_size)) {
    fail(path, "truncated: program headers extend beyond the end of the file");
  }
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf, static_cast<int>(i), &phdr) == nullptr) {
      fail(path, "malformed program header " + std::to_string(i) + ": " + libelf_error());
    }
    if (phdr.p_type != PT_LOAD || phdr.p_memsz == 0) continue;
    const std::string what = "segment " + std::to_string(i) + " at " + hex(phdr.p_paddr);
    if (phdr.p_filesz > phdr.p_memsz) fail(path, what + ": file size exceeds memory size");
    if (phdr.p_offset > file_size || phdr.p_filesz > file_size - phdr.p_offset) {
      fail(path, what + " (file offset " + hex(phdr.p_offset) + ", size " + hex(phdr.p_filesz) +
                     ") extends beyond the end of the file (" + hex(file_size) + " bytes)");
    }
    if (phdr.p_memsz - 1 > std::numeric_limits<uint64_t>::max() - phdr.p_paddr) {
      fail(path, what + " wraps around the address space");
    }
    ElfSegment segment;
    segment.address = phdr.p_paddr;
    segment.mem_size = phdr.p_memsz;
    segment.flags = phdr.p_flags;
    const uint8_t* contents = file.data() + phdr.p_offset;
    segment.bytes.assign(contents, contents + phdr.p_filesz);
    image.segments.push_back(std::move(segment));
  }
  if (image.segments.empty()) fail(path, "no loadable segments");
}

struct SectionInfo {
  uint64_t start = 0;
  uint64_t end = 0;
  bool executable = false;
};

void read_symbols(const std::string& path, Elf* elf, const GElf_Ehdr& header, uint64_t file_size,
                  ElfImage& image) {
  if (header.e_shoff == 0) return;  // no section headers: no symbols, still loadable
  // libelf quietly reports no sections when their table is cut off, so check
  // the header's own count first (0 means the extended count, read below).
  if (!table_fits(header.e_shoff, std::max<uint64_t>(header.e_shnum, 1), header.e_shentsize,
                  file_size)) {
    fail(path, "truncated: section headers extend beyond the end of the file");
  }
  size_t count = 0;
  if (elf_getshdrnum(elf, &count) != 0) fail(path, "malformed section headers: " + libelf_error());
  if (!table_fits(header.e_shoff, count, header.e_shentsize, file_size)) {
    fail(path, "truncated: section headers extend beyond the end of the file");
  }
  std::vector<SectionInfo> sections(count);
  Elf_Scn* symtab = nullptr;
  Elf_Scn* dynsym = nullptr;
  for (size_t i = 0; i < count; ++i) {
    Elf_Scn* section = elf_getscn(elf, i);
    GElf_Shdr shdr;
    if (section == nullptr || gelf_getshdr(section, &shdr) == nullptr) {
      fail(path, "malformed section header " + std::to_string(i) + ": " + libelf_error());
    }
    if (shdr.sh_type != SHT_NOBITS &&
        (shdr.sh_offset > file_size || shdr.sh_size > file_size - shdr.sh_offset)) {
      fail(path, "truncated: section " + std::to_string(i) + " extends beyond the end of the file");
    }
    sections[i] = {shdr.sh_addr, shdr.sh_addr + shdr.sh_size, (shdr.sh_flags & SHF_EXECINSTR) != 0};
    if (shdr.sh_type == SHT_SYMTAB) symtab = section;
    if (shdr.sh_type == SHT_DYNSYM) dynsym = section;
  }
  Elf_Scn* table = symtab != nullptr ? symtab : dynsym;
  if (table == nullptr) return;

  GElf_Shdr shdr;
  gelf_getshdr(table, &shdr);
  Elf_Data* data = elf_getdata(table, nullptr);
  const size_t entry_size = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
  if (data == nullptr || entry_size == 0) fail(path, "malformed symbol table: " + libelf_error());
  const size_t symbol_count = data->d_size / entry_size;

  std::vector<ElfSymbol> symbols;
  std::vector<uint64_t> section_end;  // per symbol: where an unsized label must stop
  for (size_t i = 1; i < symbol_count; ++i) {
    GElf_Sym sym;
    if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) {
      fail(path, "malformed symbol " + std::to_string(i) + ": " + libelf_error());
    }
    const unsigned type = GELF_ST_TYPE(sym.st_info);
    if (sym.st_shndx == SHN_UNDEF || sym.st_name == 0) continue;
    if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
    const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
    if (name == nullptr) fail(path, "malformed symbol name " + std::to_string(i));
    // RISC-V mapping symbols ($x, $d) and assembler-local labels say nothing useful.
    if (name[0] == '$' || std::strncmp(name, ".L", 2) == 0) continue;
    const bool in_section = sym.st_shndx < count;
    ElfSymbol symbol;
    symbol.name = name;
    symbol.address = sym.st_value;
    symbol.size = sym.st_size;
    symbol.is_code =
        type == STT_FUNC || (type == STT_NOTYPE && in_section && sections[sym.st_shndx].executable);
    symbol.is_function = type == STT_FUNC && sym.st_size != 0;
    symbol.is_global = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
    section_end.push_back(in_section ? sections[sym.st_shndx].end : symbol.address);
    symbols.push_back(std::move(symbol));
  }

  // Assembly labels carry no size: they run until the next code symbol or the
  // end of their section, whichever comes first.
  std::vector<size_t> code;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i].is_code) code.push_back(i);
  }
  std::sort(code.begin(), code.end(),
            [&](size_t a, size_t b) { return symbols[a].address < symbols[b].address; });
  for (size_t k = 0; k < code.size(); ++k) {
    ElfSymbol& s = symbols[code[k]];
    if (s.size != 0) continue;
    uint64_t end = std::max(section_end[code[k]], s.address);
    for (size_t j = k + 1; j < code.size(); ++j) {
      if (symbols[code[j]].address > s.address) {
        end = std::min(end, symbols[code[j]].address);
        break;
      }
    }
    s.size = end - s.address;
  }
  image.set_symbols(std::move(symbols));
}

}  // namespace

ElfImage read_elf(const std::string& path) {
  // Read whole: libelf then parses from memory, and every offset can be
  // checked against the real file size.
  std::vector<uint8_t> bytes = read_whole_file(path);
  if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) {
    fail(path, "not an ELF file");
  }
  // Checked before libelf, which calls a short file "not ELF" at all.
  const unsigned char elf_class = static_cast<unsigned char>(bytes[EI_CLASS]);
  if (elf_class != ELFCLASS32 && elf_class != ELFCLASS64) fail(path, "unknown ELF class");
  if (bytes.size() < (elf_class == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr))) {
    fail(path, "truncated or malformed ELF header");
  }
  if (bytes[EI_DATA] != ELFDATA2LSB)
    fail(path, "not a little-endian ELF (RISC-V is little-endian)");
  if (elf_version(EV_CURRENT) == EV_NONE) fail(path, "libelf is unusable: " + libelf_error());
  ElfHandle elf(elf_memory(reinterpret_cast<char*>(bytes.data()), bytes.size()));
  if (elf.get() == nullptr || elf_kind(elf.get()) != ELF_K_ELF) fail(path, "not an ELF file");

  ElfImage image;
  image.path = path;
  image.xlen = elf_class == ELFCLASS32 ? 32 : 64;

  GElf_Ehdr header;
  if (gelf_getehdr(elf.get(), &header) == nullptr) {
    fail(path, "truncated or malformed ELF header");
  }
  if (header.e_machine != EM_RISCV) {
    const char* machine = machine_name(header.e_machine);
    fail(path, std::string("not a RISC-V executable (machine: ") +
                   (machine != nullptr ? machine : std::to_string(header.e_machine).c_str()) + ")");
  }
  if (header.e_type == ET_REL) fail(path, "a relocatable object (.o), not an executable");
  if (header.e_type != ET_EXEC && header.e_type != ET_DYN) fail(path, "not an executable");
  image.entry = header.e_entry;

  read_segments(path, elf.get(), header, bytes, image);
  read_symbols(path, elf.get(), header, bytes.size(), image);
  return image;
}

std::optional<uint64_t> ElfImage::symbol(const std::string& name) const {
  auto it = m_by_name.find(name);
  if (it == m_by_name.end()) return std::nullopt;
  return m_symbols[it->second].address;
}

const ElfSymbol* ElfImage::function_at(uint64_t address) const {
  // Sized functions first: a label inside a function must not hide it.
  for (const std::vector<size_t>* list : {&m_functions, &m_labels}) {
    auto next = std::upper_bound(list->begin(), list->end(), address,
                                 [this](uint64_t a, size_t i) { return a < m_symbols[i].address; });
    if (next == list->begin()) continue;
    const ElfSymbol& s = m_symbols[*std::prev(next)];
    if (address - s.address < s.size) return &s;
  }
  return nullptr;
}

void ElfImage::set_symbols(std::vector<ElfSymbol> symbols) {
  m_symbols = std::move(symbols);
  m_by_name.clear();
  m_functions.clear();
  m_labels.clear();
  for (size_t i = 0; i < m_symbols.size(); ++i) {
    const ElfSymbol& s = m_symbols[i];
    auto [it, inserted] = m_by_name.emplace(s.name, i);
    if (!inserted && s.is_global && !m_symbols[it->second].is_global) it->second = i;
    if (s.is_code) (s.is_function ? m_functions : m_labels).push_back(i);
  }
  auto by_address = [this](size_t a, size_t b) {
    return m_symbols[a].address < m_symbols[b].address;
  };
  std::stable_sort(m_functions.begin(), m_functions.end(), by_address);
  std::stable_sort(m_labels.begin(), m_labels.end(), by_address);
}

namespace {

constexpr unsigned kChunk = 64 * 1024;

void write_through(const ElfImage& image, const ElfSegment& segment,
                   const DebugTransport& transport, uint64_t address, const uint8_t* data,
                   uint64_t length, bool repeat_data) {
  tlm::tlm_generic_payload trans;
  while (length > 0) {
    const auto chunk = static_cast<unsigned>(std::min<uint64_t>(length, kChunk));
    prepare_payload(trans, tlm::TLM_WRITE_COMMAND, address, const_cast<uint8_t*>(data), chunk);
    const unsigned done = std::min(transport(trans), chunk);
    if (done == 0) {
      throw ConfigError(image.path + ": segment at " + hex(segment.address) + " (size " +
                        hex(segment.mem_size) + ") is not backed by memory (nothing at " +
                        hex(address) + ")");
    }
    address += done;
    length -= done;
    if (!repeat_data) data += done;
  }
}

}  // namespace

void load_elf(const ElfImage& image, const DebugTransport& transport) {
  static const std::array<uint8_t, kChunk> zeros{};
  for (const ElfSegment& segment : image.segments) {
    write_through(image, segment, transport, segment.address, segment.bytes.data(),
                  segment.bytes.size(), false);
    write_through(image, segment, transport, segment.address + segment.bytes.size(), zeros.data(),
                  segment.mem_size - segment.bytes.size(), true);
  }
}

void load_elf(const ElfImage& image, tlm::tlm_fw_transport_if<>& target) {
  load_elf(image,
           [&target](tlm::tlm_generic_payload& trans) { return target.transport_dbg(trans); });
}

void load_elf(const ElfImage& image, Router& bus) {
  load_elf(image, [&bus](tlm::tlm_generic_payload& trans) { return bus.debug_transport(trans); });
}

}  // namespace silica
