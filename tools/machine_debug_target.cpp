#include "tools/machine_debug_target.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "interconnect/router.h"
#include "interconnect/tlm_helpers.h"

namespace silica {

MachineDebugTarget::MachineDebugTarget(Platform& platform,
                                       std::function<std::optional<int>()> exit_status,
                                       std::function<void()> request_reset,
                                       std::function<void(int)> request_exit)
    : m_platform(platform),
      m_cpus(platform.cpus()),
      m_exit_status(std::move(exit_status)),
      m_request_reset(std::move(request_reset)),
      m_request_exit(std::move(request_exit)) {}

void MachineDebugTarget::set_hooks(DebugHooks* hooks) {
  for (CpuComponent* cpu : m_cpus) {
    if (cpu->debug() != nullptr) cpu->debug()->set_hooks(hooks);
  }
}

unsigned MachineDebugTarget::xlen() const {
  return m_cpus.empty() ? 64 : m_cpus[0]->xlen();
}

std::string MachineDebugTarget::target_xml() const {
  return m_cpus.empty() || m_cpus[0]->debug() == nullptr ? "" : m_cpus[0]->debug()->target_xml();
}

std::optional<uint64_t> MachineDebugTarget::read_register(unsigned hart, unsigned regno) {
  if (hart >= m_cpus.size() || m_cpus[hart]->debug() == nullptr) return std::nullopt;
  return m_cpus[hart]->debug()->read_register(regno);
}

bool MachineDebugTarget::write_register(unsigned hart, unsigned regno, uint64_t value) {
  if (hart >= m_cpus.size() || m_cpus[hart]->debug() == nullptr) return false;
  return m_cpus[hart]->debug()->write_register(regno, value);
}

size_t MachineDebugTarget::memory_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data,
                                         size_t len) {
  // Byte ranges may straddle devices: transfer what the bus accepts, in order.
  size_t done = 0;
  while (done < len) {
    tlm::tlm_generic_payload trans;
    prepare_payload(trans, cmd, addr + done, data + done, unsigned(len - done));
    unsigned n = m_platform.router().debug_transport(trans);
    if (n == 0) break;
    done += n;
  }
  return done;
}

size_t MachineDebugTarget::virtual_access(unsigned hart, tlm::tlm_command cmd, uint64_t addr,
                                          uint8_t* data, size_t len) {
  CpuDebug* cpu = hart < m_cpus.size() ? m_cpus[hart]->debug() : nullptr;
  if (cpu == nullptr) return memory_access(cmd, addr, data, len);
  // As QEMU's gdbstub: addresses are virtual, in the hart's current address
  // space. Each page translates on its own; an unmapped one ends the access.
  constexpr uint64_t kPage = 4096;
  size_t done = 0;
  while (done < len) {
    const uint64_t vaddr = addr + done;
    const size_t chunk = size_t(std::min<uint64_t>(len - done, kPage - (vaddr % kPage)));
    const std::optional<uint64_t> paddr = cpu->debugger_physical(vaddr);
    if (!paddr) break;
    const size_t n = memory_access(cmd, *paddr, data + done, chunk);
    done += n;
    if (n != chunk) break;
  }
  return done;
}

size_t MachineDebugTarget::read_memory(unsigned hart, uint64_t addr, uint8_t* data, size_t len) {
  return virtual_access(hart, tlm::TLM_READ_COMMAND, addr, data, len);
}

size_t MachineDebugTarget::write_memory(unsigned hart, uint64_t addr, const uint8_t* data,
                                        size_t len) {
  size_t n = virtual_access(hart, tlm::TLM_WRITE_COMMAND, addr, const_cast<uint8_t*>(data), len);
  // Memory written behind the harts' backs may hold code they decoded.
  for (CpuComponent* cpu : m_cpus) {
    if (cpu->debug() != nullptr) cpu->debug()->invalidate_code();
  }
  return n;
}

void MachineDebugTarget::push_breakpoints() {
  for (CpuComponent* cpu : m_cpus) {
    if (cpu->debug() != nullptr) cpu->debug()->set_breakpoints(m_breakpoints);
  }
}

void MachineDebugTarget::push_watchpoints() {
  for (CpuComponent* cpu : m_cpus) {
    if (cpu->debug() != nullptr) cpu->debug()->set_watchpoints(m_watchpoints);
  }
}

