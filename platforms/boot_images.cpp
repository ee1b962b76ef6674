#include "platforms/boot_images.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "interconnect/router.h"
#include "interconnect/tlm_helpers.h"
#include "platforms/builtin_components.h"
#include "platforms/device_tree.h"
#include "platforms/host_file.h"

namespace silica {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t k3GiB = 3072 * kMiB;

// OpenSBI's include/sbi/fw_dynamic.h: six longs (XLEN bits each).
constexpr uint64_t kFwDynamicMagic = 0x4942534f;  // "OSBI"
constexpr uint64_t kFwDynamicVersion = 2;         // version 2 has boot_hart
constexpr uint64_t kFwDynamicNextModeS = 1;

// The reset vector's layout: six instructions, the start address and the
// device tree address (64-bit slots, as QEMU's), then fw_dynamic_info.
constexpr uint64_t kStartSlot = 24;
constexpr uint64_t kDtbSlot = 32;
constexpr uint64_t kInfoOffset = 40;

uint64_t align_up(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint64_t read_le(const std::vector<uint8_t>& bytes, size_t offset, unsigned size) {
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint64_t(bytes[offset + i]) << (8 * i);
  return value;
}

void put_le(std::vector<uint8_t>& bytes, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) bytes.push_back(uint8_t(value >> (8 * i)));
}

// The Linux RISC-V Image header (Documentation/riscv/boot-image-header.rst):
// image_size at 16, magic "RISCV\0\0\0" at 48, magic2 "RSC\x05" at 56.
std::optional<uint64_t> linux_image_size(const std::vector<uint8_t>& bytes) {
  static constexpr uint8_t kMagic[8] = {'R', 'I', 'S', 'C', 'V', 0, 0, 0};
  static constexpr uint8_t kMagic2[4] = {'R', 'S', 'C', 0x05};
  if (bytes.size() < 64) return std::nullopt;
  if (std::memcmp(bytes.data() + 48, kMagic, sizeof kMagic) != 0 ||
      std::memcmp(bytes.data() + 56, kMagic2, sizeof kMagic2) != 0) {
    return std::nullopt;
  }
  return read_le(bytes, 16, 8);
}

std::string range_text(uint64_t base, uint64_t size) {
  return hex(base) + "-" + hex(base + size - 1);
}

// The RAM the images go to: the lowest-addressed `memory` component.
std::optional<std::pair<uint64_t, uint64_t>> find_mapped(const Platform& platform,
                                                         const std::string& type) {
  std::optional<std::pair<uint64_t, uint64_t>> found;
  for (const Platform::Mapping& m : platform.mappings()) {
    if (platform.components()[m.component].type != type) continue;
    if (!found || m.base < found->first) found = {m.base, m.size};
  }
  return found;
}

}  // namespace

BootFile read_boot_file(const std::string& path, bool may_be_elf) {
  BootFile file;
  file.path = path;
  file.raw = read_whole_file(path);
  if (may_be_elf && file.raw.size() >= 4 &&
      std::memcmp(file.raw.data(),
                  "\x7f"
                  "ELF",
                  4) == 0) {
    file.elf = read_elf(path);
    file.raw.clear();
  } else if (may_be_elf) {
    file.image_size = linux_image_size(file.raw);
  }
  return file;
}

RequestedXlen requested_xlen(const BootOptions& options) {
  if (!options.program.empty()) return {read_elf(options.program).xlen, options.program};
  for (const std::string* path : {&options.bios, &options.kernel}) {
    if (path->empty()) continue;
    BootFile file = read_boot_file(*path, true);
    if (file.elf) return {file.elf->xlen, *path};
  }
  return {};
}

BootPlan::BootPlan(const BootOptions& options, const Platform& platform) {
  if (!options.program.empty() && (!options.bios.empty() || !options.kernel.empty())) {
    throw ConfigError(options.program +
                      ": give either a program or --bios/--kernel, not both (the program is "
                      "loaded as QEMU's -bios none -kernel PROGRAM)");
  }
  if (options.kernel.empty() && (!options.initrd.empty() || options.append)) {
    throw ConfigError(std::string(options.append ? "--append" : "--initrd") +
                      " needs --kernel (as with QEMU)");
  }
  auto ram = find_mapped(platform, "memory");
  if (!ram) throw ConfigError(platform.name() + ": the platform has no RAM (a memory component)");
  m_ram = {ram->first, ram->second};
  lay_out(options, platform);
  check_layout();
}

