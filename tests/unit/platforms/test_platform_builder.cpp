#include "platforms/platform_builder.h"

#include <gtest/gtest.h>

#include "interconnect/sim_control.h"
#include "peripherals/host_console.h"
#include "platforms/builtin_components.h"
#include "tests/unit/platforms/test_cpu.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica {
namespace {

using test::IrqProbe;
using test::RecordingSimControl;
using test::register_test_cpu;
using test::TestCpu;
using test::TlmDriver;

class PlatformBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::fresh_systemc_context();
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_,
                                            sc_core::SC_DO_NOTHING);
    register_builtin_components();
    register_test_cpu();
    m_context.sim_control = &m_sim_control;
    m_context.console = &m_console;
  }

  Platform build(const std::string& text,
                 const std::map<std::string, std::string>& overrides = {}) {
    return build_platform(parse_platform(text, "board.platform"), overrides, m_context);
  }

  // The ConfigError message building `text` throws, or "".
  std::string build_error(const std::string& text,
                          const std::map<std::string, std::string>& overrides = {}) {
    // Processes of a half-built platform outlive its modules inside one
    // SystemC context; a fresh context keeps their names from clashing.
    test::fresh_systemc_context();
    try {
      build(text, overrides);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  RecordingSimControl m_sim_control;
  BufferConsole m_console;
  BuildContext m_context;
};

// A small valid platform the error tests modify line by line.
const std::string kBoard =
    "component riscv_hart hart0 isa=rv64imac\n"  // 1
    "component memory ram size=64K\n"            // 2
    "component uart16550 uart0\n"                // 3
    "component clint clint harts=1\n"            // 4
    "map ram 0x80000000 64K\n"                   // 5
    "map uart0 0x10000000 0x100\n"               // 6
    "map clint 0x02000000 0x10000\n"             // 7
    "irq clint.mtip0 -> hart0.mti\n";            // 8

TEST_F(PlatformBuilderTest, BuildsTheVirtPlatform) {
  Platform platform = build_platform(find_platform("virt"), {}, m_context);
  EXPECT_EQ(platform.name(), "virt");
  const auto& components = platform.components();
  ASSERT_EQ(components.size(), 16u);
  const std::vector<std::string> expected = {
      "hart0",   "ram",     "mrom",    "uart0",   "clint",   "plic",    "rtc",     "finisher",
      "virtio0", "virtio1", "virtio2", "virtio3", "virtio4", "virtio5", "virtio6", "virtio7"};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(components[i].name, expected[i]);
  EXPECT_EQ(components[3].type, "uart16550");
  EXPECT_TRUE(components[3].origin.starts_with("virt.platform:")) << components[3].origin;

  ASSERT_EQ(platform.cpus().size(), 1u);
  auto* cpu = dynamic_cast<TestCpu*>(platform.cpus()[0]);
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(platform.component("hart0"), cpu);
  EXPECT_EQ(platform.component("nope"), nullptr);

  const std::vector<BusRegion> regions = platform.router().regions();
  ASSERT_EQ(regions.size(), 15u);
  EXPECT_EQ(regions[0].name, "mrom");
  EXPECT_EQ(regions[1].name, "finisher");
  EXPECT_EQ(regions[2].name, "rtc");
  EXPECT_EQ(regions[4].name, "plic");
  EXPECT_EQ(regions[6].name, "virtio0");
  EXPECT_EQ(regions[6].base, 0x10001000u);
  EXPECT_EQ(regions[13].name, "virtio7");
  EXPECT_EQ(regions[13].base, 0x10008000u);
  EXPECT_EQ(regions[14].name, "ram");
  EXPECT_EQ(regions[14].size, 128u << 20);
  EXPECT_EQ(platform.router().describe_address(0x10000005), "uart0+0x5");

  // Elaboration succeeds: every socket is bound.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  TlmDriver& bus = cpu->bus();

  ASSERT_EQ(bus.write(0x80000100, 0x1234567890abcdefULL, 8), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bus.read(0x80000100, 8), 0x1234567890abcdefULL);
  auto* ram = dynamic_cast<MemoryComponent*>(platform.component("ram"));
  ASSERT_NE(ram, nullptr);
  EXPECT_EQ(ram->memory().host_pointer()[0x100], 0xef);

  bus.write8(0x10000000, 'O');  // UART THR
  bus.write8(0x10000000, 'K');
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));
  EXPECT_EQ(m_console.output(), "OK");

  bus.write32(0x02000000, 1);  // CLINT msip[0] -> hart0.msi
  EXPECT_TRUE(cpu->irqs().level(3));
  bus.write(0x02004000, 0, 8);  // mtimecmp[0] = 0 -> hart0.mti
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
  EXPECT_TRUE(cpu->irqs().level(7));

  // The reset ROM reads what the loader put there and ignores the guest's writes.
  auto* mrom = dynamic_cast<MemoryComponent*>(platform.component("mrom"));
  ASSERT_NE(mrom, nullptr);
  mrom->memory().host_pointer()[0] = 0x97;
  EXPECT_EQ(bus.read8(0x1000), 0x97);
  EXPECT_NE(bus.write(0x1000, 0, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bus.read8(0x1000), 0x97);

  // virtio slots without a drive (the default) are empty: DeviceID 0.
  EXPECT_EQ(bus.read32(0x10001000), 0x74726976u);
  EXPECT_EQ(bus.read32(0x10001008), 0u);

  bus.write32(0x00100000, 0x5555);  // test finisher: pass
  ASSERT_TRUE(m_sim_control.exit_code_.has_value());
  EXPECT_EQ(*m_sim_control.exit_code_, 0);
}

