// SifiveTest finisher through its TLM socket; SimControl is a recorder.
#include <gtest/gtest.h>

#include <memory>

#include "peripherals/sifive_test.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

class SifiveTestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fresh_systemc_context();
    m_finisher = std::make_unique<SifiveTest>("finisher", m_control);
    m_driver = std::make_unique<TlmDriver>("driver");
    m_driver->socket.bind(m_finisher->socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  RecordingSimControl m_control;
  std::unique_ptr<SifiveTest> m_finisher;
  std::unique_ptr<TlmDriver> m_driver;
};

TEST_F(SifiveTestTest, PassExitsWithZero) {
  EXPECT_EQ(m_driver->write(0, 0x5555, 4), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 0);
  EXPECT_EQ(m_control.resets, 0u);
}

TEST_F(SifiveTestTest, PassIgnoresTheUpperHalf) {
  m_driver->write32(0, 0x00075555);
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 0);
}

TEST_F(SifiveTestTest, FailExitsWithTheUpperHalf) {
  m_driver->write32(0, (42u << 16) | 0x3333);
  ASSERT_EQ(m_control.exit_codes.size(), 1u);
  EXPECT_EQ(m_control.exit_codes[0], 42);
  m_driver->write32(0, 0xFFFF3333);
  ASSERT_EQ(m_control.exit_codes.size(), 2u);
  EXPECT_EQ(m_control.exit_codes[1], 0xFFFF);
}

TEST_F(SifiveTestTest, ResetRequestsAReset) {
  m_driver->write32(0, 0x7777);
  EXPECT_EQ(m_control.resets, 1u);
  EXPECT_TRUE(m_control.exit_codes.empty());
}

TEST_F(SifiveTestTest, OtherValuesAreIgnored) {
  m_driver->write32(0, 0x1234);
  m_driver->write32(0, 0x5556);
  m_driver->write32(0, 0x55550000);
  EXPECT_TRUE(m_control.exit_codes.empty());
  EXPECT_EQ(m_control.resets, 0u);
}

TEST_F(SifiveTestTest, ReadsReturnZero) {
  m_driver->write32(0, 0x1234);
  tlm::tlm_response_status status;
  EXPECT_EQ(m_driver->read(0, 4, &status), 0u);
  EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(debug_read(*m_driver, 0, 4), 0u);
}

TEST_F(SifiveTestTest, BadAccessesAreErrors) {
  tlm::tlm_response_status status;
  m_driver->read(4, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(m_driver->write(0, 0x5555, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  uint32_t value = 0x5555;
  unsigned char enables[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(
      timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, 0, &value, 4, sc_core::SC_ZERO_TIME, enables),
      tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_TRUE(m_control.exit_codes.empty());
}

}  // namespace
}  // namespace silica::test
