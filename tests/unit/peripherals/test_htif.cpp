// Htif polling a small RAM through its initiator socket, as it polls the real
// system bus; the test plays the guest by writing that RAM.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "peripherals/host_console.h"
#include "peripherals/htif.h"
#include "tests/unit/peripherals/peripheral_test_util.h"

namespace silica::test {
namespace {

using sc_core::sc_time;
using sc_core::SC_US;

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kToHost = kRamBase + 0x1000;
constexpr uint64_t kFromHost = kRamBase + 0x1040;
constexpr uint64_t kMagic = kRamBase + 0x2000;
constexpr uint64_t kBuffer = kRamBase + 0x3000;

// A RAM target at kRamBase; the HTIF only uses its debug interface.
class TestRam : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<TestRam> socket;
  std::vector<unsigned char> bytes = std::vector<unsigned char>(kRamSize, 0);

  explicit TestRam(const sc_core::sc_module_name& name) : sc_module(name), socket("socket") {
    socket.register_b_transport(this, &TestRam::b_transport);
    socket.register_transport_dbg(this, &TestRam::transport_dbg);
  }
  uint64_t load64(uint64_t addr) const {
    uint64_t v;
    std::memcpy(&v, &bytes[addr - kRamBase], 8);
    return v;
  }
  void store64(uint64_t addr, uint64_t v) { std::memcpy(&bytes[addr - kRamBase], &v, 8); }
  void store(uint64_t addr, const std::string& s) {
    std::memcpy(&bytes[addr - kRamBase], s.data(), s.size());
  }

 private:
  unsigned transport_dbg(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    if (addr < kRamBase || addr >= kRamBase + kRamSize) return 0;
    const unsigned len = static_cast<unsigned>(
        std::min<uint64_t>(trans.get_data_length(), kRamBase + kRamSize - addr));
    unsigned char* mem = &bytes[addr - kRamBase];
    if (trans.is_read()) {
      std::memcpy(trans.get_data_ptr(), mem, len);
    } else {
      std::memcpy(mem, trans.get_data_ptr(), len);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
  }
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    const unsigned n = transport_dbg(trans);
    trans.set_response_status(n == trans.get_data_length() ? tlm::TLM_OK_RESPONSE
                                                           : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }
};

class HtifTest : public ::testing::Test {
 protected:
  void build(std::string input = {}, uint64_t tohost = kToHost) {
    fresh_systemc_context();
    m_console = std::make_unique<BufferConsole>(std::move(input));
    m_ram = std::make_unique<TestRam>("ram");
    m_htif = std::make_unique<Htif>("htif", m_control, *m_console, tohost, kFromHost,
                                    sc_time(10, SC_US));
    m_htif->socket.bind(m_ram->socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  // The guest writes tohost; the device answers within one poll period.
  void guest_command(uint64_t value) {
    m_ram->store64(kToHost, value);
    sc_core::sc_start(sc_time(15, SC_US));
  }
  void set_magic(uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    m_ram->store64(kMagic, number);
    m_ram->store64(kMagic + 8, a0);
    m_ram->store64(kMagic + 16, a1);
    m_ram->store64(kMagic + 24, a2);
  }

  RecordingSimControl m_control;
  std::unique_ptr<BufferConsole> m_console;
  std::unique_ptr<TestRam> m_ram;
  std::unique_ptr<Htif> m_htif;
};

TEST_F(HtifTest, IdleWhileTohostIsZero) {
  build();
  sc_core::sc_start(sc_time(100, SC_US));
  EXPECT_TRUE(m_control.exit_codes.empty());
  EXPECT_EQ(m_ram->load64(kFromHost), 0u);
  EXPECT_TRUE(sc_core::sc_pending_activity());  // still polling
}

TEST_F(HtifTest, PassExit) {
  build();
  guest_command(1);  // (0 << 1) | 1
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 0);
  EXPECT_EQ(m_ram->load64(kToHost), 0u);
  EXPECT_TRUE(m_htif->exit_requested());
  EXPECT_FALSE(sc_core::sc_pending_activity());  // polling stopped
}

TEST_F(HtifTest, FailExitCarriesTheTestNumber) {
  build();
  guest_command((3 << 1) | 1);  // riscv-tests: test 3 failed
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 3);
}

TEST_F(HtifTest, ExitCodeWithZeroLowByteStillFails) {
  build();
  guest_command((256 << 1) | 1);
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 1);
}

TEST_F(HtifTest, SysWriteCopiesToConsoleAndReturnsLength) {
  build();
  m_ram->store(kBuffer, "hello, htif\n");
  set_magic(Htif::kSysWrite, 1, kBuffer, 12);
  guest_command(kMagic);
  EXPECT_EQ(m_console->output(), "hello, htif\n");
  EXPECT_EQ(m_ram->load64(kMagic), 12u);
  EXPECT_EQ(m_ram->load64(kFromHost), 1u);
  EXPECT_EQ(m_ram->load64(kToHost), 0u);
  EXPECT_TRUE(m_control.exit_codes.empty());
}

TEST_F(HtifTest, SysWriteToStderrAndBadFd) {
  build();
  m_ram->store(kBuffer, "err");
  set_magic(Htif::kSysWrite, 2, kBuffer, 3);
  guest_command(kMagic);
  EXPECT_EQ(m_console->output(), "err");
  m_ram->store64(kFromHost, 0);  // guest acknowledges
  set_magic(Htif::kSysWrite, 7, kBuffer, 3);
  guest_command(kMagic);
  EXPECT_EQ(m_console->output(), "err");
  EXPECT_EQ(static_cast<int64_t>(m_ram->load64(kMagic)), -9);  // EBADF
}

TEST_F(HtifTest, SysWriteLongerThanOneChunk) {
  build();
  std::string text;
  for (int i = 0; i < 1000; ++i) text.push_back(static_cast<char>('a' + i % 26));
  m_ram->store(kBuffer, text);
  set_magic(Htif::kSysWrite, 1, kBuffer, text.size());
  guest_command(kMagic);
  EXPECT_EQ(m_console->output(), text);
  EXPECT_EQ(m_ram->load64(kMagic), text.size());
}

TEST_F(HtifTest, UnknownSyscallIsEnosys) {
  build();
  set_magic(57 /* close */, 3);
  guest_command(kMagic);
  EXPECT_EQ(static_cast<int64_t>(m_ram->load64(kMagic)), -38);
  EXPECT_EQ(m_ram->load64(kFromHost), 1u);
  EXPECT_TRUE(m_control.exit_codes.empty());
}

TEST_F(HtifTest, SysExit) {
  build();
  set_magic(Htif::kSysExit, 5);
  guest_command(kMagic);
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 5);
  EXPECT_FALSE(sc_core::sc_pending_activity());
}

