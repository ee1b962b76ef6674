// SiFive CLINT / RISC-V ACLINT (MSWI + MTIMER) in the layout of QEMU's `virt`
// machine (base 0x2000000, size 0x10000):
//   msip[h]      32-bit at 0x0000 + 4*h   (bit 0 only)
//   mtimecmp[h]  64-bit at 0x4000 + 8*h
//   mtime        64-bit at 0xbff8
// 64-bit registers also accept 32-bit (and narrower) accesses to their parts.
//
// mtime is derived from simulated time, never ticked: it is the transaction's
// time (sc_time_stamp() + annotated delay, so cores running ahead under
// temporal decoupling read a consistent value) converted to timebase ticks,
// plus an offset that writes to mtime adjust. mtip[h] is the level
// mtime >= mtimecmp[h]; after each write the next crossing is scheduled as one
// timed event at the exact simulated time it happens.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "interconnect/irq.h"
#include "peripherals/register_bank.h"

namespace silica {

class Clint : public sc_core::sc_module {
 public:
  static constexpr uint64_t kMsipBase = 0x0000;
  static constexpr uint64_t kMtimecmpBase = 0x4000;
  static constexpr uint64_t kMtime = 0xbff8;
  static constexpr uint64_t kSize = 0x10000;
  static constexpr unsigned kMaxHarts = 4095;  // mtimecmp must stay below mtime

  tlm_utils::simple_target_socket<Clint> socket;
  std::vector<IrqLine> msip_irq;  // one per hart: machine software interrupt
  std::vector<IrqLine> mtip_irq;  // one per hart: machine timer interrupt

  Clint(const sc_core::sc_module_name& name, unsigned num_harts, uint64_t timebase_hz = 10'000'000);

  // mtime at the current simulated time (e.g. for the `time` CSR).
  uint64_t mtime_now() const { return mtime_at(sc_core::sc_time_stamp()); }
  // mtime at an arbitrary simulated time (a core's local time).
  uint64_t mtime_at(const sc_core::sc_time& time) const;
  unsigned num_harts() const { return static_cast<unsigned>(m_mtimecmp.size()); }
  uint64_t timebase_hz() const { return m_timebase_hz; }

  // Power-on state: msip clear, mtimecmp all ones, mtime restarting from 0.
  void reset();

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void declare_registers();

  uint64_t ticks_at(const sc_core::sc_time& time) const;
  // Earliest simulated time whose tick count reaches `ticks`; nullopt when
  // that lies beyond what sc_time can represent.
  std::optional<sc_core::sc_time> time_of_ticks(uint64_t ticks) const;
  // Sets every mtip level for time `now` and schedules the next crossing.
  void update_timers(const sc_core::sc_time& now);
  void on_timer_event();

  uint64_t m_timebase_hz;
  uint64_t m_units_per_second;  // sc_time resolution units in one second
  RegisterBank m_regs;
  sc_core::sc_event m_timer_event;
  std::vector<uint32_t> m_msip;
  std::vector<uint64_t> m_mtimecmp;
  uint64_t m_mtime_offset = 0;  // mtime - ticks, modulo 2^64
  // Time of the access being served: register callbacks have no payload.
  sc_core::sc_time m_access_time;
};

}  // namespace silica
