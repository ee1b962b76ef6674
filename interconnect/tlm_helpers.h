// Small helpers every TLM initiator and every message about addresses needs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <tlm>

namespace silica {

// Prepares `trans` for a plain access: no byte enables, streaming width =
// length, DMI hint cleared, response not yet given.
inline void prepare_payload(tlm::tlm_generic_payload& trans, tlm::tlm_command cmd, uint64_t addr,
                            void* data, unsigned len) {
  trans.set_command(cmd);
  trans.set_address(addr);
  trans.set_data_ptr(static_cast<unsigned char*>(data));
  trans.set_data_length(len);
  trans.set_streaming_width(len);
  trans.set_byte_enable_ptr(nullptr);
  trans.set_byte_enable_length(0);
  trans.set_dmi_allowed(false);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// "0x80000000": addresses in messages.
inline std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace silica