TEST_F(HtifTest, ResponseWaitsUntilGuestClearsFromhost) {
  build();
  m_ram->store64(kFromHost, 0x1234);  // previous response not yet consumed
  set_magic(99);
  guest_command(kMagic);
  EXPECT_EQ(m_ram->load64(kFromHost), 0x1234u);
  EXPECT_EQ(static_cast<int64_t>(m_ram->load64(kMagic)), -38);
  m_ram->store64(kFromHost, 0);
  sc_core::sc_start(sc_time(15, SC_US));
  EXPECT_EQ(m_ram->load64(kFromHost), 1u);
}

TEST_F(HtifTest, ConsolePutchar) {
  build();
  guest_command((uint64_t{1} << 56) | (uint64_t{1} << 48) | 'A');
  guest_command((uint64_t{1} << 56) | (uint64_t{1} << 48) | 'b');
  EXPECT_EQ(m_console->output(), "Ab");
  EXPECT_EQ(m_ram->load64(kToHost), 0u);
  EXPECT_EQ(m_ram->load64(kFromHost), 0u);  // putchar has no response
}

TEST_F(HtifTest, ConsoleGetchar) {
  build("z");
  guest_command(uint64_t{1} << 56);
  EXPECT_EQ(m_ram->load64(kFromHost), (uint64_t{1} << 56) | 'z');
  m_ram->store64(kFromHost, 0);
  guest_command(uint64_t{1} << 56);  // no more input
  EXPECT_EQ(m_ram->load64(kFromHost), (uint64_t{1} << 56) | 0xFFFFFFFFFFFFu);
}

TEST_F(HtifTest, UnknownDeviceIsClearedAndIgnored) {
  build();
  const auto saved =
      sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  guest_command(uint64_t{5} << 56 | 7);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, saved);
  EXPECT_EQ(m_ram->load64(kToHost), 0u);
  EXPECT_TRUE(m_control.exit_codes.empty());
  EXPECT_TRUE(m_console->output().empty());
}

TEST_F(HtifTest, UnreachableTohostDisablesPolling) {
  const auto saved =
      sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  build({}, 0x1000);  // not in RAM
  sc_core::sc_start(sc_time(50, SC_US));
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, saved);
  EXPECT_FALSE(sc_core::sc_pending_activity());
  EXPECT_TRUE(m_control.exit_codes.empty());
}

}  // namespace
}  // namespace silica::test