// tests/unit/platforms/virt_plic_rtc.platform: the virt map plus the PLIC and
// the goldfish RTC, with the UART on source 10 and the RTC on source 11.
TEST_F(PlatformBuilderTest, RoutesDeviceInterruptsThroughThePlic) {
  Platform platform = build_platform(find_platform(SILICA_PLIC_RTC_PLATFORM), {}, m_context);
  ASSERT_NE(platform.component("plic"), nullptr);
  ASSERT_NE(platform.component("rtc"), nullptr);
  EXPECT_EQ(platform.router().describe_address(0x0c200004), "plic+0x200004");
  EXPECT_EQ(platform.router().describe_address(0x00101018), "rtc+0x18");
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  auto* cpu = dynamic_cast<TestCpu*>(platform.cpus()[0]);
  ASSERT_NE(cpu, nullptr);
  TlmDriver& bus = cpu->bus();
  constexpr uint64_t kPlic = 0x0c000000, kClaim0 = kPlic + 0x200004, kUartIer = 0x10000001,
                     kRtc = 0x00101000;
  constexpr unsigned kMei = 11;

  bus.write32(kPlic + 4 * 10, 1);                        // UART priority 1
  bus.write32(kPlic + 4 * 11, 2);                        // RTC priority 2
  bus.write32(kPlic + 0x2000, (1u << 10) | (1u << 11));  // both enabled for hart 0 M-mode
  EXPECT_FALSE(cpu->irqs().level(kMei));
  bus.write8(kUartIer, 0x02);  // THR-empty interrupt: the UART raises its line
  EXPECT_TRUE(cpu->irqs().level(kMei));
  EXPECT_EQ(bus.read32(kPlic + 0x1000), 1u << 10);  // pending
  bus.write32(kPlic + 0x200000, 1);                 // threshold 1 masks priority 1
  EXPECT_FALSE(cpu->irqs().level(kMei));
  bus.write32(kPlic + 0x200000, 0);
  EXPECT_TRUE(cpu->irqs().level(kMei));
  EXPECT_EQ(bus.read32(kClaim0), 10u);
  EXPECT_FALSE(cpu->irqs().level(kMei));
  bus.write8(kUartIer, 0x00);  // the handler quiets the UART, then completes
  bus.write32(kClaim0, 10);
  EXPECT_FALSE(cpu->irqs().level(kMei));
  EXPECT_EQ(bus.read32(kClaim0), 0u);

  // The RTC starts at start=1700000000 s; an alarm 1 ms later reaches the hart
  // through source 11.
  const uint64_t now = bus.read32(kRtc) | (uint64_t{bus.read32(kRtc + 4)} << 32);
  EXPECT_EQ(now, 1'700'000'000ULL * 1'000'000'000ULL);
  const uint64_t alarm = now + 1'000'000;
  bus.write32(kRtc + 0x10, 1);  // IRQ_ENABLED
  bus.write32(kRtc + 0x0c, static_cast<uint32_t>(alarm >> 32));
  bus.write32(kRtc + 0x08, static_cast<uint32_t>(alarm));
  sc_core::sc_start(sc_core::sc_time(999, sc_core::SC_US));
  EXPECT_FALSE(cpu->irqs().level(kMei));
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_US));
  EXPECT_TRUE(cpu->irqs().level(kMei));
  EXPECT_EQ(bus.read32(kClaim0), 11u);
  bus.write32(kRtc + 0x1c, 1);  // CLEAR_INTERRUPT
  bus.write32(kClaim0, 11);
  EXPECT_FALSE(cpu->irqs().level(kMei));

  platform.reset();  // machine reset reaches both models
  EXPECT_EQ(bus.read32(kPlic + 4 * 10), 0u);
  EXPECT_EQ(bus.read32(kRtc + 0x10), 0u);
}