bool MachineDebugTarget::insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) {
  if (kind == BreakpointKind::kSoftware || kind == BreakpointKind::kHardware) {
    m_breakpoints.insert(addr);
    push_breakpoints();
    return true;
  }
  m_watchpoints.push_back({addr, std::max<uint64_t>(length, 1), kind});
  push_watchpoints();
  return true;
}

bool MachineDebugTarget::remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) {
  if (kind == BreakpointKind::kSoftware || kind == BreakpointKind::kHardware) {
    if (m_breakpoints.erase(addr) == 0) return false;
    push_breakpoints();
    return true;
  }
  auto it = std::find_if(m_watchpoints.begin(), m_watchpoints.end(), [&](const Watchpoint& w) {
    return w.kind == kind && w.addr == addr && w.length == std::max<uint64_t>(length, 1);
  });
  if (it == m_watchpoints.end()) return false;
  m_watchpoints.erase(it);
  push_watchpoints();
  return true;
}

void MachineDebugTarget::clear_all() {
  m_breakpoints.clear();
  m_watchpoints.clear();
  push_breakpoints();
  push_watchpoints();
  for (CpuComponent* cpu : m_cpus) {
    if (cpu->debug() != nullptr) cpu->debug()->set_stepping(false);
  }
}

StopEvent MachineDebugTarget::resume(std::optional<unsigned> step_hart) {
  for (size_t i = 0; i < m_cpus.size(); ++i) {
    if (m_cpus[i]->debug() != nullptr) {
      m_cpus[i]->debug()->set_stepping(step_hart && *step_hart == i);
    }
  }
  m_pending.reset();
  if (!m_exit_status()) sc_core::sc_start();
  StopEvent event;
  if (std::optional<int> status = m_exit_status()) {
    event.reason = StopEvent::Reason::kExited;
    event.exit_code = *status;
    return event;
  }
  for (size_t i = 0; i < m_cpus.size(); ++i) {
    if (m_cpus[i]->debug() == nullptr) continue;
    if (std::optional<StopEvent> e = m_cpus[i]->debug()->take_stop()) {
      e->hart = unsigned(i);
      return *e;
    }
  }
  if (m_pending) return *m_pending;
  // SystemC ran out of things to do: nothing will ever happen again.
  event.reason = StopEvent::Reason::kExited;
  event.exit_code = 3;
  return event;
}

std::optional<std::string> MachineDebugTarget::monitor(const std::string& command) {
  std::ostringstream out;
  std::istringstream words(command);
  std::string verb;
  words >> verb;
  if (verb == "help") {
    out << "monitor commands:\n"
        << "  stats              instructions and cycles per hart, simulated time\n"
        << "  xp ADDR [LEN]      physical memory, bypassing address translation\n"
        << "  reset              machine reset (when execution resumes)\n"
        << "  quit               end the simulation (exit status 0)\n";
  } else if (verb == "xp") {
    std::string addr_text, len_text = "16";
    words >> addr_text >> len_text;
    char* end = nullptr;
    uint64_t addr = std::strtoull(addr_text.c_str(), &end, 0);
    if (addr_text.empty() || *end != '\0') return "usage: monitor xp ADDR [LEN]\n";
    uint64_t len = std::min<uint64_t>(std::strtoull(len_text.c_str(), nullptr, 0), 4096);
    std::vector<uint8_t> bytes(len);
    size_t got = memory_access(tlm::TLM_READ_COMMAND, addr, bytes.data(), bytes.size());
    for (size_t i = 0; i < got; ++i) {
      if (i % 16 == 0) out << (i ? "\n" : "") << hex(addr + i) << ":";
      char byte[4];
      std::snprintf(byte, sizeof byte, " %02x", bytes[i]);
      out << byte;
    }
    out << "\n";
    if (got < len) out << "(nothing mapped at " << hex(addr + got) << ")\n";
  } else if (verb == "quit") {
    m_request_exit(0);
    out << "simulation ends\n";
  } else if (verb == "stats") {
    for (size_t i = 0; i < m_cpus.size(); ++i) {
      CpuStats s = m_cpus[i]->stats();
      out << "hart " << i << ": " << s.instructions << " instructions, " << s.cycles << " cycles\n";
    }
    out << "simulated time: " << sc_core::sc_time_stamp().to_string() << "\n";
  } else if (verb == "reset") {
    m_request_reset();
    out << "machine reset requested; it happens when execution resumes\n";
  } else {
    return std::nullopt;
  }
  return out.str();
}

}  // namespace silica
