// GoldfishRtc through its TLM socket, with a fixed start time so every value
// is exact; simulated time advanced with sc_start.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "peripherals/goldfish_rtc.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

constexpr uint64_t kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08, kAlarmHigh = 0x0c,
                   kIrqEnabled = 0x10, kClearAlarm = 0x14, kAlarmStatus = 0x18,
                   kClearInterrupt = 0x1c;
// 2023-11-14 22:13:20 UTC, in ns: the high half is not zero.
constexpr uint64_t kStart = 1'700'000'000ULL * 1'000'000'000ULL;

// Records when each level change happened.
class TimedProbe : public IrqProbe {
 public:
  void set_irq_level(unsigned line, bool level) override {
    IrqProbe::set_irq_level(line, level);
    changes.push_back({level, sc_core::sc_time_stamp()});
  }
  struct Change {
    bool level;
    sc_time when;
  };
  std::vector<Change> changes;
};

// sc_start(t) stops before running what is due at t; this also settles t.
void advance(const sc_time& duration) {
  sc_core::sc_start(duration);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

class RtcTest : public ::testing::Test {
 protected:
  void build(std::optional<uint64_t> start = kStart) {
    fresh_systemc_context();
    m_rtc = std::make_unique<GoldfishRtc>("rtc", start);
    m_driver = std::make_unique<TlmDriver>("driver");
    m_driver->socket.bind(m_rtc->socket);
    m_rtc->irq.bind(m_probe, 0);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  // The guest's sequence: TIME_LOW first, then the latched TIME_HIGH.
  uint64_t read_time() {
    const uint64_t low = m_driver->read32(kTimeLow);
    return (uint64_t{m_driver->read32(kTimeHigh)} << 32) | low;
  }
  // High half first: the low write arms the alarm.
  void set_alarm(uint64_t ns) {
    m_driver->write32(kAlarmHigh, static_cast<uint32_t>(ns >> 32));
    m_driver->write32(kAlarmLow, static_cast<uint32_t>(ns));
  }
  bool irq() const { return m_probe.level(0); }

  TimedProbe m_probe;
  std::unique_ptr<GoldfishRtc> m_rtc;
  std::unique_ptr<TlmDriver> m_driver;
};

TEST_F(RtcTest, TimeIsTheStartPlusSimulatedTime) {
  build();
  EXPECT_EQ(read_time(), kStart);
  advance(sc_time(1500, SC_NS));
  EXPECT_EQ(read_time(), kStart + 1500);
  advance(sc_time(2, sc_core::SC_SEC));
  EXPECT_EQ(read_time(), kStart + 2'000'001'500);
  EXPECT_EQ(m_rtc->time_now(), kStart + 2'000'001'500);
  EXPECT_FALSE(sc_core::sc_pending_activity());  // the clock does not tick events
}

TEST_F(RtcTest, SubNanosecondTimeRoundsDown) {
  build();
  advance(sc_time(999, sc_core::SC_PS));
  EXPECT_EQ(read_time(), kStart);
  advance(sc_time(1, sc_core::SC_PS));
  EXPECT_EQ(read_time(), kStart + 1);
}

TEST_F(RtcTest, ReadingTimeLowLatchesTheHighHalf) {
  const uint64_t start = (uint64_t{5} << 32) | 0xFFFFFF00;  // low half wraps 256 ns later
  build(start);
  EXPECT_EQ(m_driver->read32(kTimeLow), 0xFFFFFF00u);
  advance(sc_time(1, SC_US));
  EXPECT_EQ(m_driver->read32(kTimeHigh), 5u);  // latched before the wrap
  EXPECT_EQ(m_driver->read32(kTimeHigh), 5u);  // reading it does not relatch
  EXPECT_EQ(m_driver->read32(kTimeLow), 0x2E8u);
  EXPECT_EQ(m_driver->read32(kTimeHigh), 6u);
  // A debugger's read of TIME_LOW does not latch.
  advance(sc_time(4294967296.0, SC_NS));  // 4.3 s: the high half moves on
  EXPECT_EQ(debug_read(*m_driver, kTimeLow, 4), 0x2E8u);
  EXPECT_EQ(m_driver->read32(kTimeHigh), 6u);
  EXPECT_EQ(read_time(), start + 1000 + 0x100000000ULL);
}

TEST_F(RtcTest, DefaultStartIsTheHostClock) {
  const auto host_ns = [] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  };
  const uint64_t before = host_ns();
  build(std::nullopt);
  const uint64_t after = host_ns();
  const uint64_t time = read_time();
  EXPECT_GE(time, before);
  EXPECT_LE(time, after);
}

TEST_F(RtcTest, AnnotatedDelayIsPartOfTheAccessTime) {
  build();
  uint32_t low = 0;
  ASSERT_EQ(timed_access(*m_driver, tlm::TLM_READ_COMMAND, kTimeLow, &low, 4, sc_time(5, SC_US)),
            tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(low, static_cast<uint32_t>(kStart + 5000));
}

TEST_F(RtcTest, AlarmFiresExactlyWhenTheClockReachesIt) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  set_alarm(kStart + 10'000);  // 10 us from now
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 1u);
  EXPECT_EQ(m_driver->read32(kAlarmLow), static_cast<uint32_t>(kStart + 10'000));
  EXPECT_EQ(m_driver->read32(kAlarmHigh), static_cast<uint32_t>((kStart + 10'000) >> 32));
  advance(sc_time(9999, SC_NS));
  EXPECT_FALSE(irq());
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 1u);
  advance(sc_time(1, SC_NS));
  EXPECT_TRUE(irq());
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 0u);
  ASSERT_EQ(m_probe.changes.size(), 1u);
  EXPECT_EQ(m_probe.changes[0].when, sc_time(10, SC_US));
  EXPECT_FALSE(sc_core::sc_pending_activity());
}

TEST_F(RtcTest, AlarmArmedFromAheadOfKernelTime) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  // A core 3 us ahead of the kernel arms an alarm 2 us past its own time.
  uint32_t high = static_cast<uint32_t>((kStart + 5000) >> 32);
  uint32_t low = static_cast<uint32_t>(kStart + 5000);
  timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, kAlarmHigh, &high, 4, sc_time(3, SC_US));
  timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, kAlarmLow, &low, 4, sc_time(3, SC_US));
  EXPECT_FALSE(irq());
  advance(sc_time(10, SC_US));
  ASSERT_EQ(m_probe.changes.size(), 1u);
  EXPECT_EQ(m_probe.changes[0].when, sc_time(5, SC_US));
}

TEST_F(RtcTest, AlarmInThePastFiresAtOnce) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  advance(sc_time(1, SC_US));
  set_alarm(kStart + 1000);  // exactly now
  EXPECT_TRUE(irq());
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 0u);
  m_driver->write32(kClearInterrupt, 1);
  EXPECT_FALSE(irq());
  set_alarm(kStart);
  EXPECT_TRUE(irq());
}

TEST_F(RtcTest, IrqEnabledGatesTheLineNotTheAlarm) {
  build();
  set_alarm(kStart + 100);
  advance(sc_time(1, SC_US));
  EXPECT_FALSE(irq());  // fired, but interrupts are disabled
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 0u);
  m_driver->write32(kIrqEnabled, 0xFFFFFFFF);
  EXPECT_EQ(m_driver->read32(kIrqEnabled), 1u);
  EXPECT_TRUE(irq());  // the fired alarm was remembered
  m_driver->write32(kIrqEnabled, 0);
  EXPECT_FALSE(irq());
  m_driver->write32(kIrqEnabled, 1);
  EXPECT_TRUE(irq());
}

