// The virtio_mmio component type in a platform built from text: the slot's
// registers and its DMA both go through the real system bus, its interrupt
// reaches the PLIC, and a bad drive is one error line naming file and line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "platforms/builtin_components.h"
#include "platforms/platform_builder.h"
#include "platforms/platform_file.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica {
namespace {

using test::TlmDriver;

const char* const kBoard =
    "param drive = none\n"                                  // 1
    "component memory ram size=64K\n"                       // 2
    "component plic plic harts=1 sources=16\n"              // 3
    "component virtio_mmio vd device=blk drive=${drive}\n"  // 4
    "component virtio_mmio empty\n"                         // 5
    "map ram 0x80000000 64K\n"                              // 6
    "map plic 0x0c000000 0x600000\n"                        // 7
    "map vd 0x10001000 0x1000\n"                            // 8
    "map empty 0x10002000 0x1000\n"                         // 9
    "irq vd.irq -> plic.irq1\n";                            // 10

constexpr uint64_t kSlot = 0x10001000;
constexpr uint64_t kRam = 0x80000000;

class VirtioComponentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::fresh_systemc_context();
    register_builtin_components();
    char path[] = "/tmp/silica_virtio_platform_XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    m_image = path;
    std::vector<unsigned char> sectors(4 * 512);
    for (size_t i = 0; i < sectors.size(); ++i) sectors[i] = static_cast<unsigned char>(i * 3);
    ASSERT_EQ(write(fd, sectors.data(), sectors.size()), static_cast<ssize_t>(sectors.size()));
    close(fd);
  }
  void TearDown() override { unlink(m_image.c_str()); }

  Platform build(const std::string& drive) {
    return build_platform(parse_platform(kBoard, "board.platform"), {{"drive", drive}}, m_context);
  }
  std::string build_error(const std::string& drive) {
    try {
      build(drive);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(built)";
  }

  BuildContext m_context;
  std::string m_image;
};

TEST_F(VirtioComponentTest, ReadsASectorThroughTheBusAndInterruptsThePlic) {
  Platform platform = build(m_image + ",snapshot=on");
  TlmDriver bus("cpu");
  bus.socket.bind(platform.router().target_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  EXPECT_EQ(bus.read32(kSlot + 0x000), 0x74726976u);
  EXPECT_EQ(bus.read32(kSlot + 0x008), 2u);
  EXPECT_EQ(bus.read32(kSlot + 0x100), 4u);  // capacity in sectors
  EXPECT_EQ(bus.read32(0x10002008), 0u);     // the empty slot

  bus.write32(kSlot + 0x070, 1 | 2);
  bus.write32(kSlot + 0x024, 1);
  bus.write32(kSlot + 0x020, 1);  // VIRTIO_F_VERSION_1
  bus.write32(kSlot + 0x070, 1 | 2 | 8);
  ASSERT_EQ(bus.read32(kSlot + 0x070), 1u | 2 | 8);
  bus.write32(kSlot + 0x038, 4);  // QueueNum
  bus.write32(kSlot + 0x080, kRam + 0x1000);
  bus.write32(kSlot + 0x090, kRam + 0x2000);
  bus.write32(kSlot + 0x0a0, kRam + 0x3000);
  bus.write32(kSlot + 0x044, 1);
  bus.write32(kSlot + 0x070, 1 | 2 | 8 | 4);

  // IN, sector 1, into RAM at +0x5000; status at +0x4010.
  bus.write(kRam + 0x4000, 0, 8);
  bus.write(kRam + 0x4008, 1, 8);
  const uint64_t descriptors[][2] = {
      // {address, length | flags << 32 | next << 48}
      {kRam + 0x4000, 16 | uint64_t{1} << 32 | uint64_t{1} << 48},       // header: NEXT
      {kRam + 0x5000, 512 | uint64_t{1 | 2} << 32 | uint64_t{2} << 48},  // data: NEXT|WRITE
      {kRam + 0x4010, 1 | uint64_t{2} << 32},                            // status: WRITE
  };
  for (unsigned i = 0; i < 3; ++i) {
    bus.write(kRam + 0x1000 + 16 * i, descriptors[i][0], 8);
    bus.write(kRam + 0x1000 + 16 * i + 8, descriptors[i][1], 8);
  }
  bus.write(kRam + 0x2004, 0, 2);  // ring[0] = head 0
  bus.write(kRam + 0x2002, 1, 2);  // idx = 1
  bus.write8(kRam + 0x4010, 0xee);
  bus.write32(kSlot + 0x050, 0);
  // The device serves the notify in a method; let every delta due now run.
  for (int i = 0; i < 16 && sc_core::sc_pending_activity_at_current_time(); ++i) {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  EXPECT_EQ(bus.read32(kSlot + 0x070), 1u | 2 | 8 | 4);  // no DEVICE_NEEDS_RESET
  EXPECT_EQ(bus.read(kRam + 0x3002, 2), 1u);             // used idx
  EXPECT_EQ(bus.read8(kRam + 0x4010), 0u);               // VIRTIO_BLK_S_OK
  EXPECT_EQ(bus.read8(kRam + 0x5000), static_cast<uint8_t>(512 * 3));
  EXPECT_EQ(bus.read8(kRam + 0x5001), static_cast<uint8_t>(513 * 3));
  EXPECT_EQ(bus.read32(0x0c001000) & 2, 2u);  // PLIC source 1 pending
}

TEST_F(VirtioComponentTest, NoDriveLeavesTheSlotEmpty) {
  for (const char* drive : {"none", ""}) {
    test::fresh_systemc_context();
    Platform platform = build(drive);
    TlmDriver bus("cpu");
    bus.socket.bind(platform.router().target_socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    EXPECT_EQ(bus.read32(kSlot + 0x008), 0u) << drive;
  }
}

TEST_F(VirtioComponentTest, ReportsBadDrivesOnOneLine) {
  std::string error = build_error("/nonexistent/disk.img");
  EXPECT_TRUE(error.starts_with("board.platform:4: vd: drive '/nonexistent/disk.img': cannot open"))
      << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;

  error = build_error(m_image + ",cache=none");
  EXPECT_TRUE(
      error.starts_with("board.platform:4: vd: parameter 'drive': unknown drive option "
                        "'cache=none'"))
      << error;

  test::fresh_systemc_context();
  Platform platform(std::string("p"), m_context);
  try {
    platform.add_component("virtio_mmio", "v", {{"device", "net"}}, "x:1");
    ADD_FAILURE() << "device=net accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'net' is not a virtio device type"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace silica
