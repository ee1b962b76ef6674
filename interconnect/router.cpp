#include "interconnect/router.h"
#include "interconnect/tlm_helpers.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "platforms/component.h"  // ConfigError (header-only)

namespace silica {
namespace {

std::string describe_range(const std::string& name, uint64_t base, uint64_t last_offset) {
  return "'" + name + "' [" + hex(base) + ".." + hex(base + last_offset) + "]";
}

// The bytes a transaction touches: with a streaming width below the length,
// only the first `width` addresses are used.
uint64_t span_of(const tlm::tlm_generic_payload& trans) {
  const unsigned length = trans.get_data_length();
  const unsigned width = trans.get_streaming_width();
  const unsigned span = (width != 0 && width < length) ? width : length;
  return span == 0 ? 1 : span;
}

}  // namespace

Router::Router(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket") {
  target_socket.register_b_transport(this, &Router::b_transport);
  target_socket.register_transport_dbg(this, &Router::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::map(tlm::tlm_target_socket<>& target, uint64_t base, uint64_t size,
                 const std::string& name) {
  if (size == 0) throw ConfigError("region '" + name + "' at " + hex(base) + " has size 0");
  const uint64_t last_offset = size - 1;
  if (last_offset > std::numeric_limits<uint64_t>::max() - base) {
    throw ConfigError("region '" + name + "' at " + hex(base) + " with size " + hex(size) +
                      " extends past the end of the address space");
  }
  auto next = std::upper_bound(m_regions.begin(), m_regions.end(), base,
                               [](uint64_t b, const Region& r) { return b < r.base; });
  const Region* clash = nullptr;
  if (next != m_regions.end() && next->base - base <= last_offset) clash = &*next;
  if (next != m_regions.begin()) {
    const Region& prev = *std::prev(next);
    if (base - prev.base <= prev.last_offset) clash = &prev;
  }
  if (clash != nullptr) {
    throw ConfigError("region " + describe_range(name, base, last_offset) + " overlaps region " +
                      describe_range(clash->name, clash->base, clash->last_offset));
  }

  const auto port = static_cast<unsigned>(m_regions.size());
  initiator_socket.bind(target);
  m_regions.insert(next, Region{base, last_offset, initiator_socket.last_bound(), port, name});
  m_last_hit = 0;
}

const Router::Region* Router::find(uint64_t address, uint64_t span) {
  if (m_regions.empty()) return nullptr;
  const Region* region = &m_regions[m_last_hit];
  uint64_t offset = address - region->base;  // wraps when below base: then > last_offset
  if (offset > region->last_offset) {
    auto next = std::upper_bound(m_regions.begin(), m_regions.end(), address,
                                 [](uint64_t a, const Region& r) { return a < r.base; });
    if (next == m_regions.begin()) return nullptr;
    region = &*std::prev(next);
    offset = address - region->base;
    if (offset > region->last_offset) return nullptr;
    m_last_hit = static_cast<size_t>(region - m_regions.data());
  }
  // Straddling the end of the region is an error, not a split access.
  if (span - 1 > region->last_offset - offset) return nullptr;
  return region;
}

const Router::Region* Router::find_start(uint64_t address) const {
  auto next = std::upper_bound(m_regions.begin(), m_regions.end(), address,
                               [](uint64_t a, const Region& r) { return a < r.base; });
  if (next == m_regions.begin()) return nullptr;
  const Region& region = *std::prev(next);
  return address - region.base <= region.last_offset ? &region : nullptr;
}

void Router::b_transport(int /*id*/, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address();
  const Region* region = find(address, span_of(trans));
  if (region == nullptr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  trans.set_address(address - region->base);
  region->target->b_transport(trans, delay);
  trans.set_address(address);
}

unsigned Router::debug_transport(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  const Region* region = find(address, 1);
  if (region == nullptr) return 0;
  const unsigned length = trans.get_data_length();
  const uint64_t room = region->last_offset - (address - region->base) + 1;  // 0 means 2^64
  const unsigned clipped = (room != 0 && room < length) ? static_cast<unsigned>(room) : length;
  trans.set_address(address - region->base);
  trans.set_data_length(clipped);
  const unsigned done = region->target->transport_dbg(trans);
  trans.set_data_length(length);
  trans.set_address(address);
  return done;
}

unsigned Router::transport_dbg(int /*id*/, tlm::tlm_generic_payload& trans) {
  return debug_transport(trans);
}

bool Router::get_direct_mem_ptr(int /*id*/, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t address = trans.get_address();
  const Region* region = find(address, 1);
  if (region == nullptr) {
    // Deny DMI over the whole hole so the initiator does not ask again inside it.
    auto next = std::upper_bound(m_regions.begin(), m_regions.end(), address,
                                 [](uint64_t a, const Region& r) { return a < r.base; });
    uint64_t start = 0;
    if (next != m_regions.begin()) {
      const Region& prev = *std::prev(next);
      start = prev.base + prev.last_offset + 1;
    }
    dmi.set_start_address(start);
    dmi.set_end_address(next == m_regions.end() ? std::numeric_limits<uint64_t>::max()
                                                : next->base - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
    return false;
  }
  trans.set_address(address - region->base);
  const bool granted = region->target->get_direct_mem_ptr(trans, dmi);
  trans.set_address(address);
  // The target speaks region offsets; clip to the region before rebasing, so a
  // target claiming more than it was mapped with cannot leak past its window.
  uint64_t start = dmi.get_start_address();
  uint64_t end = std::min<uint64_t>(dmi.get_end_address(), region->last_offset);
  if (start > end) start = end = address - region->base;  // claim lies outside: keep it local
  if (granted && dmi.get_dmi_ptr() != nullptr && start > dmi.get_start_address()) {
    dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (start - dmi.get_start_address()));
  }
  dmi.set_start_address(region->base + start);
  dmi.set_end_address(region->base + end);
  return granted;
}

void Router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
  auto it = std::find_if(m_regions.begin(), m_regions.end(),
                         [port](const Region& r) { return r.port == static_cast<unsigned>(port); });
  if (it == m_regions.end() || start > it->last_offset || start > end) return;
  const uint64_t bus_start = it->base + start;
  const uint64_t bus_end = it->base + std::min<uint64_t>(end, it->last_offset);
  // The initiators' side of the socket is only complete after elaboration;
  // before that nobody can hold a DMI pointer anyway.
  if (!m_elaborated) return;
  for (unsigned i = 0; i < target_socket.size(); ++i) {
    target_socket[static_cast<int>(i)]->invalidate_direct_mem_ptr(bus_start, bus_end);
  }
}

void Router::end_of_elaboration() {
  m_elaborated = true;
}

std::string Router::describe_address(uint64_t address) const {
  const Region* region = find_start(address);
  if (region == nullptr) return "unmapped";
  return region->name + "+" + hex(address - region->base);
}

std::vector<BusRegion> Router::regions() const {
  std::vector<BusRegion> out;
  out.reserve(m_regions.size());
  for (const Region& r : m_regions) out.push_back({r.name, r.base, r.last_offset + 1});
  return out;
}

}  // namespace silica
