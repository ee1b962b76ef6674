#include "peripherals/goldfish_rtc.h"

#include <chrono>
#include <limits>

namespace silica {

namespace {

using u128 = unsigned __int128;

constexpr uint64_t kNsPerSecond = 1'000'000'000;

uint64_t host_wall_clock_ns() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
}

}  // namespace

GoldfishRtc::GoldfishRtc(const sc_core::sc_module_name& name, std::optional<uint64_t> start_ns)
    : sc_core::sc_module(name),
      socket("socket"),
      m_units_per_second(sc_core::sc_time(1, sc_core::SC_SEC).value()) {
  m_offset = start_ns.value_or(host_wall_clock_ns()) - ns_at(sc_core::sc_time_stamp());

  SC_HAS_PROCESS(GoldfishRtc);
  socket.register_b_transport(this, &GoldfishRtc::b_transport);
  socket.register_transport_dbg(this, &GoldfishRtc::transport_dbg);
  declare_registers();

  SC_METHOD(on_alarm_event);
  sensitive << m_alarm_event;
  dont_initialize();
}

void GoldfishRtc::declare_registers() {
  m_regs.add("TIME_LOW", kTimeLow, 4)
      .on_read([this] {
        const uint64_t now = time_at(m_access_time);
        m_time_high = static_cast<uint32_t>(now >> 32);
        return now & 0xFFFFFFFF;
      })
      .on_peek([this] { return time_at(m_access_time) & 0xFFFFFFFF; })
      .on_write([this](uint64_t v) { set_time_half(0, v); });
  m_regs.add("TIME_HIGH", kTimeHigh, 4)
      .on_read([this] { return m_time_high; })
      .on_write([this](uint64_t v) { set_time_half(32, v); });
  m_regs.add("ALARM_LOW", kAlarmLow, 4)
      .on_read([this] { return m_alarm & 0xFFFFFFFF; })
      .on_write([this](uint64_t v) {
        m_alarm = (m_alarm & ~uint64_t{0xFFFFFFFF}) | v;
        arm_alarm();
      });
  m_regs.add("ALARM_HIGH", kAlarmHigh, 4)
      .on_read([this] { return m_alarm >> 32; })
      .on_write([this](uint64_t v) { m_alarm = (m_alarm & 0xFFFFFFFF) | (v << 32); });
  m_regs.add("IRQ_ENABLED", kIrqEnabled, 4)
      .writable_bits(0x1)
      .on_read([this] { return uint64_t{m_irq_enabled}; })
      .on_write([this](uint64_t v) {
        m_irq_enabled = (v & 1) != 0;
        update_irq();
      });
  m_regs.add("CLEAR_ALARM", kClearAlarm, 4).write_only().on_write([this](uint64_t) {
    m_alarm_running = false;
    m_alarm_event.cancel();
  });
  m_regs.add("ALARM_STATUS", kAlarmStatus, 4).read_only().on_read([this] {
    return uint64_t{m_alarm_running};
  });
  m_regs.add("CLEAR_INTERRUPT", kClearInterrupt, 4).write_only().on_write([this](uint64_t) {
    m_irq_pending = false;
    update_irq();
  });
}

void GoldfishRtc::reset() {
  m_alarm_event.cancel();
  m_alarm = 0;
  m_alarm_running = false;
  m_irq_pending = false;
  m_irq_enabled = false;
  m_regs.reset();
  update_irq();
}

void GoldfishRtc::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  m_access_time = sc_core::sc_time_stamp() + delay;
  m_regs.access(trans);
}

unsigned GoldfishRtc::transport_dbg(tlm::tlm_generic_payload& trans) {
  m_access_time = sc_core::sc_time_stamp();
  return m_regs.debug_access(trans);
}

uint64_t GoldfishRtc::ns_at(const sc_core::sc_time& time) const {
  return static_cast<uint64_t>(u128{time.value()} * kNsPerSecond / m_units_per_second);
}

void GoldfishRtc::set_time_half(unsigned shift, uint64_t value) {
  const uint64_t current = time_at(m_access_time);
  const uint64_t mask = uint64_t{0xFFFFFFFF} << shift;
  const uint64_t wanted = (current & ~mask) | ((value << shift) & mask);
  m_offset += wanted - current;
  check_alarm(m_access_time);
}

void GoldfishRtc::arm_alarm() {
  m_alarm_running = true;
  check_alarm(m_access_time);
}

void GoldfishRtc::check_alarm(const sc_core::sc_time& now) {
  m_alarm_event.cancel();
  if (!m_alarm_running) return;
  const uint64_t clock = time_at(now);
  if (m_alarm <= clock) {
    m_alarm_running = false;
    m_irq_pending = true;
    update_irq();
    return;
  }
  // The clock reaches the alarm `remaining` ns after `now`; beyond what sc_time
  // can represent, it never does within this simulation.
  const uint64_t remaining = m_alarm - clock;
  const uint64_t now_ns = ns_at(now);
  if (remaining > std::numeric_limits<uint64_t>::max() - now_ns) return;
  // First instant whose ns_at() reaches the target: ceil(ns * U / 1e9).
  const u128 units =
      (u128{now_ns + remaining} * m_units_per_second + kNsPerSecond - 1) / kNsPerSecond;
  if (units > std::numeric_limits<sc_dt::uint64>::max()) return;
  const sc_core::sc_time when = sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(units));
  // `now` may lie ahead of the kernel time (annotated delay); the alarm is
  // later than `now`. The guard keeps a rounding slip from looping at one time.
  const sc_core::sc_time& kernel_now = sc_core::sc_time_stamp();
  m_alarm_event.notify(when > kernel_now ? when - kernel_now : sc_core::sc_time::from_value(1));
}

void GoldfishRtc::on_alarm_event() {
  check_alarm(sc_core::sc_time_stamp());
}

}  // namespace silica
