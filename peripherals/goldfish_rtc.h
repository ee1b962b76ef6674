// Goldfish real-time clock as on QEMU's `virt` machine (compatible
// "google,goldfish-rtc", base 0x101000, PLIC source 11). Registers, 32-bit:
//   0x00 TIME_LOW         read: low half of the time; latches the high half
//   0x04 TIME_HIGH        read: the high half latched by the last TIME_LOW read
//   0x08 ALARM_LOW        write: low half of the alarm, and arms it
//   0x0c ALARM_HIGH       write: high half of the alarm (write it first)
//   0x10 IRQ_ENABLED      bit 0: the alarm interrupt reaches `irq`
//   0x14 CLEAR_ALARM      write: disarms the alarm
//   0x18 ALARM_STATUS     read: 1 while an alarm is armed and has not fired
//   0x1c CLEAR_INTERRUPT  write: acknowledges a fired alarm
// Writing TIME_LOW or TIME_HIGH sets that half of the time. Other offsets are
// TLM address errors.
//
// Time is in nanoseconds since 1970: a start value plus the simulated time of
// the access (sc_time_stamp() + annotated delay, as the CLINT does). The start
// value is the host's wall clock when the model is built unless the caller
// fixes it, which makes runs reproducible. An alarm fires as one timed event
// at the exact simulated time the clock reaches it; arming one at or before
// the current time fires at once, as on QEMU. Setting the time re-evaluates an
// armed alarm against the new time. `irq` is "alarm fired and not cleared"
// and IRQ_ENABLED; it is a level, as on QEMU.
#pragma once

#include <cstdint>
#include <optional>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "interconnect/irq.h"
#include "peripherals/register_bank.h"

namespace silica {

class GoldfishRtc : public sc_core::sc_module {
 public:
  static constexpr uint64_t kTimeLow = 0x00;
  static constexpr uint64_t kTimeHigh = 0x04;
  static constexpr uint64_t kAlarmLow = 0x08;
  static constexpr uint64_t kAlarmHigh = 0x0c;
  static constexpr uint64_t kIrqEnabled = 0x10;
  static constexpr uint64_t kClearAlarm = 0x14;
  static constexpr uint64_t kAlarmStatus = 0x18;
  static constexpr uint64_t kClearInterrupt = 0x1c;

  tlm_utils::simple_target_socket<GoldfishRtc> socket;
  IrqLine irq;

  // `start_ns`: the time (ns since 1970) at simulated time 0; by default the
  // host's wall clock now.
  explicit GoldfishRtc(const sc_core::sc_module_name& name,
                       std::optional<uint64_t> start_ns = std::nullopt);

  // The clock at a simulated time (ns since 1970).
  uint64_t time_at(const sc_core::sc_time& time) const { return ns_at(time) + m_offset; }
  uint64_t time_now() const { return time_at(sc_core::sc_time_stamp()); }

  // Machine reset: alarm disarmed, interrupt cleared and disabled. The clock
  // keeps running, as a battery-backed one does.
  void reset();

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void declare_registers();

  // Nanoseconds in a simulated time, rounded down.
  uint64_t ns_at(const sc_core::sc_time& time) const;
  // Replaces half of the time (shift 0 or 32) as seen at m_access_time.
  void set_time_half(unsigned shift, uint64_t value);
  void arm_alarm();
  // Fires an armed alarm that is due at `now`, or schedules its event.
  void check_alarm(const sc_core::sc_time& now);
  void on_alarm_event();
  void update_irq() { irq.set(m_irq_pending && m_irq_enabled); }

  uint64_t m_units_per_second;  // sc_time resolution units in one second
  uint64_t m_offset;            // time - simulated ns, modulo 2^64
  RegisterBank m_regs;
  sc_core::sc_event m_alarm_event;
  uint64_t m_alarm = 0;
  uint32_t m_time_high = 0;  // latched by TIME_LOW reads
  bool m_alarm_running = false;
  bool m_irq_pending = false;
  bool m_irq_enabled = false;
  // Time of the access being served: register callbacks have no payload.
  sc_core::sc_time m_access_time;
};

}  // namespace silica
