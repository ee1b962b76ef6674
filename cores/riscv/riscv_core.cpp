#include "cores/riscv/riscv_core.h"

#include <algorithm>
#include <cstring>

#include "cores/riscv/block_decoder.h"
#include "cores/riscv/dbt_engine.h"
#include "cores/riscv/hart.h"
#include "cores/riscv/interpreter.h"
#include "cores/riscv/mmu.h"
#include "cores/riscv/timing_model.h"
#include "interconnect/tlm_helpers.h"
#include "riscv_gdb.h"

namespace silica::riscv {

// The hart and its engine, behind an XLEN-independent face.
class RiscvCore::HartSlot {
 public:
  virtual ~HartSlot() = default;
  virtual Engine& engine() = 0;
  virtual void reset(uint64_t pc, uint64_t dtb) = 0;
  virtual uint64_t cycles() const = 0;
  virtual uint64_t instret() const = 0;
  virtual void add_cycles(uint64_t n) = 0;
  virtual void set_mip_bit(unsigned bit, bool level) = 0;
  // Record and replay: the state a run starts from that the hart did not
  // do itself, and where it is.
  virtual replay::RunStart run_start() const = 0;
  virtual void restore_run_start(const replay::RunStart& start) = 0;
  virtual void set_mip_wires(uint64_t wires) = 0;
  virtual uint64_t pc() const = 0;
  virtual bool interrupt_pending() const = 0;  // wakes WFI, enabled or not
  // Sstc: brings STIP up to date with time; returns the `time` value at which
  // it will next rise, if it is armed and not yet pending.
  virtual std::optional<uint64_t> update_supervisor_timer() = 0;
  virtual void wake() = 0;
  virtual void flush_tlb() = 0;
  virtual void memory_map_changed() = 0;  // DMI withdrawn: TLB and RAM windows go
  virtual void set_trace_sink(trace::TraceSink* sink) = 0;
  virtual std::string target_xml() const = 0;
  virtual std::optional<uint64_t> read_register(unsigned regno) = 0;
  virtual bool write_register(unsigned regno, uint64_t value) = 0;
  // Applies the debugger's settings; the pointed-to sets stay owned by the core.
  virtual void configure_debug(const std::set<uint64_t>* breakpoints,
                               const std::vector<Watchpoint>* watchpoints, bool stepping) = 0;
  // Consumes the hart's record of why run() returned kDebugStop.
  virtual StopEvent debug_event(unsigned hart) = 0;
  virtual void skip_breakpoint_at_pc() = 0;
  virtual std::optional<uint64_t> debugger_physical(uint64_t vaddr) = 0;
};

template <unsigned XLEN>
class RiscvCore::HartSlotFor final : public RiscvCore::HartSlot {
 public:
  HartSlotFor(const CoreParams& params, MemoryPort& memory, const TimingModel& timing,
              const bool* stop_request) {
    m_hart.config = params.hart;
    m_hart.memory = &memory;
    m_hart.code_pages = params.code_pages;  // null: the engine makes the hart its own
    m_hart.stop_request = stop_request;
    if (params.engine == "dbt") {
      auto dbt = std::make_unique<DbtEngine<XLEN>>(m_hart, timing);
      dbt->set_hot_runs(params.dbt_hot_runs);
      m_engine = std::move(dbt);
    } else {
      m_engine = std::make_unique<Interpreter<XLEN>>(m_hart, timing);
    }
  }
  Engine& engine() override { return *m_engine; }
  void reset(uint64_t pc, uint64_t dtb) override {
    m_hart.reset(pc);
    m_engine->flush_code_cache();
    // Boot convention (OpenSBI, QEMU): a0 = hart id, a1 = device tree.
    m_hart.x[10] = sem::uxlen<XLEN>(m_hart.config.hart_id);
    m_hart.x[11] = sem::uxlen<XLEN>(dtb);
  }
  uint64_t cycles() const override { return m_hart.cycles; }
  uint64_t instret() const override { return m_hart.instret; }
  void add_cycles(uint64_t n) override { m_hart.cycles += n; }
  void set_mip_bit(unsigned bit, bool level) override {
    using ux = sem::uxlen<XLEN>;
    ux& wires = m_hart.mip_wires;
    wires = level ? (wires | (ux(1) << bit)) : (wires & ~(ux(1) << bit));
    m_hart.update_mip();
    m_hart.attention = true;
  }
  replay::RunStart run_start() const override {
    return {m_hart.cycles, uint64_t(m_hart.mip_wires), m_hart.sstc_timer_pending, m_hart.wfi};
  }
  void restore_run_start(const replay::RunStart& start) override {
    m_hart.cycles = start.cycles;
    m_hart.sstc_timer_pending = start.sstc_pending;
    m_hart.wfi = start.wfi;
    set_mip_wires(start.mip_wires);
  }
  void set_mip_wires(uint64_t wires) override {
    m_hart.mip_wires = sem::uxlen<XLEN>(wires);
    m_hart.update_mip();
    m_hart.attention = true;
  }
  uint64_t pc() const override { return m_hart.pc; }
  bool interrupt_pending() const override { return (m_hart.mip & m_hart.mie) != 0; }
  std::optional<uint64_t> update_supervisor_timer() override {
    const bool was_pending = m_hart.sstc_timer_pending;
    riscv::update_supervisor_timer(m_hart);
    if (m_hart.sstc_timer_pending != was_pending) m_hart.attention = true;
    if ((m_hart.menvcfg >> 63) == 0 || m_hart.sstc_timer_pending) return std::nullopt;
    return m_hart.stimecmp;
  }
  void wake() override {
    m_hart.wfi = false;
    m_hart.attention = true;
  }
  void flush_tlb() override { m_hart.flush_tlb(); }
  void memory_map_changed() override {
    m_hart.flush_tlb();
    ++m_hart.memory_map_generation;
    m_hart.attention = true;
  }
  void set_trace_sink(trace::TraceSink* sink) override { m_engine->set_trace_sink(sink); }
  std::string target_xml() const override { return gdb_target_xml<XLEN>(); }
  // gdb numbers f0-f31 from 33; they exist on harts with F.
  static constexpr unsigned kGdbFpRegnum = 33;
  bool is_fp_register(unsigned regno) const {
    return regno >= kGdbFpRegnum && regno < kGdbFpRegnum + 32 && m_hart.config.has(Extension::F);
  }
  std::optional<uint64_t> read_register(unsigned regno) override {
    if (regno < 32) return uint64_t(m_hart.x[regno]);
    if (regno == kGdbPcRegnum) return m_hart.pc;
    if (is_fp_register(regno)) return m_hart.f[regno - kGdbFpRegnum];
    if (regno >= kGdbCsrBase && regno < kGdbCsrBase + 4096) {
      return debug_read_csr(m_hart, regno - kGdbCsrBase);
    }
    return std::nullopt;
  }
  bool write_register(unsigned regno, uint64_t value) override {
    m_hart.attention = true;
    if (regno < 32) {
      m_hart.write_x(regno, sem::uxlen<XLEN>(value));
      return true;
    }
    if (regno == kGdbPcRegnum) {
      m_hart.pc = sem::uxlen<XLEN>(value);
      return true;
    }
    if (is_fp_register(regno)) {
      m_hart.f[regno - kGdbFpRegnum] = value;
      return true;
    }
    if (regno >= kGdbCsrBase && regno < kGdbCsrBase + 4096) {
      return debug_write_csr(m_hart, regno - kGdbCsrBase, value);
    }
    return false;
  }
  std::optional<uint64_t> debugger_physical(uint64_t vaddr) override {
    return translate_for_debugger(m_hart, vaddr);
  }
  void configure_debug(const std::set<uint64_t>* breakpoints,
                       const std::vector<Watchpoint>* watchpoints, bool stepping) override {
    m_hart.breakpoints = breakpoints;
    m_hart.watchpoints = watchpoints;
    m_hart.single_step = stepping;
    // One-instruction blocks stop exactly after a step or a watched access.
    m_hart.max_block_insns = (stepping || watchpoints != nullptr) ? 1 : 64;
    m_hart.update_memory_mode();
    m_engine->flush_code_cache();  // blocks must split at breakpoints, or shrink
  }
  StopEvent debug_event(unsigned hart) override {
    StopEvent e;
    e.hart = hart;
    if (m_hart.watch_hit) {
      e.reason = StopEvent::Reason::kWatchpoint;
      e.watch_addr = m_hart.watch_addr;
      e.watch_kind = m_hart.watch_kind;
      m_hart.watch_hit = false;
    } else if (m_hart.single_step) {
      e.reason = StopEvent::Reason::kStep;
    } else {
      e.reason = StopEvent::Reason::kBreakpoint;
    }
    return e;
  }
  void skip_breakpoint_at_pc() override { m_hart.breakpoint_skip_pc = m_hart.pc; }

