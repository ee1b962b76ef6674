// Test-side TLM initiator: drives a component through its real target socket.
//
// Tests call read/write from the test body (outside any SystemC process); the
// models under test are loosely timed and never wait() inside b_transport, so
// that is legal. Advance simulated time with sc_core::sc_start(t) in between.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <cstdint>
#include <cstring>
#include <systemc>
#include <tlm>

#include "interconnect/irq.h"
#include "interconnect/tlm_helpers.h"

namespace silica::test {

// SystemC keeps one global simulation context per process and forbids new
// modules once a simulation has started. Each test that builds modules calls
// this first so tests stay independent even when run in one process.
inline void fresh_systemc_context() {
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

class TlmDriver : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TlmDriver> socket;

  explicit TlmDriver(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), socket("socket") {}

  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                  sc_core::sc_time* delay_out = nullptr) {
    tlm::tlm_generic_payload trans;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    prepare_payload(trans, cmd, addr, data, len);
    socket->b_transport(trans, delay);
    if (delay_out != nullptr) *delay_out = delay;
    return trans.get_response_status();
  }

  tlm::tlm_response_status write(uint64_t addr, uint64_t value, unsigned len) {
    unsigned char bytes[8];
    std::memcpy(bytes, &value, sizeof bytes);  // little-endian host, as the guest
    return access(tlm::TLM_WRITE_COMMAND, addr, bytes, len);
  }

  // Returns the value read; the response status goes to *status when given.
  uint64_t read(uint64_t addr, unsigned len, tlm::tlm_response_status* status = nullptr) {
    unsigned char bytes[8] = {};
    auto st = access(tlm::TLM_READ_COMMAND, addr, bytes, len);
    if (status != nullptr) *status = st;
    uint64_t value = 0;
    std::memcpy(&value, bytes, len);
    return value;
  }

  uint32_t read32(uint64_t addr) { return static_cast<uint32_t>(read(addr, 4)); }
  void write32(uint64_t addr, uint32_t value) { write(addr, value, 4); }
  uint8_t read8(uint64_t addr) { return static_cast<uint8_t>(read(addr, 1)); }
  void write8(uint64_t addr, uint8_t value) { write(addr, value, 1); }
};

// transport_dbg through the driver's socket; returns bytes transferred.
inline unsigned debug_access(TlmDriver& driver, tlm::tlm_command cmd, uint64_t addr, void* data,
                             unsigned len) {
  tlm::tlm_generic_payload trans;
  prepare_payload(trans, cmd, addr, data, len);
  return driver.socket->transport_dbg(trans);
}

inline uint64_t debug_read(TlmDriver& driver, uint64_t addr, unsigned len) {
  unsigned char bytes[8] = {};
  debug_access(driver, tlm::TLM_READ_COMMAND, addr, bytes, len);
  uint64_t value = 0;
  std::memcpy(&value, bytes, len);
  return value;
}

// An interrupt sink that remembers the current level of each input.
class IrqProbe : public silica::IrqSink {
 public:
  void set_irq_level(unsigned line, bool level) override {
    if (line < kLines) m_levels[line] = level;
    ++m_changes;
  }
  bool level(unsigned line = 0) const { return line < kLines && m_levels[line]; }
  unsigned changes() const { return m_changes; }

 private:
  static constexpr unsigned kLines = 64;
  bool m_levels[kLines] = {};
  unsigned m_changes = 0;
};

}  // namespace silica::test
