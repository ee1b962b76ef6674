// Helpers shared by the peripheral unit tests: timed access with byte enables
// through a TlmDriver's socket, and a SimControl that records what the guest
// asked. (Debug-transport access is in tests/unit/support/tlm_driver.h.)
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>

#include "interconnect/sim_control.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {

// b_transport with a caller-chosen annotated delay and optional byte enables.
inline tlm::tlm_response_status timed_access(TlmDriver& driver, tlm::tlm_command cmd, uint64_t addr,
                                             void* data, unsigned len, sc_core::sc_time delay,
                                             unsigned char* byte_enable = nullptr) {
  tlm::tlm_generic_payload trans;
  prepare_payload(trans, cmd, addr, data, len);
  trans.set_byte_enable_ptr(byte_enable);
  trans.set_byte_enable_length(byte_enable != nullptr ? len : 0);
  driver.socket->b_transport(trans, delay);
  return trans.get_response_status();
}

class RecordingSimControl : public silica::SimControl {
 public:
  void request_exit(int exit_code) override { exit_codes.push_back(exit_code); }
  void request_reset() override { ++resets; }

  std::vector<int> exit_codes;
  unsigned resets = 0;
};

}  // namespace silica::test