TEST_F(PlatformBuilderTest, ReportsBadPlicAndRtcParametersAndPins) {
  const std::string board = kBoard +
                            "component plic plic harts=1\n"         // 9
                            "component goldfish_rtc rtc start=0\n"  // 10
                            "map plic 0x0c000000 0x600000\n"        // 11
                            "map rtc 0x00101000 0x1000\n";          // 12
  EXPECT_EQ(build_error(board), "");
  std::string text = board;
  text.replace(text.find("plic harts=1"), 12, "plic harts=0");
  EXPECT_NE(build_error(text).find("board.platform:9: plic: parameter 'harts'"), std::string::npos);
  text = board;
  text.replace(text.find("plic harts=1"), 12, "plic sources=1025");
  EXPECT_NE(build_error(text).find("board.platform:9: plic: parameter 'sources'"),
            std::string::npos);
  text = board;
  text.replace(text.find("start=0"), 7, "start=99999999999");
  EXPECT_NE(build_error(text).find("board.platform:10: rtc: parameter 'start'"), std::string::npos);
  EXPECT_EQ(build_error(board + "irq uart0.irq -> plic.irq0\n"),
            "board.platform:13: 'plic' (plic) has no interrupt input 'irq0'");
  EXPECT_EQ(build_error(board + "irq uart0.irq -> plic.irq96\n"),
            "board.platform:13: 'plic' (plic) has no interrupt input 'irq96'");
  EXPECT_EQ(build_error(board + "irq plic.meip1 -> hart0.msi\n"),
            "board.platform:13: 'plic' (plic) has no interrupt output 'meip1'");
  EXPECT_EQ(build_error(board + "irq rtc.irq -> plic.irq95\nirq plic.seip0 -> hart0.msi\n"), "");
}

TEST_F(PlatformBuilderTest, RendersGraphvizAndADump) {
  Platform platform = build_platform(find_platform("virt"), {}, m_context);
  const std::string dot = platform.to_dot();
  EXPECT_NE(dot.find("digraph"), std::string::npos) << dot;
  EXPECT_NE(dot.find("hart0\\nriscv_hart"), std::string::npos) << dot;
  EXPECT_NE(dot.find("0x80000000 +0x8000000"), std::string::npos) << dot;
  EXPECT_NE(dot.find("msip0 -> msi"), std::string::npos) << dot;
  EXPECT_NE(dot.find("style=dashed"), std::string::npos) << dot;
  const std::string dump = platform.describe();
  EXPECT_NE(dump.find("component uart0 (uart16550)"), std::string::npos) << dump;
  EXPECT_NE(dump.find("0x0000000010000000-0x00000000100000ff uart0"), std::string::npos) << dump;
  EXPECT_NE(dump.find("irq clint.mtip0 -> hart0.mti"), std::string::npos) << dump;
}

TEST_F(PlatformBuilderTest, AppliesParameterOverrides) {
  Platform platform = build_platform(find_platform("virt"), {{"memory", "256M"}}, m_context);
  auto* ram = dynamic_cast<MemoryComponent*>(platform.component("ram"));
  ASSERT_NE(ram, nullptr);
  EXPECT_EQ(ram->memory().size(), 256u << 20);
  EXPECT_EQ(platform.router().regions().back().size, 256u << 20);
}

