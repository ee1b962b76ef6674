// RegisterBank, exercised through a small device that serves its target
// socket with a bank, as every peripheral does.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "peripherals/register_bank.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

class BankDevice : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<BankDevice> socket;
  RegisterBank regs;

  // Device state behind callbacks, and what the callbacks saw.
  uint64_t wide = 0x1111222233334444;
  std::vector<uint64_t> wide_writes;
  unsigned wide_reads = 0;
  uint32_t status = 0xABCD;
  std::vector<uint64_t> command_writes;
  uint32_t w1c_flags = 0;
  std::vector<uint8_t> fifo = {'x', 'y'};

  explicit BankDevice(const sc_core::sc_module_name& name) : sc_module(name), socket("socket") {
    socket.register_b_transport(this, &BankDevice::b_transport);
    socket.register_transport_dbg(this, &BankDevice::transport_dbg);
    regs.add("plain", 0x00, 4).reset_value(0x12345678);
    regs.add("status", 0x04, 4).read_only().on_read([this] { return status; });
    regs.add("command", 0x08, 4).write_only().on_write([this](uint64_t v) {
      command_writes.push_back(v);
    });
    regs.add("flags", 0x0C, 4)
        .write_1_to_clear()
        .on_read([this] { return w1c_flags; })
        .on_write([this](uint64_t v) { w1c_flags = static_cast<uint32_t>(v); });
    regs.add("wide", 0x10, 8)
        .on_read([this] {
          ++wide_reads;
          return wide;
        })
        .on_write([this](uint64_t v) {
          wide = v;
          wide_writes.push_back(v);
        });
    regs.add("byte", 0x18, 1).reset_value(0x5A);
    regs.add("masked", 0x1C, 4).reset_value(0xF0).writable_bits(0x0F);
    regs.add("fifo", 0x20, 1)
        .read_only()
        .on_read([this] {
          if (fifo.empty()) return uint64_t{0};
          uint8_t b = fifo.front();
          fifo.erase(fifo.begin());
          return uint64_t{b};
        })
        .on_peek([this] { return fifo.empty() ? uint64_t{0} : uint64_t{fifo.front()}; });
    // 0x21..0x27 is a hole.
    regs.add("half", 0x28, 2).reset_value(0xBEEF);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) { regs.access(trans); }
  unsigned transport_dbg(tlm::tlm_generic_payload& trans) { return regs.debug_access(trans); }
};

class RegisterBankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fresh_systemc_context();
    m_device = std::make_unique<BankDevice>("dev");
    m_driver = std::make_unique<TlmDriver>("drv");
    m_driver->socket.bind(m_device->socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  std::unique_ptr<BankDevice> m_device;
  std::unique_ptr<TlmDriver> m_driver;
};

