// QEMU's "sifive,test0" finisher (at 0x100000 on `virt`): a guest stops or
// resets the machine by writing one 32-bit word at offset 0.
//   low 16 bits 0x5555: pass, exit code 0
//   low 16 bits 0x3333: fail, exit code = bits 31:16
//   low 16 bits 0x7777: machine reset
// Other values are ignored; reads return 0. The device only asks SimControl:
// the runner decides when and how the simulation actually stops.
#pragma once

#include <cstdint>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "peripherals/register_bank.h"

namespace silica {

class SimControl;

class SifiveTest : public sc_core::sc_module {
 public:
  static constexpr uint32_t kFail = 0x3333;
  static constexpr uint32_t kPass = 0x5555;
  static constexpr uint32_t kReset = 0x7777;

  tlm_utils::simple_target_socket<SifiveTest> socket;

  SifiveTest(const sc_core::sc_module_name& name, SimControl& control);

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void on_command(uint32_t value);

  SimControl& m_control;
  RegisterBank m_regs;
};

}  // namespace silica
