// Plain RAM on the system bus.
//
// Backed by an anonymous private mapping: the kernel hands out zero pages on
// first touch, so a large guest RAM costs host memory only where the guest
// actually writes. Cores normally bypass b_transport through the DMI pointer
// granted over the whole RAM.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

namespace silica {

class Memory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Memory> socket;

  // Throws ConfigError if size_bytes is 0 or the host cannot reserve the range.
  // A read-only memory (a boot ROM) answers guest writes with a command error
  // and grants read-only DMI; debug writes (loaders) still fill it.
  Memory(const sc_core::sc_module_name& name, uint64_t size_bytes,
         const sc_core::sc_time& latency = sc_core::SC_ZERO_TIME, bool read_only = false);
  ~Memory() override;
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  // Called after each write through the socket (b_transport or debug
  // transport), with the host bytes written: what DMI writers do not see.
  // Code caches watch RAM this way (CodePages), and so does a replay
  // recording (device DMA is an input of the harts' run).
  using WriteHook = std::function<void(const uint8_t* host, uint64_t size)>;
  void add_write_hook(WriteHook hook) { m_write_hooks.push_back(std::move(hook)); }

  // Writes bytes at `offset` as a bus write would, hooks included (a replay
  // applies recorded DMA this way). False if they do not fit.
  bool write_bytes(uint64_t offset, const uint8_t* data, uint64_t size);

  // For loaders and tests: offset 0 of the RAM, valid for size() bytes.
  uint8_t* host_pointer() { return m_data; }
  uint64_t size() const { return m_size; }
  bool read_only() const { return m_read_only; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  // Byte enables and streaming widths: rare, so kept off the memcpy path.
  void masked_access(tlm::tlm_generic_payload& trans, uint64_t address, unsigned length);

  uint8_t* m_data = nullptr;
  uint64_t m_size = 0;
  sc_core::sc_time m_latency;
  bool m_read_only = false;
  void written(const uint8_t* host, uint64_t size) const {
    for (const WriteHook& hook : m_write_hooks) hook(host, size);
  }

  std::vector<WriteHook> m_write_hooks;
};

}  // namespace silica
