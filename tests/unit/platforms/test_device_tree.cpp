#include "platforms/device_tree.h"

#include <gtest/gtest.h>

#include <cstring>

extern "C" {
#include <libfdt.h>
}

#include "peripherals/host_console.h"
#include "platforms/builtin_components.h"
#include "platforms/platform_builder.h"
#include "platforms/platform_file.h"
#include "tests/unit/platforms/test_cpu.h"

namespace silica {
namespace {

using test::RecordingSimControl;

// Reads the generated blob back through libfdt, as a guest would.
class Fdt {
 public:
  explicit Fdt(std::vector<uint8_t> blob) : m_blob(std::move(blob)) {
    EXPECT_EQ(fdt_check_header(m_blob.data()), 0);
  }
  int node(const std::string& path) const { return fdt_path_offset(m_blob.data(), path.c_str()); }
  bool has(const std::string& path) const { return node(path) >= 0; }
  std::string string(const std::string& path, const char* property) const {
    int length = 0;
    const void* value = fdt_getprop(m_blob.data(), node(path), property, &length);
    if (value == nullptr || length == 0) return "<missing>";
    return std::string(static_cast<const char*>(value), size_t(length) - 1);
  }
  std::vector<std::string> strings(const std::string& path, const char* property) const {
    std::vector<std::string> out;
    int length = 0;
    const char* value =
        static_cast<const char*>(fdt_getprop(m_blob.data(), node(path), property, &length));
    for (int i = 0; value != nullptr && i < length; i += int(std::strlen(value + i)) + 1) {
      out.emplace_back(value + i);
    }
    return out;
  }
  std::vector<uint32_t> cells(const std::string& path, const char* property) const {
    int length = 0;
    const auto* value =
        static_cast<const fdt32_t*>(fdt_getprop(m_blob.data(), node(path), property, &length));
    std::vector<uint32_t> out;
    for (int i = 0; value != nullptr && i < length / 4; ++i) out.push_back(fdt32_to_cpu(value[i]));
    return out;
  }
  uint32_t cell(const std::string& path, const char* property) const {
    auto all = cells(path, property);
    EXPECT_EQ(all.size(), 1u) << path << " " << property;
    return all.empty() ? 0 : all[0];
  }
  uint32_t phandle(const std::string& path) const {
    return fdt_get_phandle(m_blob.data(), node(path));
  }

 private:
  std::vector<uint8_t> m_blob;
};

class DeviceTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    silica::test::fresh_systemc_context();
    register_builtin_components();
    test::register_test_cpu();
    m_context.sim_control = &m_sim_control;
    m_context.console = &m_console;
  }

  Fdt virt(const std::map<std::string, std::string>& overrides = {}) {
    Platform platform = build_platform(find_platform("virt"), overrides, m_context);
    return Fdt(build_device_tree(platform));
  }

