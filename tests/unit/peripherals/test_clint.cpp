// Clint through its TLM socket; simulated time advanced with sc_start.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "peripherals/clint.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::sc_time;
using sc_core::SC_US;

constexpr uint64_t kMsip = 0x0000, kMtimecmp = 0x4000, kMtime = 0xbff8;

// An IrqProbe that also records when each level change happened, to check
// edges to the picosecond.
class TimedProbe : public IrqProbe {
 public:
  struct Change {
    unsigned line;
    bool level;
    sc_time when;
  };
  void set_irq_level(unsigned line, bool level) override {
    IrqProbe::set_irq_level(line, level);
    changes.push_back({line, level, sc_core::sc_time_stamp()});
  }
  std::vector<Change> changes;
};

// sc_start(t) stops at t before running what is due at t; this also settles
// that instant, so "at time t" checks see events scheduled for t.
void advance(const sc_time& duration) {
  sc_core::sc_start(duration);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

class ClintTest : public ::testing::Test {
 protected:
  void build(unsigned harts = 1, uint64_t hz = 10'000'000) {
    fresh_systemc_context();
    m_clint = std::make_unique<Clint>("clint", harts, hz);
    m_driver = std::make_unique<TlmDriver>("driver");
    m_driver->socket.bind(m_clint->socket);
    for (unsigned h = 0; h < harts; ++h) {
      m_clint->msip_irq[h].bind(m_msip, h);
      m_clint->mtip_irq[h].bind(m_mtip, h);
    }
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  uint64_t mtime() { return m_driver->read(kMtime, 8); }

  IrqProbe m_msip;
  TimedProbe m_mtip;
  std::unique_ptr<Clint> m_clint;
  std::unique_ptr<TlmDriver> m_driver;
};

TEST_F(ClintTest, MtimeFollowsSimulatedTime) {
  build();
  EXPECT_EQ(mtime(), 0u);
  advance(sc_time(1, SC_US));
  EXPECT_EQ(mtime(), 10u);
  advance(sc_time(2, sc_core::SC_SEC));
  EXPECT_EQ(mtime(), 20'000'010u);
  EXPECT_EQ(m_driver->read32(kMtime), 20'000'010u);
  EXPECT_EQ(m_driver->read32(kMtime + 4), 0u);
  EXPECT_EQ(m_clint->mtime_now(), 20'000'010u);
  EXPECT_EQ(debug_read(*m_driver, kMtime, 8), 20'000'010u);
}

TEST_F(ClintTest, ResetStateHasNoInterruptsAndNoEvents) {
  build(2);
  EXPECT_EQ(m_driver->read(kMtimecmp, 8), ~uint64_t{0});
  EXPECT_EQ(m_driver->read(kMtimecmp + 8, 8), ~uint64_t{0});
  EXPECT_EQ(m_driver->read32(kMsip), 0u);
  EXPECT_FALSE(m_mtip.level(0));
  EXPECT_FALSE(m_msip.level(0));
  EXPECT_FALSE(sc_core::sc_pending_activity());  // nothing ticks
}

TEST_F(ClintTest, MtipRisesExactlyWhenMtimeReachesMtimecmp) {
  build();
  m_driver->write(kMtimecmp, 100, 8);  // 100 ticks at 10 MHz = 10 us
  EXPECT_FALSE(m_mtip.level(0));
  advance(sc_time(9999, SC_NS));
  EXPECT_FALSE(m_mtip.level(0));
  EXPECT_EQ(mtime(), 99u);
  advance(sc_time(1, SC_NS));
  EXPECT_TRUE(m_mtip.level(0));
  EXPECT_EQ(mtime(), 100u);
  ASSERT_EQ(m_mtip.changes.size(), 1u);
  EXPECT_EQ(m_mtip.changes[0].when, sc_time(10, SC_US));
  EXPECT_TRUE(m_mtip.changes[0].level);
  EXPECT_FALSE(sc_core::sc_pending_activity());  // level stays, nothing rescheduled
}

TEST_F(ClintTest, EdgeIsExactWithNonIntegralTickPeriod) {
  build(1, 3'000'000);  // 333333.33 ps per tick
  m_driver->write(kMtimecmp, 10, 8);
  advance(sc_time(4, SC_US));
  ASSERT_EQ(m_mtip.changes.size(), 1u);
  // First instant with floor(t * 3e6 / 1e12) >= 10: ceil(10e12 / 3e6) ps.
  EXPECT_EQ(m_mtip.changes[0].when, sc_time(3333334, SC_PS));
  EXPECT_EQ(m_clint->mtime_at(sc_time(3333333, SC_PS)), 9u);
  EXPECT_EQ(m_clint->mtime_at(sc_time(3333334, SC_PS)), 10u);
}

TEST_F(ClintTest, RewritingMtimecmpMovesOrClearsTheInterrupt) {
  build();
  advance(sc_time(5, SC_US));  // mtime 50
  m_driver->write(kMtimecmp, 40, 8);
  EXPECT_TRUE(m_mtip.level(0));  // already passed: pending at once
  m_driver->write(kMtimecmp, 70, 8);
  EXPECT_FALSE(m_mtip.level(0));
  m_driver->write(kMtimecmp, 200, 8);  // the 70 deadline must be forgotten
  advance(sc_time(5, SC_US));
  EXPECT_FALSE(m_mtip.level(0));
  advance(sc_time(10, SC_US));
  EXPECT_TRUE(m_mtip.level(0));
  EXPECT_EQ(m_mtip.changes.back().when, sc_time(20, SC_US));
}

TEST_F(ClintTest, MtimecmpHalvesAsA32BitHartWritesThem) {
  build();
  m_driver->write32(kMtimecmp + 4, 0xFFFFFFFF);  // the usual safe sequence
  m_driver->write32(kMtimecmp, 30);
  m_driver->write32(kMtimecmp + 4, 0);
  EXPECT_EQ(m_driver->read(kMtimecmp, 8), 30u);
  EXPECT_EQ(m_driver->read32(kMtimecmp + 4), 0u);
  EXPECT_FALSE(m_mtip.level(0));
  advance(sc_time(3, SC_US));
  EXPECT_TRUE(m_mtip.level(0));
}

TEST_F(ClintTest, WritingMtimeShiftsTheCounterAndDeadlines) {
  build();
  advance(sc_time(2, SC_US));
  m_driver->write(kMtime, 1000, 8);
  EXPECT_EQ(mtime(), 1000u);
  advance(sc_time(1, SC_US));
  EXPECT_EQ(mtime(), 1010u);
  m_driver->write(kMtimecmp, 1050, 8);  // 40 ticks ahead: at 7 us
  advance(sc_time(10, SC_US));
  ASSERT_FALSE(m_mtip.changes.empty());
  EXPECT_EQ(m_mtip.changes.back().when, sc_time(7, SC_US));
  EXPECT_TRUE(m_mtip.level(0));
  m_driver->write32(kMtime + 4, 0x1);  // high half only
  EXPECT_EQ(mtime(), (uint64_t{1} << 32) + 1110);
  m_driver->write(kMtime, 0, 8);  // back before mtimecmp: interrupt drops
  EXPECT_FALSE(m_mtip.level(0));
}

TEST_F(ClintTest, AnnotatedDelayIsPartOfTheTransactionTime) {
  build();
  uint64_t value = 0;
  ASSERT_EQ(timed_access(*m_driver, tlm::TLM_READ_COMMAND, kMtime, &value, 8, sc_time(5, SC_US)),
            tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(value, 50u);
  // A core 5 us ahead sets a compare 1 us past its own time.
  value = 60;
  timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, kMtimecmp, &value, 8, sc_time(5, SC_US));
  EXPECT_FALSE(m_mtip.level(0));
  advance(sc_time(7, SC_US));
  ASSERT_EQ(m_mtip.changes.size(), 1u);
  EXPECT_EQ(m_mtip.changes[0].when, sc_time(6, SC_US));
  // And one whose local time is already past the compare raises it at once.
  value = 100;
  timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, kMtimecmp, &value, 8, sc_time(0, SC_US));
  EXPECT_FALSE(m_mtip.level(0));
  timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, kMtimecmp, &value, 8, sc_time(4, SC_US));
  EXPECT_TRUE(m_mtip.level(0));
}