TEST_F(PlatformBuilderTest, RejectsUnknownOverrides) {
  try {
    build_platform(find_platform("virt"), {{"memroy", "1G"}}, m_context);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(
        "virt.platform: no parameter 'memroy' to set (parameters: memory, harts"))
        << e.what();
  }
}

TEST_F(PlatformBuilderTest, ParametersMayUseEarlierParameters) {
  Platform platform = build(
      "param base = 0x80000000\n"
      "param size = 64K\n"
      "param ram_size = ${size}\n"
      "component riscv_hart hart0 isa=rv32i\n"
      "component memory ram size=${ram_size}\n"
      "map ram ${base} ${ram_size}\n",
      {{"size", "128K"}});
  EXPECT_EQ(platform.router().regions()[0].size, 128u << 10);
}

TEST_F(PlatformBuilderTest, ReportsUnknownComponentTypes) {
  std::string text = kBoard;
  text.replace(text.find("uart16550 uart0"), 9, "uartx");
  const std::string error = build_error(text);
  EXPECT_NE(error.find("board.platform:3: unknown component type 'uartx' (known: clint, "
                       "goldfish_rtc, htif, memory, plic, riscv_hart, rom, sifive_test, uart16550, "
                       "virtio_mmio)"),
            std::string::npos)
      << error;
}

TEST_F(PlatformBuilderTest, ReportsUnknownComponentParameters) {
  std::string text = kBoard;
  text.replace(text.find("uart0\n"), 6, "uart0 baud=9600\n");
  EXPECT_EQ(build_error(text), "board.platform:3: uart0: unknown parameter 'baud' for uart16550");
  text = kBoard;
  text.replace(text.find("size=64K"), 8, "size=64K sise=1M");
  EXPECT_EQ(build_error(text), "board.platform:2: ram: unknown parameter 'sise' for memory");
}

TEST_F(PlatformBuilderTest, ReportsBadParameterValues) {
  std::string text = kBoard;
  text.replace(text.find("size=64K"), 8, "size=lots");
  EXPECT_NE(
      build_error(text).find("board.platform:2: ram: parameter 'size': 'lots' is not a number"),
      std::string::npos);
  text = kBoard;
  text.replace(text.find("harts=1"), 7, "harts=0");
  EXPECT_NE(build_error(text).find("board.platform:4: clint: parameter 'harts'"),
            std::string::npos);
}

TEST_F(PlatformBuilderTest, ReportsOverlappingRegionsWithTheLine) {
  std::string text = kBoard;
  text.replace(text.find("0x10000000"), 10, "0x8000f000");
  const std::string error = build_error(text);
  EXPECT_NE(error.find("board.platform:6: region 'uart0' [0x8000f000..0x8000f0ff] overlaps region "
                       "'ram' [0x80000000..0x8000ffff]"),
            std::string::npos)
      << error;
}

TEST_F(PlatformBuilderTest, ReportsUnmappedTargets) {
  std::string text = kBoard;
  text.erase(text.find("map uart0"), std::string("map uart0 0x10000000 0x100\n").size());
  EXPECT_EQ(build_error(text),
            "board.platform:3: 'uart0' (uart16550) is never mapped on the bus (add: map uart0 BASE "
            "SIZE)");
}

TEST_F(PlatformBuilderTest, ReportsInitiatorsThatReachNoMemory) {
  EXPECT_EQ(build_error("component riscv_hart hart0 isa=rv64i\n"
                        "component uart16550 uart0\n"
                        "map uart0 0x10000000 0x100\n"),
            "board.platform:1: 'hart0' (riscv_hart) cannot reach any memory through the bus");
}

TEST_F(PlatformBuilderTest, ReportsBadInterruptWiring) {
  std::string text = kBoard + "irq clint.msip1 -> hart0.msi\n";
  EXPECT_EQ(build_error(text), "board.platform:9: 'clint' (clint) has no interrupt output 'msip1'");
  text = kBoard + "irq clint.msip0 -> hart0.uei\n";
  EXPECT_EQ(build_error(text),
            "board.platform:9: 'hart0' (riscv_hart) has no interrupt input 'uei'");
  text = kBoard + "irq clint.mtip0 -> hart0.msi\n";
  EXPECT_EQ(build_error(text),
            "board.platform:9: interrupt output clint.mtip0 is already connected (at "
            "board.platform:8)");
  text = kBoard + "irq uart0.irq -> hart0.mti\n";
  EXPECT_EQ(build_error(text),
            "board.platform:9: interrupt input hart0.mti is already driven by clint.mtip0 (at "
            "board.platform:8)");
  text = kBoard + "irq clint.msip00 -> hart0.msi\n";
  EXPECT_NE(build_error(text).find("no interrupt output 'msip00'"), std::string::npos);
}

