#include "platforms/boot_images.h"

#include <gtest/gtest.h>

extern "C" {
#include <libfdt.h>
}

#include <cstring>
#include <filesystem>
#include <fstream>

#include "peripherals/host_console.h"
#include "platforms/builtin_components.h"
#include "platforms/platform_builder.h"
#include "platforms/platform_file.h"
#include "tests/unit/platforms/test_cpu.h"

namespace silica {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

// A raw file of `size` bytes; with `image_size`, it starts with a Linux
// RISC-V Image header saying the kernel occupies that much.
std::string write_file(const std::string& name, size_t size,
                       std::optional<uint64_t> image_size = std::nullopt) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("silica_boot_" + std::to_string(getpid()) + "_" + name))
                               .string();
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = uint8_t(i * 7 + 1);
  if (image_size) {
    for (int i = 0; i < 8; ++i) bytes[16 + i] = uint8_t(*image_size >> (8 * i));
    std::memcpy(bytes.data() + 48, "RISCV\0\0\0", 8);
    std::memcpy(bytes.data() + 56, "RSC\x05", 4);
  }
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<char*>(bytes.data()), size);
  return path;
}

uint64_t le(const std::vector<uint8_t>& bytes, size_t offset) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= uint64_t(bytes[offset + i]) << (8 * i);
  return value;
}

class BootImagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::fresh_systemc_context();
    register_builtin_components();
    test::register_test_cpu();
    m_context.sim_control = &m_sim_control;
    m_context.console = &m_console;
    m_platform = std::make_unique<Platform>(build_platform(find_platform("virt"), {}, m_context));
  }
  void TearDown() override {
    for (const std::string& path : m_files) std::filesystem::remove(path);
  }
  std::string file(const std::string& name, size_t size,
                   std::optional<uint64_t> image_size = std::nullopt) {
    m_files.push_back(write_file(name, size, image_size));
    return m_files.back();
  }
  std::string error_of(const BootOptions& options) {
    try {
      BootPlan plan(options, *m_platform);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  const BootBlob* blob_from(const BootPlan& plan, const std::string& origin) {
    for (const BootBlob& b : plan.blobs()) {
      if (b.origin == origin) return &b;
    }
    return nullptr;
  }

  test::RecordingSimControl m_sim_control;
  BufferConsole m_console;
  BuildContext m_context;
  std::unique_ptr<Platform> m_platform;
  std::vector<std::string> m_files;
};

TEST_F(BootImagesTest, LaysOutFirmwareKernelInitrdAndTreeAsQemu) {
  BootOptions options;
  options.bios = file("fw.bin", 200 * 1024);
  options.kernel = file("Image", 3 * kMiB, 5 * kMiB);
  options.initrd = file("initrd", 100 * 1024);
  options.append = "console=ttyS0 earlycon";
  BootPlan plan(options, *m_platform);

  EXPECT_EQ(blob_from(plan, options.bios)->address, 0x80000000u);
  // The kernel goes at the firmware's end rounded up to 2 MiB; its Image
  // header's size (bss included) is reserved.
  const BootBlob* kernel = blob_from(plan, options.kernel);
  EXPECT_EQ(kernel->address, 0x80200000u);
  EXPECT_EQ(kernel->size, 5 * kMiB);
  // initrd: kernel + min(RAM / 2, 128 MiB); the tree: top of RAM - 2 MiB.
  EXPECT_EQ(blob_from(plan, options.initrd)->address, 0x80200000u + 64 * kMiB);
  EXPECT_EQ(plan.dtb_address(), 0x87e00000u);
  EXPECT_EQ(plan.start_pc(), 0x1000u);

  const BootBlob* vector = blob_from(plan, "reset vector");
  ASSERT_NE(vector, nullptr);
  EXPECT_EQ(vector->address, 0x1000u);
  EXPECT_EQ(le(vector->bytes, 24), 0x80000000u);  // jumps to the firmware
  EXPECT_EQ(le(vector->bytes, 32), 0x87e00000u);  // a1
  // fw_dynamic_info at 0x1028: magic, version 2, next_addr, next_mode S,
  // options, boot_hart.
  EXPECT_EQ(le(vector->bytes, 40), 0x4942534fu);
  EXPECT_EQ(le(vector->bytes, 48), 2u);
  EXPECT_EQ(le(vector->bytes, 56), 0x80200000u);
  EXPECT_EQ(le(vector->bytes, 64), 1u);
  EXPECT_EQ(le(vector->bytes, 72), 0u);
  EXPECT_EQ(le(vector->bytes, 80), 0u);

  const std::vector<uint8_t>& dtb = plan.dtb();
  const int chosen = fdt_path_offset(dtb.data(), "/chosen");
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(dtb.data(), chosen, "bootargs", nullptr)),
               "console=ttyS0 earlycon");
  const auto* start =
      static_cast<const fdt64_t*>(fdt_getprop(dtb.data(), chosen, "linux,initrd-start", nullptr));
  const auto* end =
      static_cast<const fdt64_t*>(fdt_getprop(dtb.data(), chosen, "linux,initrd-end", nullptr));
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(fdt64_to_cpu(*start), 0x84200000u);
  EXPECT_EQ(fdt64_to_cpu(*end), 0x84200000u + 100 * 1024);
}

