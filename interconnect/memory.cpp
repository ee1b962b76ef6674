#include "interconnect/memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "platforms/component.h"  // ConfigError (header-only)

namespace silica {

Memory::Memory(const sc_core::sc_module_name& name, uint64_t size_bytes,
               const sc_core::sc_time& latency, bool read_only)
    : sc_core::sc_module(name),
      socket("socket"),
      m_size(size_bytes),
      m_latency(latency),
      m_read_only(read_only) {
  if (size_bytes == 0) throw ConfigError(std::string(this->name()) + ": memory size must not be 0");
  if (size_bytes > SIZE_MAX) {
    throw ConfigError(std::string(this->name()) + ": memory size does not fit the host");
  }
  // MAP_NORESERVE: guest RAM is sparse in practice, so don't let overcommit
  // accounting refuse a big RAM the guest will never fill.
  void* p = mmap(nullptr, static_cast<size_t>(size_bytes), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    throw ConfigError(std::string(this->name()) + ": cannot reserve " + std::to_string(size_bytes) +
                      " bytes of host memory: " + std::strerror(errno));
  }
  m_data = static_cast<uint8_t*>(p);
  socket.register_b_transport(this, &Memory::b_transport);
  socket.register_transport_dbg(this, &Memory::transport_dbg);
  socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr);
}

Memory::~Memory() {
  if (m_data != nullptr) munmap(m_data, static_cast<size_t>(m_size));
}

void Memory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address();
  const unsigned length = trans.get_data_length();
  const unsigned width = trans.get_streaming_width();
  // With a streaming width below the length only the first `width` bytes are addressed.
  const uint64_t span = (width != 0 && width < length) ? width : length;
  if (address >= m_size || span > m_size - address) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const tlm::tlm_command command = trans.get_command();
  if (m_read_only && command == tlm::TLM_WRITE_COMMAND) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (trans.get_byte_enable_ptr() != nullptr || span != length) {
    if (command != tlm::TLM_IGNORE_COMMAND) masked_access(trans, address, length);
  } else if (command == tlm::TLM_READ_COMMAND) {
    std::memcpy(trans.get_data_ptr(), m_data + address, length);
  } else if (command == tlm::TLM_WRITE_COMMAND) {
    std::memcpy(m_data + address, trans.get_data_ptr(), length);
  }
  if (command == tlm::TLM_WRITE_COMMAND) written(m_data + address, span);
  delay += m_latency;
  trans.set_dmi_allowed(true);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Memory::masked_access(tlm::tlm_generic_payload& trans, uint64_t address, unsigned length) {
  const unsigned char* enables = trans.get_byte_enable_ptr();
  const unsigned enable_length = trans.get_byte_enable_length();
  const unsigned width = trans.get_streaming_width();
  const bool read = trans.get_command() == tlm::TLM_READ_COMMAND;
  unsigned char* data = trans.get_data_ptr();
  for (unsigned i = 0; i < length; ++i) {
    if (enables != nullptr && enable_length != 0 &&
        enables[i % enable_length] != TLM_BYTE_ENABLED) {
      continue;
    }
    uint8_t* cell = m_data + address + (width != 0 ? i % width : i);
    if (read) {
      data[i] = *cell;
    } else {
      *cell = data[i];
    }
  }
}

unsigned Memory::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  if (address >= m_size) return 0;
  const uint64_t available = m_size - address;
  const unsigned length =
      static_cast<unsigned>(std::min<uint64_t>(trans.get_data_length(), available));
  if (trans.get_command() == tlm::TLM_READ_COMMAND) {
    std::memcpy(trans.get_data_ptr(), m_data + address, length);
  } else if (trans.get_command() == tlm::TLM_WRITE_COMMAND) {
    std::memcpy(m_data + address, trans.get_data_ptr(), length);
    written(m_data + address, length);
  } else {
    return 0;
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return length;
}

bool Memory::write_bytes(uint64_t offset, const uint8_t* data, uint64_t size) {
  if (offset > m_size || size > m_size - offset) return false;
  std::memcpy(m_data + offset, data, size);
  written(m_data + offset, size);
  return true;
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  if (trans.get_address() >= m_size) {
    // Tell the initiator not to ask again anywhere past the end.
    dmi.set_start_address(m_size);
    dmi.set_end_address(~uint64_t{0});
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
    return false;
  }
  dmi.set_dmi_ptr(m_data);
  dmi.set_start_address(0);
  dmi.set_end_address(m_size - 1);
  if (m_read_only) {
    dmi.allow_read();
  } else {
    dmi.allow_read_write();
  }
  dmi.set_read_latency(m_latency);
  dmi.set_write_latency(m_latency);
  return true;
}

}  // namespace silica