TEST_F(PlatformBuilderTest, ReportsMappingsOfComponentsWithoutTargets) {
  EXPECT_EQ(build_error(kBoard + "map hart0 0x0 0x1000\n"),
            "board.platform:9: 'hart0' (riscv_hart) has no target socket");
  EXPECT_EQ(build_error(kBoard + "map uart0.regs 0x0 0x1000\n"),
            "board.platform:9: 'uart0' (uart16550) has no target socket 'regs'");
}

TEST_F(PlatformBuilderTest, MapsANamedSocket) {
  std::string text = kBoard;
  text.replace(text.find("map uart0"), 9, "map uart0.socket");
  Platform platform = build(text);
  EXPECT_EQ(platform.router().describe_address(0x10000001), "uart0.socket+0x1");
}

TEST_F(PlatformBuilderTest, ReportsAMissingHostConsole) {
  m_context.console = nullptr;
  EXPECT_EQ(build_error(kBoard),
            "board.platform:3: uart0: needs a host console (none in this build)");
}

TEST_F(PlatformBuilderTest, AddsHtifAfterParsing) {
  Platform platform = build(kBoard);
  Component& htif = platform.add_component(
      "htif", "htif", {{"tohost", "0x80001000"}, {"fromhost", "0x80001040"}}, "prog.elf");
  EXPECT_NE(htif.initiator_socket(""), nullptr);
  EXPECT_EQ(platform.components().back().name, "htif");
  EXPECT_EQ(platform.components().back().origin, "prog.elf");
  platform.check();  // htif reaches ram through the bus
  EXPECT_NE(platform.to_dot().find("htif\\nhtif"), std::string::npos);

  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // its socket got bound
  auto* cpu = dynamic_cast<TestCpu*>(platform.cpus()[0]);
  // tohost = exit(0): device 0, command 0, payload (0 << 1) | 1.
  cpu->bus().write(0x80001000, 1, 8);
  sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_US));
  ASSERT_TRUE(m_sim_control.exit_code_.has_value());
  EXPECT_EQ(*m_sim_control.exit_code_, 0);

  try {
    platform.add_component("memory", "late", {{"size", "4K"}}, "prog.elf");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("once the simulation is elaborated"), std::string::npos);
  }
}

TEST_F(PlatformBuilderTest, AddComponentChecksNamesTypesAndParameters) {
  Platform platform = build(kBoard);
  EXPECT_THROW(platform.add_component("memory", "ram", {{"size", "4K"}}, "x"), ConfigError);
  EXPECT_THROW(platform.add_component("memory", "bus", {{"size", "4K"}}, "x"), ConfigError);
  EXPECT_THROW(platform.add_component("nosuch", "n", {}, "x"), ConfigError);
  try {
    platform.add_component("htif", "htif", {{"tohost", "0x10"}, {"fromhots", "0x20"}}, "prog.elf");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "prog.elf: htif: unknown parameter 'fromhots' for htif");
  }
}

TEST_F(PlatformBuilderTest, AddedTargetsMustBeMapped) {
  Platform platform = build(kBoard);
  platform.add_component("memory", "rom", {{"size", "4K"}}, "extra");
  EXPECT_THROW(platform.check(), ConfigError);
  platform.map("rom", "", 0x1000, 0x1000, "extra");
  platform.check();
  EXPECT_EQ(platform.router().describe_address(0x1004), "rom+0x4");
}

TEST_F(PlatformBuilderTest, RegistrationIsIdempotent) {
  register_builtin_components();
  register_builtin_components();
  Platform platform = build(kBoard);
  platform.reset();  // resets every component without complaint
  EXPECT_EQ(platform.components().size(), 4u);
}

}  // namespace
}  // namespace silica
