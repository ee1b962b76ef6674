#include "peripherals/clint.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace silica {

namespace {

using u128 = unsigned __int128;

}  // namespace

Clint::Clint(const sc_core::sc_module_name& name, unsigned num_harts, uint64_t timebase_hz)
    : sc_core::sc_module(name),
      socket("socket"),
      m_timebase_hz(timebase_hz),
      m_units_per_second(sc_core::sc_time(1, sc_core::SC_SEC).value()) {
  if (num_harts == 0 || num_harts > kMaxHarts) {
    throw std::invalid_argument("clint: number of harts must be 1.." + std::to_string(kMaxHarts));
  }
  if (timebase_hz == 0) throw std::invalid_argument("clint: timebase frequency must be non-zero");
  msip_irq.resize(num_harts);
  mtip_irq.resize(num_harts);
  m_msip.assign(num_harts, 0);
  m_mtimecmp.assign(num_harts, ~uint64_t{0});

  SC_HAS_PROCESS(Clint);
  socket.register_b_transport(this, &Clint::b_transport);
  socket.register_transport_dbg(this, &Clint::transport_dbg);
  declare_registers();

  SC_METHOD(on_timer_event);
  sensitive << m_timer_event;
  dont_initialize();

  reset();
}

void Clint::declare_registers() {
  for (unsigned hart = 0; hart < num_harts(); ++hart) {
    m_regs.add("msip" + std::to_string(hart), kMsipBase + 4 * uint64_t{hart}, 4)
        .writable_bits(0x1)
        .on_read([this, hart] { return m_msip[hart]; })
        .on_write([this, hart](uint64_t v) {
          m_msip[hart] = static_cast<uint32_t>(v & 1);
          msip_irq[hart].set(m_msip[hart] != 0);
        });
    m_regs.add("mtimecmp" + std::to_string(hart), kMtimecmpBase + 8 * uint64_t{hart}, 8)
        .reset_value(~uint64_t{0})
        .on_read([this, hart] { return m_mtimecmp[hart]; })
        .on_write([this, hart](uint64_t v) {
          m_mtimecmp[hart] = v;
          update_timers(m_access_time);
        });
  }
  m_regs.add("mtime", kMtime, 8)
      .on_read([this] { return mtime_at(m_access_time); })
      .on_write([this](uint64_t v) {
        m_mtime_offset = v - ticks_at(m_access_time);
        update_timers(m_access_time);
      });
}

void Clint::reset() {
  const sc_core::sc_time& now = sc_core::sc_time_stamp();
  for (unsigned hart = 0; hart < num_harts(); ++hart) {
    m_msip[hart] = 0;
    msip_irq[hart].lower();
    m_mtimecmp[hart] = ~uint64_t{0};
  }
  m_mtime_offset = uint64_t{0} - ticks_at(now);
  m_regs.reset();
  update_timers(now);
}

void Clint::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  m_access_time = sc_core::sc_time_stamp() + delay;
  m_regs.access(trans);
}

unsigned Clint::transport_dbg(tlm::tlm_generic_payload& trans) {
  m_access_time = sc_core::sc_time_stamp();
  return m_regs.debug_access(trans);
}

uint64_t Clint::ticks_at(const sc_core::sc_time& time) const {
  // 128-bit intermediate: picoseconds times a MHz-range rate overflows 64 bits.
  return static_cast<uint64_t>(u128{time.value()} * m_timebase_hz / m_units_per_second);
}

uint64_t Clint::mtime_at(const sc_core::sc_time& time) const {
  return ticks_at(time) + m_mtime_offset;
}

std::optional<sc_core::sc_time> Clint::time_of_ticks(uint64_t ticks) const {
  // ticks_at(t) = floor(t * hz / U) >= ticks  <=>  t >= ceil(ticks * U / hz).
  const u128 units = (u128{ticks} * m_units_per_second + m_timebase_hz - 1) / m_timebase_hz;
  if (units > std::numeric_limits<sc_dt::uint64>::max()) return std::nullopt;
  return sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(units));
}

void Clint::update_timers(const sc_core::sc_time& now) {
  const uint64_t mtime = mtime_at(now);
  const uint64_t now_ticks = ticks_at(now);
  std::optional<uint64_t> next_ticks;
  for (unsigned hart = 0; hart < num_harts(); ++hart) {
    const bool pending = mtime >= m_mtimecmp[hart];
    mtip_irq[hart].set(pending);
    if (pending) continue;
    // mtime reaches mtimecmp after (mtimecmp - mtime) more ticks; past 2^64
    // ticks it never happens in a representable time.
    const uint64_t remaining = m_mtimecmp[hart] - mtime;
    if (remaining > ~uint64_t{0} - now_ticks) continue;
    const uint64_t target = now_ticks + remaining;
    if (!next_ticks || target < *next_ticks) next_ticks = target;
  }
  m_timer_event.cancel();
  if (!next_ticks) return;
  const std::optional<sc_core::sc_time> when = time_of_ticks(*next_ticks);
  if (!when) return;
  // `now` may lie ahead of the kernel time (annotated delay); the crossing is
  // later than `now`, hence later than the kernel time too. The guard only
  // keeps a rounding slip from turning into an endless zero-delay loop.
  const sc_core::sc_time& kernel_now = sc_core::sc_time_stamp();
  const sc_core::sc_time one_unit = sc_core::sc_time::from_value(1);
  m_timer_event.notify(*when > kernel_now ? *when - kernel_now : one_unit);
}

void Clint::on_timer_event() {
  update_timers(sc_core::sc_time_stamp());
}

}  // namespace silica
