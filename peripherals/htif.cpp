#include "peripherals/htif.h"

#include "interconnect/tlm_helpers.h"

#include <algorithm>
#include <cstdio>

#include "interconnect/sim_control.h"
#include "peripherals/host_console.h"

namespace silica {

namespace {

constexpr int64_t kEnosys = 38;
constexpr int64_t kEbadf = 9;
constexpr int64_t kEfault = 14;
constexpr uint64_t kPayloadMask = (uint64_t{1} << 48) - 1;
constexpr uint64_t kDeviceSyscall = 0;
constexpr uint64_t kDeviceConsole = 1;
constexpr unsigned kCopyChunk = 256;

}  // namespace

Htif::Htif(const sc_core::sc_module_name& name, SimControl& control, CharBackend& console,
           uint64_t tohost_addr, uint64_t fromhost_addr, const sc_core::sc_time& poll_period)
    : sc_core::sc_module(name),
      socket("socket"),
      m_control(control),
      m_console(console),
      m_tohost_addr(tohost_addr),
      m_fromhost_addr(fromhost_addr),
      m_poll_period(poll_period) {
  SC_HAS_PROCESS(Htif);
  SC_THREAD(poll_tohost);
}

void Htif::poll_tohost() {
  for (;;) {
    deliver_responses();
    uint64_t tohost = 0;
    if (!read_u64(m_tohost_addr, tohost)) {
      SC_REPORT_WARNING(name(), "tohost is not readable through the bus; HTIF disabled");
      return;
    }
    if (tohost != 0) {
      handle(tohost);
      write_u64(m_tohost_addr, 0);
      deliver_responses();
    }
    if (m_exit_requested) return;
    wait(m_poll_period);
  }
}

void Htif::handle(uint64_t tohost) {
  const uint64_t device = tohost >> 56;
  const uint64_t command = (tohost >> 48) & 0xff;
  const uint64_t payload = tohost & kPayloadMask;
  if (device == kDeviceSyscall && command == 0) {
    if ((payload & 1) != 0) {
      request_exit(payload >> 1);
    } else {
      syscall(payload);
    }
  } else if (device == kDeviceConsole && command == 1) {
    m_console.write_char(static_cast<uint8_t>(payload));
  } else if (device == kDeviceConsole && command == 0) {
    uint8_t byte = 0;
    const uint64_t answer = m_console.read_char(byte) ? byte : kPayloadMask;
    m_responses.push_back((kDeviceConsole << 56) | answer);
  } else {
    char message[64];
    std::snprintf(message, sizeof message, "ignoring unknown command, tohost = 0x%016llx",
                  static_cast<unsigned long long>(tohost));
    SC_REPORT_WARNING(name(), message);
  }
}

void Htif::syscall(uint64_t magic_addr) {
  uint64_t magic[4] = {};  // number and the three arguments used here
  for (unsigned i = 0; i < 4; ++i) {
    if (!read_u64(magic_addr + 8 * i, magic[i])) {
      SC_REPORT_WARNING(name(), "syscall block is not readable; ignoring the syscall");
      return;
    }
  }
  int64_t result;
  switch (magic[0]) {
    case kSysWrite:
      result = sys_write(magic[1], magic[2], magic[3]);
      break;
    case kSysExit:
      request_exit(magic[1]);
      return;
    default:
      result = -kEnosys;
      break;
  }
  write_u64(magic_addr, static_cast<uint64_t>(result));
  m_responses.push_back(1);
}

int64_t Htif::sys_write(uint64_t fd, uint64_t buffer, uint64_t length) {
  if (fd != 1 && fd != 2) return -kEbadf;
  uint64_t done = 0;
  unsigned char chunk[kCopyChunk];
  while (done < length) {
    const unsigned want = static_cast<unsigned>(std::min<uint64_t>(kCopyChunk, length - done));
    const unsigned got = debug_transfer(tlm::TLM_READ_COMMAND, buffer + done, chunk, want);
    for (unsigned i = 0; i < got; ++i) m_console.write_char(chunk[i]);
    done += got;
    if (got < want) break;  // ran off mapped memory: report what was written
  }
  m_console.flush();
  if (done == 0 && length != 0) return -kEfault;
  return static_cast<int64_t>(done);
}

void Htif::request_exit(uint64_t code) {
  int status = static_cast<int>(code & 0xff);
  if (code != 0 && status == 0) status = 1;
  m_console.flush();
  m_exit_requested = true;
  m_control.request_exit(status);
}

void Htif::deliver_responses() {
  // The guest acknowledges a response by clearing fromhost; never overwrite
  // one it has not seen.
  while (!m_responses.empty()) {
    uint64_t fromhost = 0;
    if (!read_u64(m_fromhost_addr, fromhost) || fromhost != 0) return;
    if (!write_u64(m_fromhost_addr, m_responses.front())) return;
    m_responses.pop_front();
  }
}

unsigned Htif::debug_transfer(tlm::tlm_command command, uint64_t address, unsigned char* data,
                              unsigned length) {
  tlm::tlm_generic_payload trans;
  prepare_payload(trans, command, address, data, length);
  return socket->transport_dbg(trans);
}

bool Htif::read_u64(uint64_t address, uint64_t& value) {
  unsigned char bytes[8];
  if (debug_transfer(tlm::TLM_READ_COMMAND, address, bytes, 8) != 8) return false;
  value = 0;
  for (unsigned i = 0; i < 8; ++i) value |= uint64_t{bytes[i]} << (8 * i);  // guest is LE
  return true;
}

bool Htif::write_u64(uint64_t address, uint64_t value) {
  unsigned char bytes[8];
  for (unsigned i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
  return debug_transfer(tlm::TLM_WRITE_COMMAND, address, bytes, 8) == 8;
}

}  // namespace silica
