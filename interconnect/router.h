// The system bus: routes each transaction to the target mapped at its address.
//
// Initiators (cores, HTIF) bind to target_socket; targets are attached with
// map(), which binds initiator_socket to them and records their address range.
// Targets see addresses relative to their region base; the router restores the
// bus address before returning, and translates DMI grants and invalidations
// between the two address spaces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

namespace silica {

namespace detail {
// multi_passthrough_initiator_socket publishes its bound targets only after
// elaboration; the bus needs them as soon as they are bound, because loaders
// write RAM through it before the simulation starts.
template <typename Module>
class BusInitiatorSocket : public tlm_utils::multi_passthrough_initiator_socket<Module> {
 public:
  using tlm_utils::multi_passthrough_initiator_socket<Module>::multi_passthrough_initiator_socket;
  tlm::tlm_fw_transport_if<>* last_bound() { return this->m_sockets.back(); }
};
}  // namespace detail

// One mapped address range, as listed for diagnostics and platform dumps.
struct BusRegion {
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
};

class Router : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Router> target_socket;
  detail::BusInitiatorSocket<Router> initiator_socket;

  explicit Router(const sc_core::sc_module_name& name);

  // Binds initiator_socket to `target` and routes [base, base+size) to it.
  // Throws ConfigError on size 0, on a range past the end of the address
  // space, or on an overlap (naming both regions and their ranges).
  void map(tlm::tlm_target_socket<>& target, uint64_t base, uint64_t size, const std::string& name);

  // Debug access at a bus address, usable before elaboration (ELF loading).
  // Accesses are clipped at the end of the region holding the start address;
  // returns the number of bytes transferred (0 when unmapped).
  unsigned debug_transport(tlm::tlm_generic_payload& trans);

  // "uart0+0x5", or "unmapped".
  std::string describe_address(uint64_t address) const;
  // Mapped regions sorted by base address.
  std::vector<BusRegion> regions() const;

 private:
  struct Region {
    uint64_t base;
    uint64_t last_offset;  // size - 1, so a region may end at the top of the address space
    tlm::tlm_fw_transport_if<>* target;
    unsigned port;  // index on initiator_socket, as seen by invalidations
    std::string name;
  };

  // Region holding [address, address + span), span >= 1; nullptr if none.
  const Region* find(uint64_t address, uint64_t span);
  const Region* find_start(uint64_t address) const;

  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
  void end_of_elaboration() override;

  std::vector<Region> m_regions;  // sorted by base, disjoint
  size_t m_last_hit = 0;          // accesses cluster: try the previous region first
  bool m_elaborated = false;
};

}  // namespace silica