const ElfImage* BootPlan::symbols() const {
  if (m_program) return &*m_program;
  if (m_bios && m_bios->elf) return &*m_bios->elf;
  if (m_kernel && m_kernel->elf) return &*m_kernel->elf;
  return nullptr;
}

void BootPlan::add_elf(const ElfImage& elf) {
  for (const ElfSegment& segment : elf.segments) {
    m_blobs.push_back({elf.path, segment.address, segment.bytes, segment.mem_size});
  }
}

void BootPlan::add_raw(const BootFile& file, uint64_t address) {
  const uint64_t size = std::max<uint64_t>(file.raw.size(), file.image_size.value_or(0));
  if (size > m_ram.size) {
    throw ConfigError(file.path + ": " + std::to_string(size) + " bytes do not fit in RAM (" +
                      std::to_string(m_ram.size / kMiB) + " MiB at " + hex(m_ram.base) + ")");
  }
  // An Image's bss (its header's image_size) is zeroed like an ELF's, and so
  // reserved: nothing else may be placed there.
  m_blobs.push_back({file.path, address, file.raw, size});
}

void BootPlan::lay_out(const BootOptions& options, const Platform& platform) {
  if (!options.program.empty()) {
    m_program = read_elf(options.program);
    add_elf(*m_program);
    m_start_pc = m_program->entry;
    place_device_tree(platform, options, std::nullopt);
    return;
  }
  m_xlen = platform.cpus().empty() ? 64 : platform.cpus()[0]->xlen();
  const bool rv32 = m_xlen == 32;

  uint64_t firmware_end = m_ram.base;
  uint64_t start = m_ram.base;
  if (!options.bios.empty()) {
    m_bios = read_boot_file(options.bios, true);
    if (m_bios->elf) {
      add_elf(*m_bios->elf);
      start = m_bios->elf->entry;
      for (const ElfSegment& s : m_bios->elf->segments) {
        firmware_end = std::max(firmware_end, s.address + s.mem_size);
      }
    } else {
      add_raw(*m_bios, m_ram.base);
      firmware_end = m_ram.base + m_bios->raw.size();
    }
  }

  uint64_t kernel_entry = 0;
  std::optional<std::pair<uint64_t, uint64_t>> initrd;
  if (!options.kernel.empty()) {
    m_kernel = read_boot_file(options.kernel, true);
    if (m_kernel->elf) {
      // As QEMU: the lowest load address, not the ELF entry (kernels may have
      // separate SBI and ELF entry points).
      add_elf(*m_kernel->elf);
      kernel_entry = ~uint64_t{0};
      for (const ElfSegment& s : m_kernel->elf->segments) {
        kernel_entry = std::min(kernel_entry, s.address);
      }
    } else {
      kernel_entry = align_up(firmware_end, rv32 ? 4 * kMiB : 2 * kMiB);
      add_raw(*m_kernel, kernel_entry);
    }
    if (options.bios.empty()) start = kernel_entry;
    if (!options.initrd.empty()) {
      BootFile file = read_boot_file(options.initrd, false);
      const uint64_t initrd_start = kernel_entry + std::min<uint64_t>(m_ram.size / 2, 128 * kMiB);
      if (initrd_start >= m_ram.end() || file.raw.size() > m_ram.end() - initrd_start) {
        throw ConfigError(file.path + ": the initrd (" + std::to_string(file.raw.size()) +
                          " bytes at " + hex(initrd_start) + ") does not fit in RAM (ends at " +
                          hex(m_ram.end()) + ")");
      }
      add_raw(file, initrd_start);
      initrd = {initrd_start, initrd_start + file.raw.size()};
    }
  }
  place_device_tree(platform, options, initrd);

  auto rom = find_mapped(platform, "rom");
  if (!rom) {
    throw ConfigError(platform.name() +
                      ": --bios/--kernel need a reset ROM (a 'rom' component, as virt's at "
                      "0x1000) to hold the reset vector and fw_dynamic_info");
  }
  add_reset_vector(rom->first, start, kernel_entry);
  if (kInfoOffset + 6 * 8 > rom->second) {
    throw ConfigError(platform.name() + ": the reset ROM is too small for the reset vector");
  }
  m_start_pc = rom->first;
}