TEST_F(ClintTest, MsipIsOneBitPerHart) {
  build(3);
  m_driver->write32(kMsip + 4, 1);
  EXPECT_TRUE(m_msip.level(1));
  EXPECT_FALSE(m_msip.level(0));
  EXPECT_FALSE(m_msip.level(2));
  EXPECT_EQ(m_driver->read32(kMsip + 4), 1u);
  m_driver->write32(kMsip + 4, 0xFFFFFFFE);
  EXPECT_FALSE(m_msip.level(1));
  EXPECT_EQ(m_driver->read32(kMsip + 4), 0u);
  m_driver->write32(kMsip + 8, 3);
  EXPECT_EQ(m_driver->read32(kMsip + 8), 1u);
  EXPECT_TRUE(m_msip.level(2));
}

TEST_F(ClintTest, TimersArePerHart) {
  build(2);
  m_driver->write(kMtimecmp + 8, 20, 8);  // hart 1: 2 us
  m_driver->write(kMtimecmp, 50, 8);      // hart 0: 5 us
  advance(sc_time(3, SC_US));
  EXPECT_FALSE(m_mtip.level(0));
  EXPECT_TRUE(m_mtip.level(1));
  advance(sc_time(3, SC_US));
  EXPECT_TRUE(m_mtip.level(0));
  ASSERT_EQ(m_mtip.changes.size(), 2u);
  EXPECT_EQ(m_mtip.changes[0].line, 1u);
  EXPECT_EQ(m_mtip.changes[0].when, sc_time(2, SC_US));
  EXPECT_EQ(m_mtip.changes[1].line, 0u);
  EXPECT_EQ(m_mtip.changes[1].when, sc_time(5, SC_US));
}

TEST_F(ClintTest, UnmappedOffsetsAreAddressErrors) {
  build(2);
  tlm::tlm_response_status status;
  m_driver->read(kMsip + 8, 4, &status);  // hart 2 does not exist
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(kMtimecmp + 16, 8, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(0xbff0, 8, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(kMtime + 4, 8, &status);  // runs past the end of mtime
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(0x10000, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(kMsip, 8, &status);  // spans msip0 and msip1
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_F(ClintTest, ResetClearsStateAndRestartsMtime) {
  build();
  advance(sc_time(3, SC_US));
  m_driver->write32(kMsip, 1);
  m_driver->write(kMtimecmp, 10, 8);
  EXPECT_TRUE(m_mtip.level(0));
  m_clint->reset();
  EXPECT_FALSE(m_msip.level(0));
  EXPECT_FALSE(m_mtip.level(0));
  EXPECT_EQ(mtime(), 0u);
  EXPECT_EQ(m_driver->read(kMtimecmp, 8), ~uint64_t{0});
}

TEST(ClintConstruction, RejectsBadParameters) {
  fresh_systemc_context();
  EXPECT_THROW(Clint("c0", 0), std::invalid_argument);
  EXPECT_THROW(Clint("c1", 1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace silica::test
