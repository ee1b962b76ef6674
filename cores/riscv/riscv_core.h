// The RISC-V core as a SystemC module: one hart, its execution engine and the
// TLM plumbing around them. It owns simulated time for the hart (temporal
// decoupling with a quantum), turns interrupt wires into mip bits, sleeps in
// WFI until an interrupt arrives, and serves the engine's memory accesses with
// DMI pointers or b_transport calls.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <systemc>
#include <tlm>

#include "cores/engine/code_pages.h"
#include "cores/engine/cpu_debug.h"
#include "cores/engine/engine.h"
#include "cores/engine/memory_port.h"
#include "cores/engine/replay.h"
#include "cores/riscv/hart_config.h"
#include "interconnect/irq.h"
#include "interconnect/sim_control.h"
#include "traces/trace_record.h"

namespace silica::riscv {

class TimingModel;

// The process exit status when --max-insns ends a run (as timeout(1) uses).
constexpr int kInstructionLimitExit = 124;

struct CoreParams {
  HartConfig hart;
  uint64_t clock_hz = 1'000'000'000;
  uint64_t timebase_hz = 10'000'000;  // the `time` CSR's rate (the CLINT's mtime)
  std::string engine = "dbt";         // "dbt" or "interp"
  unsigned dbt_hot_runs = 1;          // DbtEngine::set_hot_runs; platforms set BuildContext's
  // The machine's record of code pages, shared with the other harts and the
  // memories (null: the hart keeps its own).
  CodePages* code_pages = nullptr;
};

class RiscvCore : public sc_core::sc_module, public IrqSink, public MemoryPort, public CpuDebug {
 public:
  tlm_utils::simple_initiator_socket<RiscvCore> socket;

  RiscvCore(const sc_core::sc_module_name& name, const CoreParams& params, SimControl* sim_control,
            const bool* stop_request);
  ~RiscvCore() override;

  void set_boot(uint64_t pc, uint64_t dtb_address);
  void set_instruction_limit(uint64_t limit) { m_instret_limit = limit; }
  bool instruction_limit_reached() const { return m_limit_reached; }
  void set_trace_sink(trace::TraceSink* sink);
  // The sink keeps only what this hart retires while its count is in
  // [first, last): outside that stretch the hart runs untraced (on the DBT,
  // when that is the engine).
  void set_trace_window(uint64_t first, uint64_t last);
  // Reports every input of the hart's runs to `recorder` (nullptr: stop).
  void set_replay_recorder(replay::Recorder* recorder) { m_recorder = recorder; }
  // Replay mode: the hart no longer runs in SystemC time; replay_run()
  // drives it, its MMIO, timer and cycle reads come from `source`, and the
  // interrupt wires are ignored (the recording has their values).
  void set_replay_source(replay::Source* source) { m_replay_source = source; }
  // Restores `start` and runs to `end`: until instret reaches it (or the
  // hart stops first: WFI, a stop request), then through the blocks that
  // trap without retiring anything until the pc is end's too. A trace
  // window applies as in a direct run. Returns where it got to.
  replay::RunEnd replay_run(const replay::RunStart& start, const replay::RunEnd& end);
  // A replay applies the wire changes a recorded access caused.
  void replay_wires(uint64_t mip_wires);
  uint64_t instructions() const;
  uint64_t cycles() const;
  std::vector<std::pair<std::string, std::string>> engine_statistics() const;
  const CoreParams& params() const { return m_params; }

  // Interrupt inputs are numbered by their mip bit (3 MSI, 7 MTI, 11 MEI,
  // 9 SEI).
  void set_irq_level(unsigned line, bool level) override;

  // CpuDebug, used by the debugger (gdb numbering: x0-x31, pc = 32, CSR n = 65 + n).
  std::string target_xml() const override;
  std::optional<uint64_t> read_register(unsigned regno) override;
  bool write_register(unsigned regno, uint64_t value) override;
  void set_breakpoints(const std::set<uint64_t>& addresses) override;
  void set_watchpoints(const std::vector<Watchpoint>& watchpoints) override;
  void set_stepping(bool stepping) override;
  void set_hooks(DebugHooks* hooks) override { m_hooks = hooks; }
  std::optional<StopEvent> take_stop() override;
  std::optional<uint64_t> debugger_physical(uint64_t vaddr) override;
  void invalidate_code() override;

  // MemoryPort, used by the engine.
  bool bus_read(uint64_t addr, void* data, unsigned len) override;
  bool bus_write(uint64_t addr, const void* data, unsigned len) override;
  bool dmi_for(uint64_t addr, DmiRegion& out) override;
  uint64_t timer_ticks() override;
  uint64_t cycle_counter(uint64_t counted) override;

 private:
  class HartSlot;
  template <unsigned XLEN>
  class HartSlotFor;

  void run_thread();
  // Attaches or detaches the trace sink for the next run, as the trace
  // window asks; returns the instruction limit that run must stop at.
  uint64_t gate_trace(uint64_t instret_limit);
  void attach_trace(trace::TraceSink* sink);
  // Hands control to the debugger: pauses SystemC (sc_start returns to it)
  // and continues here when it resumes the simulation.
  void debug_stop(const StopEvent& event);
  void apply_debug_settings();
  bool bus_access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);
  sc_core::sc_time local_offset() const;
  // Simulated time until the hart's Sstc timer (time >= stimecmp) fires, if
  // it is armed; also brings mip.STIP up to date.
  std::optional<sc_core::sc_time> time_until_supervisor_timer();
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

  CoreParams m_params;
  SimControl* m_sim_control;
  std::unique_ptr<TimingModel> m_timing;
  std::unique_ptr<HartSlot> m_slot;
  tlm_utils::tlm_quantumkeeper m_quantum;
  sc_core::sc_time m_period;
  sc_core::sc_event m_irq_event;
  uint64_t m_run_start_cycles = 0;
  sc_core::sc_time m_bus_stall;  // latency targets annotated during this run
  std::vector<DmiRegion> m_dmi;
  trace::TraceSink* m_trace_sink = nullptr;  // what set_trace_sink() gave
  trace::TraceSink* m_trace = nullptr;       // attached now (the window allowing)
  uint64_t m_trace_first = 0;
  uint64_t m_trace_last = ~uint64_t(0);
  replay::Recorder* m_recorder = nullptr;
  replay::Source* m_replay_source = nullptr;
  bool m_in_run = false;  // inside engine().run(): what the hart reads is recorded
  DebugHooks* m_hooks = nullptr;
  std::optional<StopEvent> m_stop;
  std::set<uint64_t> m_breakpoints;
  std::vector<Watchpoint> m_watchpoints;
  bool m_stepping = false;
  uint64_t m_instret_limit = ~uint64_t(0);
  bool m_limit_reached = false;
  uint64_t m_boots = 0;  // set_boot() calls: a machine reset wakes a hart asleep in WFI
};

// Registers the "riscv_hart" component type with the platform builder.
void register_riscv_core_component();

}  // namespace silica::riscv
