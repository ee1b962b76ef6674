#include "tools/replay_driver.h"

#include <cstring>
#include <utility>

#include "interconnect/memory.h"
#include "interconnect/tlm_helpers.h"
#include "platforms/platform.h"

namespace silica {

namespace {

std::string describe(const trace::ReplayInput& input) {
  switch (input.kind) {
    case trace::ReplayInput::kBus:
      return std::string(input.bus.write ? "a bus write" : "a bus read") + " of " +
             std::to_string(input.bus.size) + " bytes at " + hex(input.bus.addr);
    case trace::ReplayInput::kTimer:
      return "a timer read";
    case trace::ReplayInput::kCycleCounter:
      return "a cycle counter read";
    case trace::ReplayInput::kWires:
      return "an interrupt wire change";
    case trace::ReplayInput::kMemoryWrite:
      return "a write into memory " + std::to_string(input.memory.memory);
  }
  return "an input";
}

}  // namespace

ReplayDriver::ReplayDriver(const std::string& log_path, Platform& platform,
                           std::vector<Memory*> memories, std::function<void()> reset_machine)
    : m_reader(log_path),
      m_cpus(platform.cpus()),
      m_memories(std::move(memories)),
      m_reset_machine(std::move(reset_machine)) {
  for (const trace::ReplayInputFile& recorded : m_reader.header().inputs) {
    const trace::ReplayInputFile now = trace::file_fingerprint(recorded.path);
    if (now.size != recorded.size || now.fingerprint != recorded.fingerprint) {
      throw ReplayDivergence(recorded.path + ": changed since " + log_path +
                             " was recorded: a replay needs the files the machine was loaded "
                             "from as they were");
    }
  }
  for (CpuComponent* cpu : m_cpus) {
    if (!cpu->set_replay_source(this)) {
      throw ReplayDivergence(log_path + ": hart " + std::to_string(cpu->hart_id()) +
                             " cannot replay a recorded run");
    }
  }
}

void ReplayDriver::diverged(const std::string& what) const {
  throw ReplayDivergence(m_reader.path() + ": the replay diverged in run " +
                         std::to_string(m_reader.runs()) + " (hart " +
                         std::to_string(m_run.hart_id) + ", to instruction " +
                         std::to_string(m_run.end.instret) + "): " + what);
}

int ReplayDriver::run() {
  trace::ReplayMemoryWrite write;
  std::string what;
  for (;;) {
    switch (m_reader.next(m_run, write, what)) {
      case trace::ReplayLogReader::Item::kRun: {
        m_cpu = nullptr;
        for (CpuComponent* cpu : m_cpus) {
          if (cpu->hart_id() == m_run.hart_id) m_cpu = cpu;
        }
        if (m_cpu == nullptr) diverged("the machine has no such hart");
        m_inputs =
            trace::FieldCursor{m_run.events.data(), m_run.events.data() + m_run.events.size()};
        const replay::RunEnd end = m_cpu->replay_run(m_run.start, m_run.end);
        if (end.instret != m_run.end.instret || end.pc != m_run.end.pc) {
          diverged("the hart stopped after instruction " + std::to_string(end.instret) + " at pc " +
                   hex(end.pc) + ", the recording at pc " + hex(m_run.end.pc));
        }
        if (m_reader.next_input(m_inputs, m_input)) {
          diverged("the run ended before " + describe(m_input) + " it made when recorded");
        }
        break;
      }
      case trace::ReplayLogReader::Item::kMemoryWrite:
        apply(write);
        break;
      case trace::ReplayLogReader::Item::kMachineReset:
        m_reset_machine();
        break;
      case trace::ReplayLogReader::Item::kUnsupported:
        throw ReplayDivergence(m_reader.path() + ": the replay stops after run " +
                               std::to_string(m_reader.runs()) + ": " + what);
      case trace::ReplayLogReader::Item::kEnd:
        return m_reader.exit_status();
    }
  }
}

const trace::ReplayInput& ReplayDriver::expect(const trace::ReplayInput& wanted) {
  if (!m_reader.next_input(m_inputs, m_input)) {
    diverged("the hart made " + describe(wanted) + ", which the recorded run did not");
  }
  const bool same_access =
      wanted.kind != trace::ReplayInput::kBus ||
      (m_input.bus.write == wanted.bus.write && m_input.bus.addr == wanted.bus.addr &&
       m_input.bus.size == wanted.bus.size);
  if (m_input.kind != wanted.kind || !same_access) {
    diverged("the hart made " + describe(wanted) + " where the recording has " + describe(m_input));
  }
  return m_input;
}

bool ReplayDriver::bus(bool write, uint64_t addr, void* data, unsigned len, uint64_t& time_ps) {
  trace::ReplayInput wanted;
  wanted.kind = trace::ReplayInput::kBus;
  wanted.bus.write = write;
  wanted.bus.addr = addr;
  wanted.bus.size = uint8_t(len);
  const replay::BusEvent e = expect(wanted).bus;
  if (!write) std::memcpy(data, &e.value, std::min<size_t>(len, sizeof e.value));
  time_ps = e.time_ps;
  apply_consequences();
  return e.ok;
}

uint64_t ReplayDriver::timer() {
  trace::ReplayInput wanted;
  wanted.kind = trace::ReplayInput::kTimer;
  return expect(wanted).value;
}

uint64_t ReplayDriver::cycle_counter() {
  trace::ReplayInput wanted;
  wanted.kind = trace::ReplayInput::kCycleCounter;
  return expect(wanted).value;
}

void ReplayDriver::apply_consequences() {
  for (;;) {
    trace::FieldCursor ahead = m_inputs;
    if (!m_reader.next_input(ahead, m_input)) return;
    if (m_input.kind == trace::ReplayInput::kWires) {
      m_cpu->replay_wires(m_input.value);
    } else if (m_input.kind == trace::ReplayInput::kMemoryWrite) {
      apply(m_input.memory);
    } else {
      return;
    }
    m_inputs = ahead;
  }
}

void ReplayDriver::apply(const trace::ReplayMemoryWrite& write) {
  if (write.memory >= m_memories.size() ||
      !m_memories[write.memory]->write_bytes(write.offset, write.data.data(), write.data.size())) {
    diverged("the log writes " + std::to_string(write.data.size()) + " bytes at offset " +
             hex(write.offset) + " of memory " + std::to_string(write.memory) +
             ", which this machine does not have");
  }
}

}  // namespace silica
