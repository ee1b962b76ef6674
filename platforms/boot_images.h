// What a run puts in memory before the first instruction, and where the harts
// start: QEMU's `virt` boot flow.
//
// A bare-metal program (silica run prog.elf) is loaded at its ELF addresses
// and started at its entry, as `qemu -bios none -kernel prog.elf`, with a1 =
// the device tree. With --bios/--kernel the harts start in the reset ROM, as on
// QEMU: a reset vector there sets a0 = mhartid, a1 = the device tree, a2 = a
// fw_dynamic_info (OpenSBI's fw_dynamic protocol; it follows the vector in the
// ROM) and jumps to the firmware, or straight to the kernel without one.
//
//   firmware (--bios)  ELF at its addresses, or raw at the start of RAM
//   kernel (--kernel)  ELF at its addresses, or raw (a Linux Image) at the end
//                      of the firmware rounded up to 2 MiB (4 MiB on rv32),
//                      at the start of RAM without a firmware
//   initrd (--initrd)  kernel + min(RAM/2, 128 MiB)
//   device tree        the top of RAM (below 3 GiB) minus its size, rounded
//                      down to 2 MiB
// Images that do not fit in RAM or overlap each other are errors naming the
// files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platforms/elf_image.h"
#include "platforms/platform.h"

namespace silica {

struct BootOptions {
  std::string program;  // bare-metal ELF (the positional argument)
  std::string bios;
  std::string kernel;
  std::string initrd;
  std::optional<std::string> append;  // kernel command line
  std::string dtb;                    // a user's DTB instead of the generated one
};

// Bytes to write at an address; `size` beyond bytes.size() is zero-filled
// (an ELF segment's bss).
struct BootBlob {
  std::string origin;  // the file it came from, or what it is ("reset vector")
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
  uint64_t size = 0;
};

// A file given on the command line: an ELF, or raw bytes.
struct BootFile {
  std::string path;
  std::optional<ElfImage> elf;
  std::vector<uint8_t> raw;
  // Linux Image header ("RISCV\0\0\0", "RSC\x05"): the size the kernel
  // occupies once running (bss included), larger than the file.
  std::optional<uint64_t> image_size;
};

// Reads a file for --bios/--kernel (ELF or raw; raw files are checked for
// the Linux Image header) or --initrd/--dtb (raw). Throws ConfigError naming
// the file.
BootFile read_boot_file(const std::string& path, bool may_be_elf);

// The register width the images need: that of the first ELF among the
// program, firmware and kernel (path names it); xlen 0 when all are raw (the
// platform decides).
struct RequestedXlen {
  unsigned xlen = 0;
  std::string path;
};
RequestedXlen requested_xlen(const BootOptions& options);

class BootPlan {
 public:
  // Reads every file, builds or reads the device tree, sets /chosen and lays
  // everything out. Throws ConfigError on bad input.
  BootPlan(const BootOptions& options, const Platform& platform);

  // The ELF whose symbols trace options and HTIF use: the program, else the
  // firmware's or kernel's ELF; nullptr when every image is raw.
  const ElfImage* symbols() const;
  uint64_t start_pc() const { return m_start_pc; }
  uint64_t dtb_address() const { return m_dtb_address; }
  const std::vector<uint8_t>& dtb() const { return m_dtb; }
  const std::vector<BootBlob>& blobs() const { return m_blobs; }

  // Writes every blob through the bus (debug transactions) and sets each
  // hart's start. Again after a machine reset.
  void load(Platform& platform) const;

 private:
  struct Region {
    uint64_t base = 0;
    uint64_t size = 0;
    uint64_t end() const { return base + size; }
  };
  void lay_out(const BootOptions& options, const Platform& platform);
  void add_elf(const ElfImage& elf);
  void add_raw(const BootFile& file, uint64_t address);
  void place_device_tree(const Platform& platform, const BootOptions& options,
                         std::optional<std::pair<uint64_t, uint64_t>> initrd);
  void add_reset_vector(uint64_t rom_base, uint64_t target, uint64_t kernel_entry);
  void check_layout() const;

  unsigned m_xlen = 64;  // the harts' register width: the reset vector's loads
  std::optional<ElfImage> m_program;
  std::optional<BootFile> m_bios;
  std::optional<BootFile> m_kernel;
  Region m_ram;
  std::vector<BootBlob> m_blobs;
  std::vector<uint8_t> m_dtb;
  uint64_t m_start_pc = 0;
  uint64_t m_dtb_address = 0;
};

}  // namespace silica