  std::string error_of(const std::string& text) {
    silica::test::fresh_systemc_context();
    try {
      Platform platform = build_platform(parse_platform(text, "board.platform"), {}, m_context);
      build_device_tree(platform);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  RecordingSimControl m_sim_control;
  BufferConsole m_console;
  BuildContext m_context;
};

TEST_F(DeviceTreeTest, VirtHasQemusRootCpusAndMemory) {
  Fdt fdt = virt();
  EXPECT_EQ(fdt.string("/", "compatible"), "riscv-virtio");
  EXPECT_EQ(fdt.cell("/", "#address-cells"), 2u);
  EXPECT_EQ(fdt.cell("/cpus", "timebase-frequency"), 10'000'000u);
  EXPECT_EQ(fdt.cell("/cpus", "#address-cells"), 1u);
  EXPECT_EQ(fdt.cell("/cpus", "#size-cells"), 0u);
  EXPECT_EQ(fdt.cell("/cpus/cpu@0", "reg"), 0u);
  EXPECT_EQ(fdt.string("/cpus/cpu@0", "device_type"), "cpu");
  EXPECT_EQ(fdt.string("/cpus/cpu@0", "compatible"), "riscv");
  EXPECT_EQ(fdt.string("/cpus/cpu@0", "status"), "okay");
  EXPECT_EQ(fdt.string("/cpus/cpu@0", "riscv,isa"), "rv64imafdc_zicsr_zifencei");
  EXPECT_EQ(fdt.string("/cpus/cpu@0", "mmu-type"), "riscv,sv57");
  EXPECT_EQ(fdt.string("/cpus/cpu@0/interrupt-controller", "compatible"), "riscv,cpu-intc");
  EXPECT_EQ(fdt.cell("/cpus/cpu@0/interrupt-controller", "#interrupt-cells"), 1u);
  EXPECT_NE(fdt.phandle("/cpus/cpu@0/interrupt-controller"), 0u);
  EXPECT_EQ(fdt.cell("/cpus/cpu-map/cluster0/core0", "cpu"), fdt.phandle("/cpus/cpu@0"));
  EXPECT_EQ(fdt.cells("/memory@80000000", "reg"),
            (std::vector<uint32_t>{0, 0x80000000, 0, 128u << 20}));
  EXPECT_EQ(fdt.string("/memory@80000000", "device_type"), "memory");
  // The reset ROM is not memory the guest may use.
  EXPECT_FALSE(fdt.has("/memory@1000"));
}

TEST_F(DeviceTreeTest, VirtSocDevicesAreWiredAsTheirIrqLinesSay) {
  Fdt fdt = virt({{"memory", "256M"}});
  EXPECT_EQ(fdt.cells("/memory@80000000", "reg")[3], 256u << 20);
  const uint32_t intc = fdt.phandle("/cpus/cpu@0/interrupt-controller");
  const uint32_t plic = fdt.phandle("/soc/plic@c000000");
  ASSERT_NE(plic, 0u);
  EXPECT_EQ(fdt.strings("/soc/clint@2000000", "compatible"),
            (std::vector<std::string>{"sifive,clint0", "riscv,clint0"}));
  EXPECT_EQ(fdt.cells("/soc/clint@2000000", "reg"),
            (std::vector<uint32_t>{0, 0x2000000, 0, 0x10000}));
  EXPECT_EQ(fdt.cells("/soc/clint@2000000", "interrupts-extended"),
            (std::vector<uint32_t>{intc, 3, intc, 7}));
  // Context 0 (M) then context 1 (S) of hart 0.
  EXPECT_EQ(fdt.cells("/soc/plic@c000000", "interrupts-extended"),
            (std::vector<uint32_t>{intc, 11, intc, 9}));
  EXPECT_EQ(fdt.cell("/soc/plic@c000000", "riscv,ndev"), 95u);
  EXPECT_EQ(fdt.cell("/soc/plic@c000000", "#interrupt-cells"), 1u);
  EXPECT_EQ(fdt.strings("/soc/plic@c000000", "compatible"),
            (std::vector<std::string>{"sifive,plic-1.0.0", "riscv,plic0"}));
  EXPECT_EQ(fdt.string("/soc/serial@10000000", "compatible"), "ns16550a");
  EXPECT_EQ(fdt.cell("/soc/serial@10000000", "clock-frequency"), 3686400u);
  EXPECT_EQ(fdt.cell("/soc/serial@10000000", "interrupts"), 10u);
  EXPECT_EQ(fdt.cell("/soc/serial@10000000", "interrupt-parent"), plic);
  EXPECT_EQ(fdt.string("/soc/rtc@101000", "compatible"), "google,goldfish-rtc");
  EXPECT_EQ(fdt.cell("/soc/rtc@101000", "interrupts"), 11u);
  EXPECT_EQ(fdt.strings("/soc/test@100000", "compatible"),
            (std::vector<std::string>{"sifive,test1", "sifive,test0", "syscon"}));
  const uint32_t test = fdt.phandle("/soc/test@100000");
  EXPECT_EQ(fdt.string("/poweroff", "compatible"), "syscon-poweroff");
  EXPECT_EQ(fdt.cell("/poweroff", "regmap"), test);
  EXPECT_EQ(fdt.cell("/poweroff", "value"), 0x5555u);
  EXPECT_EQ(fdt.string("/reboot", "compatible"), "syscon-reboot");
  EXPECT_EQ(fdt.cell("/reboot", "value"), 0x7777u);
  EXPECT_EQ(fdt.string("/chosen", "stdout-path"), "/soc/serial@10000000");
}

TEST_F(DeviceTreeTest, SmpVirtListsEveryHartAndItsContexts) {
  Platform platform = build_platform(find_platform("virt"), {{"harts", "3"}}, m_context);
  ASSERT_EQ(platform.cpus().size(), 3u);
  for (uint64_t h = 0; h < 3; ++h) EXPECT_EQ(platform.cpus()[h]->hart_id(), h);
  Fdt fdt(build_device_tree(platform));
  std::vector<uint32_t> intc;
  for (int h = 0; h < 3; ++h) {
    const std::string cpu = "/cpus/cpu@" + std::to_string(h);
    EXPECT_EQ(fdt.cell(cpu, "reg"), uint32_t(h));
    EXPECT_EQ(fdt.cell("/cpus/cpu-map/cluster0/core" + std::to_string(h), "cpu"), fdt.phandle(cpu));
    intc.push_back(fdt.phandle(cpu + "/interrupt-controller"));
  }
  EXPECT_NE(intc[0], intc[1]);
  EXPECT_EQ(fdt.cells("/soc/clint@2000000", "interrupts-extended"),
            (std::vector<uint32_t>{intc[0], 3, intc[0], 7, intc[1], 3, intc[1], 7, intc[2], 3,
                                   intc[2], 7}));
  EXPECT_EQ(fdt.cells("/soc/plic@c000000", "interrupts-extended"),
            (std::vector<uint32_t>{intc[0], 11, intc[0], 9, intc[1], 11, intc[1], 9, intc[2], 11,
                                   intc[2], 9}));
}

// virt's eight virtio-mmio slots, as QEMU lists them: slot N at 0x10001000 +
// 0x1000 * N on PLIC source N + 1.
TEST_F(DeviceTreeTest, DescribesVirtioSlotsOnThePlic) {
  Fdt fdt = virt();
  const uint32_t plic = fdt.phandle("/soc/plic@c000000");
  for (uint32_t n = 0; n < 8; ++n) {
    char path[64];
    std::snprintf(path, sizeof path, "/soc/virtio_mmio@%x", 0x10001000 + 0x1000 * n);
    EXPECT_EQ(fdt.string(path, "compatible"), "virtio,mmio") << path;
    EXPECT_EQ(fdt.cells(path, "reg"),
              (std::vector<uint32_t>{0, 0x10001000 + 0x1000 * n, 0, 0x1000}));
    EXPECT_EQ(fdt.cell(path, "interrupts"), n + 1);
    EXPECT_EQ(fdt.cell(path, "interrupt-parent"), plic);
  }
}

TEST_F(DeviceTreeTest, ReportsABadMmuTypeWithTheLine) {
  const std::string board =
      "component riscv_hart hart0 isa=rv32imac mmu=sv39\n"
      "component memory ram size=1M\n"
      "map ram 0x80000000 1M\n";
  const std::string error = error_of(board);
  EXPECT_NE(error.find("board.platform:1"), std::string::npos) << error;
  EXPECT_NE(error.find("sv39"), std::string::npos) << error;
  EXPECT_EQ(error_of("component riscv_hart hart0 isa=rv32imac mmu=sv32\n"
                     "component memory ram size=1M\n"
                     "map ram 0x80000000 1M\n"),
            "");
}

TEST_F(DeviceTreeTest, SetsChosenBootargsAndInitrd) {
  Platform platform = build_platform(find_platform("virt"), {}, m_context);
  std::vector<uint8_t> blob = build_device_tree(platform);
  ChosenSettings chosen;
  chosen.bootargs = std::string(3000, 'x');  // larger than the tree's free space
  chosen.initrd = {{0x88000000, 0x88123456}};
  set_chosen(blob, chosen);
  Fdt fdt(blob);
  EXPECT_EQ(fdt.string("/chosen", "bootargs"), std::string(3000, 'x'));
  EXPECT_EQ(fdt.cells("/chosen", "linux,initrd-start"), (std::vector<uint32_t>{0, 0x88000000}));
  EXPECT_EQ(fdt.cells("/chosen", "linux,initrd-end"), (std::vector<uint32_t>{0, 0x88123456}));
  EXPECT_EQ(fdt.string("/chosen", "stdout-path"), "/soc/serial@10000000");
}

TEST_F(DeviceTreeTest, ChecksUserBlobs) {
  Platform platform = build_platform(find_platform("virt"), {}, m_context);
  std::vector<uint8_t> blob = build_device_tree(platform);
  EXPECT_NO_THROW(check_device_tree(blob, "my.dtb"));
  auto message = [](const std::vector<uint8_t>& bytes) {
    try {
      check_device_tree(bytes, "my.dtb");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::vector<uint8_t> truncated(blob.begin(), blob.begin() + blob.size() / 2);
  EXPECT_NE(message(truncated).find("my.dtb: truncated"), std::string::npos) << message(truncated);
  std::vector<uint8_t> garbage(blob.size(), 0x5a);
  EXPECT_NE(message(garbage).find("my.dtb: not a usable device tree"), std::string::npos);
  EXPECT_NE(message({1, 2, 3}).find("my.dtb: not a device tree blob"), std::string::npos);
}

}  // namespace
}  // namespace silica