 private:
  Hart<XLEN> m_hart;
  std::unique_ptr<Engine> m_engine;
};

RiscvCore::RiscvCore(const sc_core::sc_module_name& name, const CoreParams& params,
                     SimControl* sim_control, const bool* stop_request)
    : sc_core::sc_module(name),
      socket("socket"),
      m_params(params),
      m_sim_control(sim_control),
      m_timing(std::make_unique<ClassCostModel>()),
      m_period(sc_core::sc_time(1e12 / double(params.clock_hz), sc_core::SC_PS)) {
  if (params.hart.xlen == 32) {
    m_slot = std::make_unique<HartSlotFor<32>>(params, *this, *m_timing, stop_request);
  } else {
    m_slot = std::make_unique<HartSlotFor<64>>(params, *this, *m_timing, stop_request);
  }
  socket.register_invalidate_direct_mem_ptr(this, &RiscvCore::invalidate_direct_mem_ptr);
  SC_HAS_PROCESS(RiscvCore);
  SC_THREAD(run_thread);
  // Engines run on this coroutine's stack; SystemC's default (64 KiB) is
  // tight for decoded-block handlers that call into the memory system.
  set_stack_size(8 << 20);
}

RiscvCore::~RiscvCore() = default;

void RiscvCore::set_boot(uint64_t pc, uint64_t dtb_address) {
  m_slot->reset(pc, dtb_address);
  ++m_boots;
  // After a machine reset the thread is parked; let it run the new state.
  if (sc_core::sc_is_running()) m_irq_event.notify(sc_core::SC_ZERO_TIME);
}
void RiscvCore::set_trace_sink(trace::TraceSink* sink) {
  m_trace_sink = sink;
  attach_trace(sink);  // run_thread() applies the window before each run
}

void RiscvCore::set_trace_window(uint64_t first, uint64_t last) {
  m_trace_first = first;
  m_trace_last = last;
}

void RiscvCore::attach_trace(trace::TraceSink* sink) {
  if (sink == m_trace) return;
  m_trace = sink;
  m_slot->set_trace_sink(sink);
}

// Both engines check their limits between blocks, so a run may retire up to
// kMaxBlockInsns - 1 instructions past its instruction limit: the untraced
// run before the window stops that far short of it, and the sink's filter
// drops the few records before the window's first.
uint64_t RiscvCore::gate_trace(uint64_t instret_limit) {
  if (m_trace_sink == nullptr) return instret_limit;
  const uint64_t retired = m_slot->instret();
  const uint64_t lead_in = m_trace_first > kMaxBlockInsns ? m_trace_first - kMaxBlockInsns : 0;
  if (retired < lead_in) {
    attach_trace(nullptr);
    return std::min(instret_limit, lead_in);
  }
  attach_trace(retired < m_trace_last ? m_trace_sink : nullptr);
  return instret_limit;
}

uint64_t RiscvCore::instructions() const {
  return m_slot->instret();
}
uint64_t RiscvCore::cycles() const {
  return m_slot->cycles();
}
std::vector<std::pair<std::string, std::string>> RiscvCore::engine_statistics() const {
  return m_slot->engine().statistics();
}

void RiscvCore::set_irq_level(unsigned line, bool level) {
  if (m_replay_source != nullptr) return;  // the recording says what the wires did
  m_slot->set_mip_bit(line, level);
  // Changed by the running hart's own access (a PLIC claim, an IPI to
  // itself): the next run's start would be too late to say so.
  if (m_recorder != nullptr && m_in_run) m_recorder->wires(m_slot->run_start().mip_wires);
  if (level) m_irq_event.notify(sc_core::SC_ZERO_TIME);
}

replay::RunEnd RiscvCore::replay_run(const replay::RunStart& start, const replay::RunEnd& end) {
  m_slot->restore_run_start(start);
  Engine& engine = m_slot->engine();
  while (m_slot->instret() < end.instret) {
    if (engine.run(~uint64_t(0), gate_trace(end.instret)) != StopReason::kBudget) break;
  }
  // The DBT checks its limit once per translation, which may hold several
  // blocks: its run can end just after a block that only trapped (an ecall
  // alone in its block) where the interpreter's stops before it. A cycle
  // limit one cycle away runs one block at a time; the caller sees any
  // block that retired too much as a divergence.
  constexpr int kMaxTrappingBlocks = 4;
  for (int i = 0;
       i < kMaxTrappingBlocks && m_slot->instret() == end.instret && m_slot->pc() != end.pc; ++i) {
    engine.run(m_slot->cycles() + 1, gate_trace(end.instret + 1));
  }
  return {m_slot->instret(), m_slot->pc()};
}

void RiscvCore::replay_wires(uint64_t mip_wires) {
  m_slot->set_mip_wires(mip_wires);
}

void RiscvCore::run_thread() {
  if (m_replay_source != nullptr) return;  // replay_run() drives the hart
  m_quantum.reset();
  while (true) {
    if (m_limit_reached) {
      wait(m_irq_event);  // parked: the simulation is ending
      continue;
    }
    // Run until the end of this quantum, measured in cycles of this hart, or
    // until time reaches stimecmp (Sstc), whichever comes first.
    sc_core::sc_time remaining = m_quantum.get_global_quantum() - m_quantum.get_local_time();
    if (const std::optional<sc_core::sc_time> timer = time_until_supervisor_timer()) {
      remaining = std::min(remaining, *timer);
    }
    uint64_t budget = std::max<uint64_t>(1, uint64_t(remaining / m_period));
    m_run_start_cycles = m_slot->cycles();
    m_bus_stall = sc_core::SC_ZERO_TIME;
    if (m_recorder != nullptr) {
      m_recorder->run_begin(m_params.hart.hart_id, m_slot->run_start());
      m_in_run = true;
    }
    const uint64_t instret_limit = gate_trace(m_instret_limit);
    StopReason reason = m_slot->engine().run(m_run_start_cycles + budget, instret_limit);
    if (m_recorder != nullptr) {
      m_in_run = false;
      m_recorder->run_end({m_slot->instret(), m_slot->pc()});
    }
    m_quantum.inc(double(m_slot->cycles() - m_run_start_cycles) * m_period + m_bus_stall);
    m_run_start_cycles = m_slot->cycles();
    m_bus_stall = sc_core::SC_ZERO_TIME;

    if (m_slot->instret() >= m_instret_limit) {
      m_limit_reached = true;
      if (m_sim_control != nullptr) m_sim_control->request_exit(kInstructionLimitExit);
      m_quantum.sync();
      continue;
    }
    if (reason == StopReason::kDebugStop) {
      StopEvent event = m_slot->debug_event(unsigned(m_params.hart.hart_id));
      debug_stop(event);
      // Resuming from a breakpoint must execute the instruction there.
      if (event.reason == StopEvent::Reason::kBreakpoint) m_slot->skip_breakpoint_at_pc();
      continue;
    }
    if (m_hooks != nullptr && m_hooks->poll_interrupt()) {
      // Catching up with simulated time lets the simulation's own debug poll
      // run, and it may stop the machine for this very Ctrl-C; once gdb has
      // resumed it, the request is served and must not stop it a second time.
      m_quantum.sync();
      if (m_hooks->poll_interrupt()) {
        StopEvent event;
        event.reason = StopEvent::Reason::kInterrupt;
        event.hart = unsigned(m_params.hart.hart_id);
        debug_stop(event);
      }
      continue;
    }
    if (reason == StopReason::kStopRequest) {
      m_quantum.sync();
      wait(m_irq_event);
      continue;
    }
    if (reason == StopReason::kWaitForIrq) {
      // Sleep until an interrupt is pending; the clock keeps counting cycles.
      m_quantum.sync();
      // A copy on purpose: sc_time_stamp() refers to the kernel's moving time.
      const sc_core::sc_time asleep = sc_core::sc_time_stamp();  // NOLINT
      const uint64_t boots = m_boots;
      if (m_sim_control != nullptr) m_sim_control->hart_sleeping(true);
      while (!m_slot->interrupt_pending() && m_boots == boots) {
        // Sstc's timer is not a wire: wake when time reaches stimecmp.
        if (const std::optional<sc_core::sc_time> timer = time_until_supervisor_timer()) {
          wait(std::max(*timer, m_period), m_irq_event);
        } else {
          wait(m_irq_event);
        }
        m_slot->update_supervisor_timer();
      }
      if (m_sim_control != nullptr) m_sim_control->hart_sleeping(false);
      // A reset started the hart afresh: its sleep is not the new state's.
      if (m_boots == boots) {
        m_slot->add_cycles(uint64_t((sc_core::sc_time_stamp() - asleep) / m_period));
        m_slot->wake();
      }
      m_quantum.reset();
      continue;
    }
    if (m_quantum.need_sync()) m_quantum.sync();
  }
}

void RiscvCore::debug_stop(const StopEvent& event) {
  m_quantum.sync();
  m_stop = event;
  sc_core::sc_pause();
  wait(sc_core::SC_ZERO_TIME);  // runs again when the debugger resumes
}

std::string RiscvCore::target_xml() const {
  return m_slot->target_xml();
}
std::optional<uint64_t> RiscvCore::read_register(unsigned regno) {
  return m_slot->read_register(regno);
}
bool RiscvCore::write_register(unsigned regno, uint64_t value) {
  return m_slot->write_register(regno, value);
}

void RiscvCore::apply_debug_settings() {
  m_slot->configure_debug(m_breakpoints.empty() ? nullptr : &m_breakpoints,
                          m_watchpoints.empty() ? nullptr : &m_watchpoints, m_stepping);
}

void RiscvCore::set_breakpoints(const std::set<uint64_t>& addresses) {
  m_breakpoints = addresses;
  apply_debug_settings();
}

void RiscvCore::set_watchpoints(const std::vector<Watchpoint>& watchpoints) {
  m_watchpoints = watchpoints;
  apply_debug_settings();
}

void RiscvCore::set_stepping(bool stepping) {
  if (stepping == m_stepping) return;
  m_stepping = stepping;
  apply_debug_settings();
}

std::optional<uint64_t> RiscvCore::debugger_physical(uint64_t vaddr) {
  return m_slot->debugger_physical(vaddr);
}

void RiscvCore::invalidate_code() {
  m_slot->engine().flush_code_cache();
}

std::optional<StopEvent> RiscvCore::take_stop() {
  std::optional<StopEvent> event = m_stop;
  m_stop.reset();
  return event;
}

sc_core::sc_time RiscvCore::local_offset() const {
  return m_quantum.get_local_time() + double(m_slot->cycles() - m_run_start_cycles) * m_period +
         m_bus_stall;
}

bool RiscvCore::bus_access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
  const bool write = cmd == tlm::TLM_WRITE_COMMAND;
  bool ok = false;
  uint64_t time_ps = 0;
  if (m_replay_source != nullptr) {
    ok = m_replay_source->bus(write, addr, data, len, time_ps);
  } else {
    if (m_recorder != nullptr && m_in_run) m_recorder->access_begin();
    tlm::tlm_generic_payload trans;
    prepare_payload(trans, cmd, addr, data, len);
    sc_core::sc_time offset = local_offset();
    sc_core::sc_time delay = offset;
    socket->b_transport(trans, delay);
    if (delay > offset) m_bus_stall += delay - offset;
    ok = trans.is_response_ok();
    time_ps = (sc_core::sc_time_stamp() + offset).value();
  }
  if (m_trace == nullptr && m_recorder == nullptr) return ok;
  uint64_t value = 0;
  std::memcpy(&value, data, std::min<unsigned>(len, sizeof value));
  if (m_recorder != nullptr && m_in_run) {
    m_recorder->bus({addr, value, time_ps, uint8_t(len), write, ok});
  }
  if (m_trace != nullptr) {
    trace::BusAccess record;
    record.time_ps = time_ps;
    record.addr = addr;
    record.value = value;
    record.size = uint8_t(len);
    record.write = write;
    record.ok = ok;
    record.initiator = uint16_t(m_params.hart.hart_id);
    m_trace->bus(record);
  }
  return ok;
}