TEST_F(RegisterBankTest, ResetValuesAndFullWidthReadWrite) {
  EXPECT_EQ(m_driver->read32(0x00), 0x12345678u);
  EXPECT_EQ(m_driver->read(0x18, 1), 0x5Au);
  EXPECT_EQ(m_driver->read(0x28, 2), 0xBEEFu);
  EXPECT_EQ(m_driver->write(0x00, 0xCAFEF00D, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(m_driver->read32(0x00), 0xCAFEF00Du);
  EXPECT_EQ(m_device->regs.size(), 9u);
  ASSERT_NE(m_device->regs.name_at(0x2A - 1), nullptr);
  EXPECT_EQ(*m_device->regs.name_at(0x29), "half");
  EXPECT_EQ(m_device->regs.name_at(0x24), nullptr);
}

TEST_F(RegisterBankTest, NarrowAccessesExtractAndMergeBytes) {
  EXPECT_EQ(m_driver->read(0x01, 1), 0x56u);
  EXPECT_EQ(m_driver->read(0x02, 2), 0x1234u);
  EXPECT_EQ(m_driver->write(0x01, 0xAA, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(m_driver->read32(0x00), 0x1234AA78u);
  EXPECT_EQ(m_driver->write(0x02, 0xBBCC, 2), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(m_driver->read32(0x00), 0xBBCCAA78u);
}

TEST_F(RegisterBankTest, HalvesOfA64BitRegisterGoThroughCallbacks) {
  EXPECT_EQ(m_driver->read(0x10, 8), 0x1111222233334444u);
  EXPECT_EQ(m_driver->read32(0x10), 0x33334444u);
  EXPECT_EQ(m_driver->read32(0x14), 0x11112222u);
  m_driver->write32(0x14, 0xDEADBEEF);
  ASSERT_EQ(m_device->wide_writes.size(), 1u);
  EXPECT_EQ(m_device->wide_writes[0], 0xDEADBEEF33334444u);  // merged, then handed over
  m_driver->write32(0x10, 0x01020304);
  EXPECT_EQ(m_device->wide, 0xDEADBEEF01020304u);
  EXPECT_EQ(m_driver->read(0x10, 8), 0xDEADBEEF01020304u);
}

TEST_F(RegisterBankTest, FullWriteDoesNotReadTheRegister) {
  const unsigned reads_before = m_device->wide_reads;
  m_driver->write(0x10, 0x0102030405060708, 8);
  EXPECT_EQ(m_device->wide_reads, reads_before);
  EXPECT_EQ(m_device->wide, 0x0102030405060708u);
}

TEST_F(RegisterBankTest, ReadOnlyIgnoresWrites) {
  EXPECT_EQ(m_driver->read32(0x04), 0xABCDu);
  EXPECT_EQ(m_driver->write(0x04, 0x1, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(m_device->status, 0xABCDu);
  EXPECT_EQ(m_driver->read32(0x04), 0xABCDu);
}

TEST_F(RegisterBankTest, WriteOnlyReadsZeroAndDeliversWrites) {
  m_driver->write32(0x08, 0x77);
  EXPECT_EQ(m_driver->read32(0x08), 0u);
  ASSERT_EQ(m_device->command_writes.size(), 1u);
  EXPECT_EQ(m_device->command_writes[0], 0x77u);
}

TEST_F(RegisterBankTest, WriteOneToClear) {
  m_device->w1c_flags = 0b1011;
  m_driver->write32(0x0C, 0b0010);
  EXPECT_EQ(m_device->w1c_flags, 0b1001u);
  EXPECT_EQ(m_driver->read32(0x0C), 0b1001u);
  m_driver->write32(0x0C, 0);
  EXPECT_EQ(m_device->w1c_flags, 0b1001u);
}

TEST_F(RegisterBankTest, WritableMaskKeepsOtherBits) {
  m_driver->write32(0x1C, 0xFFFFFFF5);
  EXPECT_EQ(m_driver->read32(0x1C), 0xF5u);
}

TEST_F(RegisterBankTest, DebugReadUsesPeekWithoutSideEffects) {
  EXPECT_EQ(debug_read(*m_driver, 0x20, 1), uint64_t{'x'});
  EXPECT_EQ(debug_read(*m_driver, 0x20, 1), uint64_t{'x'});
  EXPECT_EQ(m_device->fifo.size(), 2u);
  EXPECT_EQ(m_driver->read(0x20, 1), uint64_t{'x'});
  EXPECT_EQ(m_driver->read(0x20, 1), uint64_t{'y'});
  EXPECT_TRUE(m_device->fifo.empty());
}

TEST_F(RegisterBankTest, DebugAccessReportsBytesAndErrors) {
  uint32_t value = 0;
  EXPECT_EQ(debug_access(*m_driver, tlm::TLM_READ_COMMAND, 0x00, &value, 4), 4u);
  EXPECT_EQ(value, 0x12345678u);
  value = 0x55;
  EXPECT_EQ(debug_access(*m_driver, tlm::TLM_WRITE_COMMAND, 0x00, &value, 4), 4u);
  EXPECT_EQ(m_driver->read32(0x00), 0x55u);
  EXPECT_EQ(debug_access(*m_driver, tlm::TLM_READ_COMMAND, 0x24, &value, 4), 0u);
}

TEST_F(RegisterBankTest, UnmappedAndSpanningAccessesAreAddressErrors) {
  tlm::tlm_response_status status;
  m_driver->read(0x24, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(0x00, 8, &status);  // plain + status
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(0x1A, 4, &status);  // runs off "byte" into the hole
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(0xFFFFFFFFFFFFFFFC, 8, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(m_driver->write(0x03, 0xFFFF, 2), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(m_driver->read32(0x00), 0x12345678u);  // the failed write changed nothing
}

TEST_F(RegisterBankTest, ByteEnablesAreRejected) {
  uint32_t value = 0xFFFFFFFF;
  unsigned char enables[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, 0x00, &value, 4, sc_core::SC_ZERO_TIME,
                         enables),
            tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_EQ(m_driver->read32(0x00), 0x12345678u);
}

TEST_F(RegisterBankTest, AnySizeAtAnyOffsetAnswersWithoutCrashing) {
  for (uint64_t offset = 0; offset < 0x40; ++offset) {
    for (unsigned len = 1; len <= 8; ++len) {
      tlm::tlm_response_status status;
      m_driver->read(offset, len, &status);
      EXPECT_TRUE(status == tlm::TLM_OK_RESPONSE || status == tlm::TLM_ADDRESS_ERROR_RESPONSE)
          << "offset " << offset << " len " << len;
    }
  }
}

TEST_F(RegisterBankTest, ResetRestoresStoredValues) {
  m_driver->write32(0x00, 0);
  m_driver->write(0x18, 0, 1);
  m_device->regs.reset();
  EXPECT_EQ(m_driver->read32(0x00), 0x12345678u);
  EXPECT_EQ(m_driver->read(0x18, 1), 0x5Au);
}

TEST(RegisterBankDeclaration, RejectsOverlapsAndBadSizes) {
  RegisterBank bank;
  bank.add("a", 0x10, 4);
  EXPECT_THROW(bank.add("b", 0x12, 1), std::invalid_argument);
  EXPECT_THROW(bank.add("c", 0x0C, 8), std::invalid_argument);
  EXPECT_THROW(bank.add("d", 0x20, 3), std::invalid_argument);
  EXPECT_NO_THROW(bank.add("e", 0x0C, 4));
  EXPECT_NO_THROW(bank.add("f", 0x14, 8));
  EXPECT_EQ(bank.size(), 3u);
}

}  // namespace
}  // namespace silica::test