TEST_F(BootImagesTest, LoadsEveryImageAndStartsTheHartsInTheRom) {
  BootOptions options;
  options.bios = file("fw.bin", 4096);
  options.kernel = file("kernel.bin", 4096);
  BootPlan plan(options, *m_platform);
  plan.load(*m_platform);
  auto* ram = dynamic_cast<MemoryComponent*>(m_platform->component("ram"));
  auto* rom = dynamic_cast<MemoryComponent*>(m_platform->component("mrom"));
  const uint8_t* r = ram->memory().host_pointer();
  EXPECT_EQ(r[0], 1);                             // firmware
  EXPECT_EQ(r[0x200000 + 1], 8);                  // kernel
  EXPECT_EQ(fdt_check_header(r + 0x7e00000), 0);  // device tree
  const uint8_t* vector = rom->memory().host_pointer();
  EXPECT_EQ(vector[0], 0x97);  // auipc t0, 0
  auto* cpu = dynamic_cast<test::TestCpu*>(m_platform->cpus()[0]);
  EXPECT_EQ(cpu->boot_pc(), 0x1000u);
  EXPECT_EQ(cpu->boot_dtb(), 0x87e00000u);
}

TEST_F(BootImagesTest, BigFirmwarePushesTheKernelToTheNext2MiB) {
  BootOptions options;
  options.bios = file("fw.bin", 2 * kMiB + 1);
  options.kernel = file("Image", 4096);
  BootPlan plan(options, *m_platform);
  EXPECT_EQ(blob_from(plan, options.kernel)->address, 0x80400000u);
}

TEST_F(BootImagesTest, WithoutFirmwareTheKernelStartsAtRamAndTheVectorJumpsThere) {
  BootOptions options;
  options.kernel = file("Image", 4096);
  BootPlan plan(options, *m_platform);
  EXPECT_EQ(blob_from(plan, options.kernel)->address, 0x80000000u);
  EXPECT_EQ(le(blob_from(plan, "reset vector")->bytes, 24), 0x80000000u);
}

TEST_F(BootImagesTest, ReportsFilesThatDoNotFitOrOverlap) {
  BootOptions huge;
  huge.bios = file("huge.bin", 129 * kMiB);
  EXPECT_NE(error_of(huge).find(huge.bios + ": "), std::string::npos) << error_of(huge);
  EXPECT_NE(error_of(huge).find("do not fit in RAM"), std::string::npos);

  // An Image whose bss reaches the initrd (kernel + 64 MiB).
  BootOptions overlap;
  overlap.kernel = file("Image", 4096, 80 * kMiB);
  overlap.initrd = file("initrd", 4096);
  const std::string error = error_of(overlap);
  EXPECT_NE(error.find(overlap.initrd), std::string::npos) << error;
  EXPECT_NE(error.find("overlaps " + overlap.kernel), std::string::npos) << error;

  BootOptions big_initrd;
  big_initrd.kernel = file("Image", 4096);
  big_initrd.initrd = file("initrd", 65 * kMiB);
  EXPECT_NE(error_of(big_initrd).find(big_initrd.initrd + ": the initrd"), std::string::npos)
      << error_of(big_initrd);

  BootOptions missing;
  missing.kernel = "/nonexistent/Image";
  EXPECT_NE(error_of(missing).find("/nonexistent/Image: cannot open"), std::string::npos);

  BootOptions lonely;
  lonely.initrd = file("initrd", 16);
  EXPECT_NE(error_of(lonely).find("--initrd needs --kernel"), std::string::npos);
}

}  // namespace
}  // namespace silica