void BootPlan::place_device_tree(const Platform& platform, const BootOptions& options,
                                 std::optional<std::pair<uint64_t, uint64_t>> initrd) {
  if (!options.dtb.empty()) {
    m_dtb = read_whole_file(options.dtb);
    check_device_tree(m_dtb, options.dtb);
  } else {
    m_dtb = build_device_tree(platform);
  }
  ChosenSettings chosen;
  chosen.bootargs = options.append;
  chosen.initrd = initrd;
  if (chosen.bootargs || chosen.initrd) set_chosen(m_dtb, chosen);

  // As QEMU's riscv_load_fdt: as high as possible, so kernel and initrd do not
  // overwrite it, but below 3 GiB so 32-bit code can reach it.
  const uint64_t top = m_ram.base < k3GiB ? std::min(m_ram.end(), k3GiB) : m_ram.end();
  if (m_dtb.size() > top - m_ram.base) {
    throw ConfigError((options.dtb.empty() ? std::string("device tree") : options.dtb) + " (" +
                      std::to_string(m_dtb.size()) + " bytes) does not fit in RAM");
  }
  m_dtb_address = std::max(m_ram.base, (top - m_dtb.size()) / (2 * kMiB) * (2 * kMiB));
  m_blobs.push_back(
      {options.dtb.empty() ? "device tree" : options.dtb, m_dtb_address, m_dtb, m_dtb.size()});
}

void BootPlan::add_reset_vector(uint64_t rom_base, uint64_t target, uint64_t kernel_entry) {
  const bool rv32 = m_xlen == 32;
  // auipc t0, 0; addi a2, t0, 40; csrr a0, mhartid; l[wd] a1, 32(t0);
  // l[wd] t0, 24(t0); jr t0
  const std::array<uint32_t, 6> code = {0x00000297,
                                        0x02828613,
                                        0xf1402573,
                                        rv32 ? 0x0202a583u : 0x0202b583u,
                                        rv32 ? 0x0182a283u : 0x0182b283u,
                                        0x00028067};
  std::vector<uint8_t> bytes;
  for (uint32_t insn : code) put_le(bytes, insn, 4);
  put_le(bytes, target, 8);         // kStartSlot
  put_le(bytes, m_dtb_address, 8);  // kDtbSlot
  static_assert(kStartSlot == 24 && kDtbSlot == 32 && kInfoOffset == 40);
  const unsigned word = rv32 ? 4 : 8;
  for (uint64_t field : {kFwDynamicMagic, kFwDynamicVersion, kernel_entry, kFwDynamicNextModeS,
                         uint64_t{0} /* options */, uint64_t{0} /* boot_hart */}) {
    put_le(bytes, field, word);
  }
  m_blobs.push_back({"reset vector", rom_base, bytes, bytes.size()});
}

void BootPlan::check_layout() const {
  for (size_t i = 0; i < m_blobs.size(); ++i) {
    const BootBlob& a = m_blobs[i];
    if (a.size == 0) continue;
    for (size_t j = i + 1; j < m_blobs.size(); ++j) {
      const BootBlob& b = m_blobs[j];
      if (b.size == 0 || a.origin == b.origin) continue;  // one ELF's segments are its own business
      if (a.address < b.address + b.size && b.address < a.address + a.size) {
        throw ConfigError(b.origin + " (" + range_text(b.address, b.size) + ") overlaps " +
                          a.origin + " (" + range_text(a.address, a.size) + ")");
      }
    }
  }
}

void BootPlan::load(Platform& platform) const {
  static const std::array<uint8_t, 64 * 1024> zeros{};
  Router& bus = platform.router();
  tlm::tlm_generic_payload trans;
  for (const BootBlob& blob : m_blobs) {
    uint64_t done = 0;
    while (done < blob.size) {
      const bool from_bytes = done < blob.bytes.size();
      const uint64_t left = from_bytes ? blob.bytes.size() - done : blob.size - done;
      const auto chunk = static_cast<unsigned>(std::min<uint64_t>(left, zeros.size()));
      uint8_t* data = from_bytes ? const_cast<uint8_t*>(blob.bytes.data() + done)
                                 : const_cast<uint8_t*>(zeros.data());
      prepare_payload(trans, tlm::TLM_WRITE_COMMAND, blob.address + done, data, chunk);
      const unsigned written = std::min(bus.debug_transport(trans), chunk);
      if (written == 0) {
        throw ConfigError(blob.origin + ": " + range_text(blob.address, blob.size) +
                          " is not backed by memory (nothing at " + hex(blob.address + done) + ")");
      }
      done += written;
    }
  }
  for (CpuComponent* cpu : platform.cpus()) cpu->set_boot(m_start_pc, m_dtb_address);
}

}  // namespace silica