bool RiscvCore::bus_read(uint64_t addr, void* data, unsigned len) {
  return bus_access(tlm::TLM_READ_COMMAND, addr, data, len);
}

bool RiscvCore::bus_write(uint64_t addr, const void* data, unsigned len) {
  return bus_access(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len);
}

bool RiscvCore::dmi_for(uint64_t addr, DmiRegion& out) {
  for (const DmiRegion& r : m_dmi) {
    if (r.contains(addr)) {
      out = r;
      return true;
    }
  }
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(addr);
  if (!socket->get_direct_mem_ptr(trans, dmi) || dmi.get_dmi_ptr() == nullptr) return false;
  DmiRegion region;
  region.host = dmi.get_dmi_ptr();
  region.base = dmi.get_start_address();
  region.last = dmi.get_end_address();
  region.readable = dmi.is_read_allowed();
  region.writable = dmi.is_write_allowed();
  if (!region.contains(addr)) return false;
  m_dmi.push_back(region);
  out = region;
  return true;
}

void RiscvCore::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  std::erase_if(m_dmi, [&](const DmiRegion& r) { return r.base <= end && r.last >= start; });
  m_slot->memory_map_changed();
}

std::optional<sc_core::sc_time> RiscvCore::time_until_supervisor_timer() {
  const std::optional<uint64_t> deadline = m_slot->update_supervisor_timer();
  if (!deadline) return std::nullopt;
  const uint64_t now = timer_ticks();
  if (*deadline <= now) return sc_core::SC_ZERO_TIME;
  const uint64_t ticks = *deadline - now;
  // Beyond about a day of simulated time the deadline needs no precision:
  // the hart looks again every quantum anyway.
  constexpr uint64_t kFarTicks = uint64_t(1) << 40;
  const sc_core::sc_time tick(1e12 / double(m_params.timebase_hz), sc_core::SC_PS);
  return double(std::min(ticks, kFarTicks)) * tick;
}

uint64_t RiscvCore::timer_ticks() {
  if (m_replay_source != nullptr) return m_replay_source->timer();
  sc_core::sc_time now = sc_core::sc_time_stamp() + local_offset();
  sc_core::sc_time tick(1e12 / double(m_params.timebase_hz), sc_core::SC_PS);
  const uint64_t ticks = uint64_t(now / tick);
  if (m_recorder != nullptr && m_in_run) m_recorder->timer(ticks);
  return ticks;
}

uint64_t RiscvCore::cycle_counter(uint64_t counted) {
  if (m_replay_source != nullptr) return m_replay_source->cycle_counter();
  if (m_recorder != nullptr && m_in_run) m_recorder->cycle_counter(counted);
  return counted;
}

}  // namespace silica::riscv
