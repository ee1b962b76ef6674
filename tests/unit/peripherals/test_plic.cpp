// Plic through its TLM socket; devices are played by calls to set_irq_level
// and the context outputs are watched with an IrqProbe.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "peripherals/plic.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

constexpr uint64_t kPending = 0x1000, kEnable = 0x2000, kContext = 0x200000;

uint64_t priority_reg(unsigned source) {
  return 4 * uint64_t{source};
}
uint64_t enable_reg(unsigned context, unsigned word = 0) {
  return kEnable + 0x80 * uint64_t{context} + 4 * uint64_t{word};
}
uint64_t threshold_reg(unsigned context) {
  return kContext + 0x1000 * uint64_t{context};
}
uint64_t claim_reg(unsigned context) {
  return threshold_reg(context) + 4;
}

class PlicTest : public ::testing::Test {
 protected:
  // virt's shape by default: 96 sources (ids 1..95), two harts' contexts.
  void build(unsigned sources = 96, unsigned contexts = 4) {
    fresh_systemc_context();
    m_plic = std::make_unique<Plic>("plic", sources, contexts);
    m_driver = std::make_unique<TlmDriver>("driver");
    m_driver->socket.bind(m_plic->socket);
    for (unsigned c = 0; c < contexts; ++c) m_plic->context_irq[c].bind(m_probe, c);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  void set_priority(unsigned source, uint32_t priority) {
    m_driver->write32(priority_reg(source), priority);
  }
  void enable(unsigned context, unsigned source) {
    const uint64_t reg = enable_reg(context, source / 32);
    m_driver->write32(reg, m_driver->read32(reg) | (1U << (source % 32)));
  }
  void set_threshold(unsigned context, uint32_t threshold) {
    m_driver->write32(threshold_reg(context), threshold);
  }
  uint32_t claim(unsigned context) { return m_driver->read32(claim_reg(context)); }
  void complete(unsigned context, uint32_t source) {
    m_driver->write32(claim_reg(context), source);
  }
  bool eip(unsigned context) const { return m_probe.level(context); }
  bool pending(unsigned source) {
    return ((m_driver->read32(kPending + 4 * (source / 32)) >> (source % 32)) & 1) != 0;
  }
  void raise(unsigned source) { m_plic->set_irq_level(source, true); }
  void lower(unsigned source) { m_plic->set_irq_level(source, false); }

  IrqProbe m_probe;
  std::unique_ptr<Plic> m_plic;
  std::unique_ptr<TlmDriver> m_driver;
};

TEST_F(PlicTest, ResetStateIsAllZeroAndQuiet) {
  build();
  for (unsigned s : {0u, 1u, 10u, 95u}) EXPECT_EQ(m_driver->read32(priority_reg(s)), 0u) << s;
  for (unsigned w = 0; w < 3; ++w) {
    EXPECT_EQ(m_driver->read32(kPending + 4 * w), 0u);
    for (unsigned c = 0; c < 4; ++c) EXPECT_EQ(m_driver->read32(enable_reg(c, w)), 0u);
  }
  for (unsigned c = 0; c < 4; ++c) {
    EXPECT_EQ(m_driver->read32(threshold_reg(c)), 0u);
    EXPECT_EQ(claim(c), 0u);
    EXPECT_FALSE(eip(c));
  }
  EXPECT_EQ(m_probe.changes(), 0u);
}

TEST_F(PlicTest, PrioritiesAndThresholdsHoldZeroToSeven) {
  build();
  set_priority(5, 0xFFFFFFFF);
  EXPECT_EQ(m_driver->read32(priority_reg(5)), 7u);
  set_priority(5, 3);
  EXPECT_EQ(m_driver->read32(priority_reg(5)), 3u);
  set_priority(5, 0x10);  // bit 4 does not exist: priority 0
  EXPECT_EQ(m_driver->read32(priority_reg(5)), 0u);
  set_threshold(1, 0xFF);
  EXPECT_EQ(m_driver->read32(threshold_reg(1)), 7u);
  EXPECT_EQ(m_driver->read32(threshold_reg(0)), 0u);
  // Source 0 does not exist: its priority slot stays 0.
  set_priority(0, 7);
  EXPECT_EQ(m_driver->read32(priority_reg(0)), 0u);
}

TEST_F(PlicTest, EnableBitsExistOnlyForRealSources) {
  build(40, 2);  // ids 1..39: word 0 all but bit 0, word 1 bits 0..7
  m_driver->write32(enable_reg(0, 0), 0xFFFFFFFF);
  m_driver->write32(enable_reg(0, 1), 0xFFFFFFFF);
  EXPECT_EQ(m_driver->read32(enable_reg(0, 0)), 0xFFFFFFFEu);
  EXPECT_EQ(m_driver->read32(enable_reg(0, 1)), 0xFFu);
  EXPECT_EQ(m_driver->read32(enable_reg(1, 0)), 0u);  // context 1 untouched
}

TEST_F(PlicTest, AssertedEnabledSourceAboveThresholdRaisesTheContext) {
  build();
  set_priority(10, 1);
  raise(10);
  EXPECT_TRUE(pending(10));
  EXPECT_FALSE(eip(0));  // not enabled anywhere yet
  enable(0, 10);
  EXPECT_TRUE(eip(0));
  EXPECT_FALSE(eip(1));
  EXPECT_FALSE(eip(2));
}

TEST_F(PlicTest, ThresholdMasksPrioritiesAtOrBelowIt) {
  build();
  enable(0, 3);
  raise(3);
  EXPECT_FALSE(eip(0));  // priority 0 never interrupts
  set_priority(3, 4);
  EXPECT_TRUE(eip(0));
  set_threshold(0, 4);  // equal: masked
  EXPECT_FALSE(eip(0));
  set_threshold(0, 3);
  EXPECT_TRUE(eip(0));
  set_threshold(0, 7);
  EXPECT_FALSE(eip(0));
  set_priority(3, 7);  // equal to the maximum threshold: still masked
  EXPECT_FALSE(eip(0));
  set_threshold(0, 6);
  EXPECT_TRUE(eip(0));
  set_priority(3, 0);
  EXPECT_FALSE(eip(0));
}

TEST_F(PlicTest, ClaimReturnsHighestPriorityThenLowestId) {
  build();
  for (unsigned s : {4u, 9u, 33u, 70u}) enable(0, s);
  set_priority(4, 2);
  set_priority(9, 5);
  set_priority(33, 5);
  set_priority(70, 6);
  for (unsigned s : {70u, 33u, 9u, 4u}) raise(s);
  EXPECT_EQ(debug_read(*m_driver, claim_reg(0), 4), 70u);  // a debugger's peek claims nothing
  EXPECT_TRUE(pending(70));
  EXPECT_EQ(claim(0), 70u);
  EXPECT_FALSE(pending(70));
  EXPECT_EQ(claim(0), 9u);  // ties at 5: the lower id first
  EXPECT_EQ(claim(0), 33u);
  EXPECT_TRUE(eip(0));  // source 4 still waits
  EXPECT_EQ(claim(0), 4u);
  EXPECT_FALSE(eip(0));
  EXPECT_EQ(claim(0), 0u);
}

TEST_F(PlicTest, ClaimOfNothingReturnsZero) {
  build();
  EXPECT_EQ(claim(0), 0u);
  set_priority(6, 3);
  raise(6);
  EXPECT_EQ(claim(0), 0u);  // pending but not enabled for context 0
  EXPECT_TRUE(pending(6));
  enable(0, 6);
  set_priority(6, 0);
  EXPECT_EQ(claim(0), 0u);  // enabled but priority 0
  EXPECT_TRUE(pending(6));
}

TEST_F(PlicTest, ClaimIgnoresTheThreshold) {
  build();
  enable(1, 12);
  set_priority(12, 2);
  set_threshold(1, 7);
  raise(12);
  EXPECT_FALSE(eip(1));
  EXPECT_EQ(claim(1), 12u);  // polling with notifications off
  EXPECT_FALSE(pending(12));
}

TEST_F(PlicTest, GatewayForwardsAgainOnlyAfterCompletion) {
  build();
  enable(0, 10);
  set_priority(10, 1);
  raise(10);
  EXPECT_EQ(claim(0), 10u);
  EXPECT_FALSE(eip(0));
  // Still asserted, and toggling the input while in service changes nothing:
  // the gateway waits for the completion.
  lower(10);
  raise(10);
  EXPECT_FALSE(pending(10));
  EXPECT_EQ(claim(0), 0u);
  complete(0, 10);  // input still high: a new request at once
  EXPECT_TRUE(pending(10));
  EXPECT_TRUE(eip(0));
  EXPECT_EQ(claim(0), 10u);
  lower(10);
  complete(0, 10);  // input low now: nothing more
  EXPECT_FALSE(pending(10));
  EXPECT_FALSE(eip(0));
  raise(10);  // the next assertion is a new request
  EXPECT_TRUE(pending(10));
  EXPECT_TRUE(eip(0));
}

TEST_F(PlicTest, LoweringTheInputDoesNotRetractARequest) {
  build();
  enable(0, 20);
  set_priority(20, 1);
  raise(20);
  lower(20);
  EXPECT_TRUE(pending(20));
  EXPECT_TRUE(eip(0));
  EXPECT_EQ(claim(0), 20u);
}

TEST_F(PlicTest, CompletionOfASourceNotEnabledForTheContextIsIgnored) {
  build();
  enable(0, 7);
  set_priority(7, 1);
  raise(7);
  EXPECT_EQ(claim(0), 7u);
  complete(1, 7);  // context 1 does not have source 7 enabled
  EXPECT_FALSE(pending(7));
  EXPECT_EQ(claim(0), 0u);
  complete(0, 0);  // id 0 and ids past the last source are ignored too
  complete(0, 96);
  complete(0, 0xFFFFFFFF);
  EXPECT_FALSE(pending(7));
  complete(0, 7);
  EXPECT_TRUE(pending(7));
  EXPECT_EQ(claim(0), 7u);
}

TEST_F(PlicTest, CompletionOfAnUnclaimedSourceChangesNothing) {
  build();
  enable(0, 8);
  enable(0, 9);
  set_priority(8, 1);
  set_priority(9, 1);
  complete(0, 8);  // idle gateway: no request appears
  EXPECT_FALSE(pending(8));
  EXPECT_FALSE(eip(0));
  raise(9);
  complete(0, 9);  // pending, never claimed: still exactly one request
  EXPECT_TRUE(pending(9));
  EXPECT_EQ(claim(0), 9u);
  EXPECT_EQ(claim(0), 0u);
}

TEST_F(PlicTest, EnablesArePerContext) {
  build();
  set_priority(1, 1);
  set_priority(2, 1);
  enable(0, 1);  // hart 0 M-mode
  enable(3, 2);  // hart 1 S-mode
  raise(2);
  EXPECT_FALSE(eip(0));
  EXPECT_FALSE(eip(1));
  EXPECT_FALSE(eip(2));
  EXPECT_TRUE(eip(3));
  EXPECT_EQ(claim(0), 0u);  // context 0 cannot claim source 2
  raise(1);
  EXPECT_TRUE(eip(0));
  EXPECT_FALSE(eip(2));
  EXPECT_EQ(claim(3), 2u);
  EXPECT_FALSE(eip(3));
  EXPECT_TRUE(eip(0));
}

TEST_F(PlicTest, SharedSourceIsClaimedByWhicheverContextComesFirst) {
  build();
  enable(0, 5);
  enable(2, 5);
  set_priority(5, 3);
  raise(5);
  EXPECT_TRUE(eip(0));
  EXPECT_TRUE(eip(2));
  EXPECT_EQ(claim(2), 5u);
  EXPECT_FALSE(eip(0));  // the other context's notification goes away
  EXPECT_EQ(claim(0), 0u);
  complete(2, 5);
}

TEST_F(PlicTest, DisablingAnEnableDropsTheOutputButKeepsThePendingBit) {
  build();
  enable(1, 40);
  set_priority(40, 2);
  raise(40);
  EXPECT_TRUE(eip(1));
  m_driver->write32(enable_reg(1, 1), 0);
  EXPECT_FALSE(eip(1));
  EXPECT_TRUE(pending(40));
  EXPECT_EQ(m_driver->read32(kPending + 4), 1u << 8);
}

TEST_F(PlicTest, PendingBitsAreReadOnly) {
  build();
  raise(3);
  m_driver->write32(kPending, 0);
  EXPECT_TRUE(pending(3));
  m_driver->write32(kPending, 0xFFFFFFFF);
  EXPECT_EQ(m_driver->read32(kPending), 1u << 3);
}

TEST_F(PlicTest, InputsOutsideTheSourceRangeAreIgnored) {
  build();
  m_plic->set_irq_level(0, true);
  m_plic->set_irq_level(96, true);
  m_plic->set_irq_level(5000, true);
  for (unsigned w = 0; w < 3; ++w) EXPECT_EQ(m_driver->read32(kPending + 4 * w), 0u);
}

TEST_F(PlicTest, UnmappedOffsetsAreAddressErrors) {
  build(96, 2);
  tlm::tlm_response_status status;
  const uint64_t bad[] = {
      priority_reg(96),      // past the last source
      0xFFC,                 // priority of source 1023
      kPending + 12,         // pending word 3: sources 96..127
      enable_reg(0, 3),      // enable word 3 of context 0
      enable_reg(2, 0),      // context 2 does not exist
      threshold_reg(2),      //
      claim_reg(2),          //
      threshold_reg(0) + 8,  // reserved word after claim/complete
      0x1FFFFC,              // reserved end of the enable area
      0x5FFFFC,              // last word of virt's window
  };
  for (uint64_t offset : bad) {
    m_driver->read(offset, 4, &status);
    EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << offset;
    EXPECT_EQ(m_driver->write(offset, 1, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << offset;
  }
  m_driver->read(priority_reg(1), 8, &status);  // spans two registers
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Debug transport answers the same way.
  unsigned char bytes[4] = {};
  EXPECT_EQ(debug_access(*m_driver, tlm::TLM_READ_COMMAND, claim_reg(2), bytes, 4), 0u);
}

TEST_F(PlicTest, ResetClearsStateAndRerequestsAssertedInputs) {
  build();
  enable(0, 10);
  enable(0, 11);
  set_priority(10, 1);
  set_priority(11, 1);
  set_threshold(0, 0);
  raise(10);
  raise(11);
  lower(11);
  EXPECT_EQ(claim(0), 10u);  // 10 in service, 11 pending with its input low
  m_plic->reset();
  EXPECT_FALSE(eip(0));
  EXPECT_EQ(m_driver->read32(enable_reg(0)), 0u);
  EXPECT_EQ(m_driver->read32(priority_reg(10)), 0u);
  EXPECT_TRUE(pending(10));  // still asserted: the fresh gateway requests again
  EXPECT_FALSE(pending(11));
  enable(0, 10);
  set_priority(10, 1);
  EXPECT_TRUE(eip(0));
}

TEST_F(PlicTest, NarrowAccessesReachTheRightBits) {
  build();
  m_driver->write8(enable_reg(0) + 1, 0x04);  // source 10 = bit 2 of byte 1
  EXPECT_EQ(m_driver->read32(enable_reg(0)), 1u << 10);
  set_priority(10, 1);
  raise(10);
  EXPECT_EQ(m_driver->read8(kPending + 1), 0x04);
  EXPECT_TRUE(eip(0));
}

TEST(PlicConstruction, RejectsBadParameters) {
  fresh_systemc_context();
  EXPECT_THROW(Plic("p0", 1, 2), std::invalid_argument);
  EXPECT_THROW(Plic("p1", 1025, 2), std::invalid_argument);
  EXPECT_THROW(Plic("p2", 96, 0), std::invalid_argument);
  EXPECT_THROW(Plic("p3", 96, Plic::kMaxContexts + 1), std::invalid_argument);
}

}  // namespace
}  // namespace silica::test
