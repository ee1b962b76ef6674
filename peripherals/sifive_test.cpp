#include "peripherals/sifive_test.h"

#include "interconnect/sim_control.h"

namespace silica {

SifiveTest::SifiveTest(const sc_core::sc_module_name& name, SimControl& control)
    : sc_core::sc_module(name), socket("socket"), m_control(control) {
  socket.register_b_transport(this, &SifiveTest::b_transport);
  socket.register_transport_dbg(this, &SifiveTest::transport_dbg);
  m_regs.add("finisher", 0, 4).write_only().on_write([this](uint64_t v) {
    on_command(static_cast<uint32_t>(v));
  });
}

void SifiveTest::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay*/) {
  m_regs.access(trans);
}

unsigned SifiveTest::transport_dbg(tlm::tlm_generic_payload& trans) {
  return m_regs.debug_access(trans);
}

void SifiveTest::on_command(uint32_t value) {
  switch (value & 0xFFFF) {
    case kPass:
      m_control.request_exit(0);
      break;
    case kFail:
      m_control.request_exit(static_cast<int>(value >> 16));
      break;
    case kReset:
      m_control.request_reset();
      break;
    default:
      break;  // as on QEMU: unknown commands are ignored
  }
}

}  // namespace silica