TEST_F(RtcTest, ClearInterruptLowersTheLineUntilTheNextAlarm) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  set_alarm(kStart + 1000);
  advance(sc_time(2, SC_US));
  EXPECT_TRUE(irq());
  m_driver->write32(kClearInterrupt, 1);
  EXPECT_FALSE(irq());
  advance(sc_time(2, SC_US));
  EXPECT_FALSE(irq());  // the alarm fires once
  set_alarm(kStart + 5000);
  advance(sc_time(2, SC_US));
  EXPECT_TRUE(irq());
  EXPECT_EQ(m_probe.changes.back().when, sc_time(5, SC_US));
}

TEST_F(RtcTest, ClearAlarmDisarms) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  set_alarm(kStart + 3000);
  m_driver->write32(kClearAlarm, 1);
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 0u);
  advance(sc_time(10, SC_US));
  EXPECT_FALSE(irq());
  EXPECT_TRUE(m_probe.changes.empty());
  EXPECT_FALSE(sc_core::sc_pending_activity());
}

TEST_F(RtcTest, RearmingReplacesTheEarlierAlarm) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  set_alarm(kStart + 2000);
  set_alarm(kStart + 6000);
  advance(sc_time(4, SC_US));
  EXPECT_FALSE(irq());
  advance(sc_time(4, SC_US));
  EXPECT_TRUE(irq());
  ASSERT_EQ(m_probe.changes.size(), 1u);
  EXPECT_EQ(m_probe.changes[0].when, sc_time(6, SC_US));
}

