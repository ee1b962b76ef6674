// The DebugTarget of a whole simulated machine: harts through their CpuDebug
// interface, memory through the system bus's debug transport, and execution
// through SystemC itself (resume = sc_start until a hart pauses it).
#pragma once

#include <functional>
#include <set>
#include <vector>

#include "cores/engine/cpu_debug.h"
#include "cores/engine/debug_target.h"
#include "platforms/platform.h"

namespace silica {

class MachineDebugTarget final : public DebugTarget {
 public:
  // `exit_status` tells whether the guest has ended the simulation, and how.
  MachineDebugTarget(Platform& platform, std::function<std::optional<int>()> exit_status,
                     std::function<void()> request_reset, std::function<void(int)> request_exit);

  // The debugger's polling hooks, handed to every hart for Ctrl-C.
  void set_hooks(DebugHooks* hooks);
  // Stop events that do not come from a hart (Ctrl-C while every hart sleeps).
  void note_stop(const StopEvent& event) { m_pending = event; }

  unsigned hart_count() const override { return unsigned(m_cpus.size()); }
  unsigned xlen() const override;
  std::string target_xml() const override;
  std::optional<uint64_t> read_register(unsigned hart, unsigned regno) override;
  bool write_register(unsigned hart, unsigned regno, uint64_t value) override;
  size_t read_memory(unsigned hart, uint64_t addr, uint8_t* data, size_t len) override;
  size_t write_memory(unsigned hart, uint64_t addr, const uint8_t* data, size_t len) override;
  bool insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) override;
  bool remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) override;
  StopEvent resume(std::optional<unsigned> step_hart) override;
  std::optional<std::string> monitor(const std::string& command) override;

  // Removes every breakpoint and watchpoint (on detach).
  void clear_all();

 private:
  size_t memory_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, size_t len);
  // read_memory/write_memory: vaddr through the hart's translation, per page.
  size_t virtual_access(unsigned hart, tlm::tlm_command cmd, uint64_t addr, uint8_t* data,
                        size_t len);
  void push_breakpoints();
  void push_watchpoints();

  Platform& m_platform;
  std::vector<CpuComponent*> m_cpus;
  std::function<std::optional<int>()> m_exit_status;
  std::function<void()> m_request_reset;
  std::function<void(int)> m_request_exit;
  std::set<uint64_t> m_breakpoints;
  std::vector<Watchpoint> m_watchpoints;
  std::optional<StopEvent> m_pending;
};

}  // namespace silica
