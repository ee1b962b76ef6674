#include "peripherals/register_bank.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace silica {

namespace {

// All-ones over `bytes` bytes (1..8).
uint64_t bytes_mask(uint64_t bytes) {
  return bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
}

}  // namespace

RegisterBank::Builder& RegisterBank::Builder::reset_value(uint64_t value) {
  m_reg->reset_value = value & bytes_mask(m_reg->size);
  m_reg->stored = m_reg->reset_value;
  return *this;
}

RegisterBank::Builder& RegisterBank::Builder::access(RegAccess access) {
  m_reg->access = access;
  return *this;
}

RegisterBank::Builder& RegisterBank::Builder::writable_bits(uint64_t mask) {
  m_reg->writable = mask;
  return *this;
}

RegisterBank::Builder& RegisterBank::Builder::on_read(ReadFn fn) {
  m_reg->read = std::move(fn);
  return *this;
}

RegisterBank::Builder& RegisterBank::Builder::on_peek(ReadFn fn) {
  m_reg->peek = std::move(fn);
  return *this;
}

RegisterBank::Builder& RegisterBank::Builder::on_write(WriteFn fn) {
  m_reg->write = std::move(fn);
  return *this;
}

RegisterBank::Builder RegisterBank::add(std::string name, uint64_t offset, unsigned size_bytes) {
  if (size_bytes != 1 && size_bytes != 2 && size_bytes != 4 && size_bytes != 8) {
    throw std::invalid_argument("register " + name + ": size must be 1, 2, 4 or 8 bytes");
  }
  if (offset + size_bytes < offset) {
    throw std::invalid_argument("register " + name + ": offset wraps around");
  }
  auto pos = std::upper_bound(m_regs.begin(), m_regs.end(), offset,
                              [](uint64_t off, const auto& reg) { return off < reg->offset; });
  if (pos != m_regs.begin()) {
    const Register& prev = **std::prev(pos);
    if (prev.offset + prev.size > offset) {
      throw std::invalid_argument("register " + name + " overlaps " + prev.name);
    }
  }
  if (pos != m_regs.end() && offset + size_bytes > (*pos)->offset) {
    throw std::invalid_argument("register " + name + " overlaps " + (*pos)->name);
  }
  auto reg = std::make_unique<Register>();
  reg->name = std::move(name);
  reg->offset = offset;
  reg->size = size_bytes;
  Register& ref = *reg;
  m_regs.insert(pos, std::move(reg));
  return Builder(ref);
}

void RegisterBank::reset() {
  for (auto& reg : m_regs) reg->stored = reg->reset_value;
}

const std::string* RegisterBank::name_at(uint64_t offset) const {
  const Register* reg = find(offset, 1);
  return reg != nullptr ? &reg->name : nullptr;
}

RegisterBank::Register* RegisterBank::find(uint64_t offset, uint64_t length) const {
  auto pos = std::upper_bound(m_regs.begin(), m_regs.end(), offset,
                              [](uint64_t off, const auto& reg) { return off < reg->offset; });
  if (pos == m_regs.begin()) return nullptr;
  Register* reg = std::prev(pos)->get();
  // offset >= reg->offset here, so the subtraction cannot wrap; comparing
  // against the room left avoids overflow for absurd lengths.
  uint64_t inside = offset - reg->offset;
  if (inside >= reg->size || length > reg->size - inside) return nullptr;
  return reg;
}

uint64_t RegisterBank::peek_value(const Register& reg) {
  if (reg.peek) return reg.peek();
  if (reg.read) return reg.read();
  return reg.stored;
}

uint64_t RegisterBank::read_value(Register& reg, bool debug) {
  if (reg.access == RegAccess::kWriteOnly) return 0;
  uint64_t value;
  if (debug) {
    value = peek_value(reg);
  } else {
    value = reg.read ? reg.read() : reg.stored;
  }
  return value & bytes_mask(reg.size);
}

void RegisterBank::write_value(Register& reg, uint64_t data, uint64_t lane_mask) {
  if (reg.access == RegAccess::kReadOnly) return;
  const uint64_t full = bytes_mask(reg.size);
  const uint64_t writable = reg.writable & full;
  // Only read the old value when some of its bits survive the write: a full
  // write of a plain register must not invoke a read callback at all.
  const bool needs_old =
      reg.access == RegAccess::kWrite1ToClear || lane_mask != full || writable != full;
  uint64_t old = 0;
  if (needs_old) old = reg.access == RegAccess::kWriteOnly ? reg.stored : peek_value(reg);
  uint64_t next;
  if (reg.access == RegAccess::kWrite1ToClear) {
    next = old & ~(data & lane_mask & writable);
  } else {
    const uint64_t merged = (old & ~lane_mask) | (data & lane_mask);
    next = (old & ~writable) | (merged & writable);
  }
  next &= full;
  reg.stored = next;
  if (reg.write) reg.write(next);
}

unsigned RegisterBank::serve(tlm::tlm_generic_payload& trans, bool debug) {
  trans.set_dmi_allowed(false);
  if (trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return 0;
  }
  const unsigned length = trans.get_data_length();
  unsigned char* data = trans.get_data_ptr();
  if (length == 0 || data == nullptr) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return 0;
  }
  // transport_dbg payloads leave the streaming width unset (0): ignore it there.
  if (!debug && trans.get_streaming_width() < length) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return 0;
  }
  Register* reg = find(trans.get_address(), length);
  if (reg == nullptr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return 0;
  }
  // Guest byte order is little-endian; assemble explicitly to stay host-neutral.
  const unsigned shift = 8 * static_cast<unsigned>(trans.get_address() - reg->offset);
  switch (trans.get_command()) {
    case tlm::TLM_READ_COMMAND: {
      const uint64_t value = read_value(*reg, debug) >> shift;
      for (unsigned i = 0; i < length; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
      break;
    }
    case tlm::TLM_WRITE_COMMAND: {
      uint64_t value = 0;
      for (unsigned i = 0; i < length; ++i) value |= uint64_t{data[i]} << (8 * i);
      write_value(*reg, value << shift, bytes_mask(length) << shift);
      break;
    }
    case tlm::TLM_IGNORE_COMMAND:
      break;
    default:
      trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return 0;
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return length;
}

}  // namespace silica