TEST_F(RtcTest, SettingTheTimeMovesTheClockAndArmedAlarms) {
  build();
  advance(sc_time(1, SC_US));
  const uint64_t wanted = 0x0000000A'00001000ULL;
  m_driver->write32(kTimeHigh, 0xA);
  m_driver->write32(kTimeLow, 0x1000);
  EXPECT_EQ(read_time(), wanted);
  advance(sc_time(1, SC_US));
  EXPECT_EQ(read_time(), wanted + 1000);
  // An armed alarm follows the new time: 3 us ahead now...
  m_driver->write32(kIrqEnabled, 1);
  set_alarm(wanted + 4000);
  // ...and 1 us ahead after moving the clock 2 us forward.
  m_driver->write32(kTimeLow, static_cast<uint32_t>(wanted + 3000));
  advance(sc_time(999, SC_NS));
  EXPECT_FALSE(irq());
  advance(sc_time(1, SC_NS));
  EXPECT_TRUE(irq());
  EXPECT_EQ(m_probe.changes.back().when, sc_time(3, SC_US));
  // Setting the time past an armed alarm fires it at once.
  m_driver->write32(kClearInterrupt, 1);
  set_alarm(wanted + 1'000'000);
  m_driver->write32(kTimeHigh, 0xB);
  EXPECT_TRUE(irq());
}

TEST_F(RtcTest, WriteOnlyAndReadOnlyRegisters) {
  build();
  EXPECT_EQ(m_driver->read32(kClearAlarm), 0u);
  EXPECT_EQ(m_driver->read32(kClearInterrupt), 0u);
  EXPECT_EQ(m_driver->write(kAlarmStatus, 1, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 0u);
}

TEST_F(RtcTest, UnmappedOffsetsAreAddressErrors) {
  build();
  tlm::tlm_response_status status;
  for (uint64_t offset : {0x20u, 0x24u, 0x100u, 0xFFCu}) {
    m_driver->read(offset, 4, &status);
    EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE) << offset;
    EXPECT_EQ(m_driver->write(offset, 0, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE) << offset;
  }
  m_driver->read(kTimeLow, 8, &status);  // spans TIME_LOW and TIME_HIGH
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_F(RtcTest, ResetDisarmsAndClearsButKeepsTheClock) {
  build();
  m_driver->write32(kIrqEnabled, 1);
  set_alarm(kStart + 500);
  advance(sc_time(1, SC_US));
  EXPECT_TRUE(irq());
  set_alarm(kStart + 5000);
  m_rtc->reset();
  EXPECT_FALSE(irq());
  EXPECT_EQ(m_driver->read32(kIrqEnabled), 0u);
  EXPECT_EQ(m_driver->read32(kAlarmStatus), 0u);
  EXPECT_EQ(m_driver->read32(kAlarmLow), 0u);
  EXPECT_EQ(read_time(), kStart + 1000);
  m_driver->write32(kIrqEnabled, 1);
  advance(sc_time(10, SC_US));
  EXPECT_FALSE(irq());  // the alarm armed before the reset is gone
}

}  // namespace
}  // namespace silica::test
