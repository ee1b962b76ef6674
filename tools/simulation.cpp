#include "tools/simulation.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "cores/riscv/riscv_core.h"
#include "interconnect/tlm_helpers.h"
#include "peripherals/host_console.h"
#include "platforms/builtin_components.h"
#include "platforms/platform_builder.h"
#include "platforms/platform_file.h"
#include "tools/gdbstub/gdb_server.h"
#include "tools/machine_debug_target.h"
#include "tools/replay_driver.h"
#include "traces/filter_parse.h"
#include "traces/replay_log.h"
#include "traces/trace_open.h"

namespace silica {

// A SystemC process for what happens between instructions: machine resets and
// the progress line. Resets wait one quantum so every hart has parked at a
// block boundary before state is rewritten.
class Simulation::Controller : public sc_core::sc_module {
 public:
  Controller(const sc_core::sc_module_name& name, Simulation& sim)
      : sc_core::sc_module(name), m_sim(sim) {
    SC_HAS_PROCESS(Controller);
    SC_THREAD(reset_thread);
    if (sim.m_options.progress) SC_THREAD(progress_thread);
    if (sim.m_options.gdb_port) SC_THREAD(debug_poll_thread);
    if (sim.m_options.realtime_idle) SC_THREAD(idle_pacing_thread);
  }
  sc_core::sc_event reset_requested;

 private:
  void reset_thread() {
    while (true) {
      wait(reset_requested);
      wait(m_sim.m_options.quantum);
      m_sim.reset_machine();
      m_sim.m_stop_request = false;
    }
  }

  // Once a second of host time: instructions, MIPS and simulated time.
  void progress_thread() {
    auto last_host = std::chrono::steady_clock::now();
    uint64_t last_insns = 0;
    while (!m_sim.m_stop_request) {
      wait(sc_core::sc_time(1, sc_core::SC_MS));
      auto now = std::chrono::steady_clock::now();
      double elapsed = std::chrono::duration<double>(now - last_host).count();
      if (elapsed < 1.0) continue;
      uint64_t insns = 0;
      for (CpuComponent* cpu : m_sim.m_platform->cpus()) insns += cpu->stats().instructions;
      std::fprintf(stderr, "\r[silica] %.3f G instructions  %.0f MIPS  simulated %.3f s   ",
                   double(insns) / 1e9, double(insns - last_insns) / elapsed / 1e6,
                   sc_core::sc_time_stamp().to_seconds());
      std::fflush(stderr);
      last_host = now;
      last_insns = insns;
    }
  }

  // Harts poll the debugger once per quantum, but a machine whose harts all
  // sleep in WFI runs no quantum: look for Ctrl-C here too.
  void debug_poll_thread() {
    while (true) {
      wait(sc_core::sc_time(1, sc_core::SC_MS));
      if (m_sim.m_debug_hooks != nullptr && m_sim.m_debug_hooks->poll_interrupt()) {
        StopEvent event;
        event.reason = StopEvent::Reason::kInterrupt;
        m_sim.m_debug_target->note_stop(event);
        sc_core::sc_pause();
        wait(sc_core::SC_ZERO_TIME);
      }
    }
  }

  // --idle realtime: each millisecond of simulated time that every hart
  // slept through takes at least a millisecond of host time. Busy harts are
  // never slowed down; a key typed at an idle guest is seen within the
  // UART's poll period.
  void idle_pacing_thread() {
    const sc_core::sc_time interval(1, sc_core::SC_MS);
    auto last_host = std::chrono::steady_clock::now();
    while (true) {
      m_sim.m_idle_throughout = m_sim.m_harts_asleep == m_sim.m_platform->cpus().size();
      wait(interval);
      if (m_sim.m_idle_throughout) {
        std::this_thread::sleep_until(last_host + std::chrono::milliseconds(1));
      }
      last_host = std::chrono::steady_clock::now();
    }
  }

  Simulation& m_sim;
};

Simulation::Simulation(const RunOptions& options, CharBackend& console)
    : m_options(options), m_console(console) {
  if (options.core != "interp" && options.core != "dbt") {
    throw ConfigError("core '" + options.core + "' is not available (available: interp, dbt)");
  }
  const RequestedXlen wanted = requested_xlen(options.boot);
  register_builtin_components();
  riscv::register_riscv_core_component();
  BuildContext context;
  context.sim_control = this;
  context.console = &console;
  context.stop_request = &m_stop_request;
  context.engine = options.core;
  context.dbt_hot_runs = options.dbt_hot_runs;
  PlatformFile file = find_platform(options.platform);
  std::map<std::string, std::string> params = options.params;
  // As qemu-system-riscv32 is to qemu-system-riscv64: a 32-bit ELF runs on the
  // platform's rv32 variant unless the user chose an ISA.
  const PlatformParam* isa = file.find_param("isa");
  if (isa != nullptr && params.count("isa") == 0 && isa->value.rfind("rv64", 0) == 0 &&
      wanted.xlen == 32) {
    params["isa"] = "rv32" + isa->value.substr(4);
    if (file.find_param("mmu") != nullptr && params.count("mmu") == 0) params["mmu"] = "sv32";
  }
  m_platform = std::make_unique<Platform>(build_platform(file, params, context));
  if (params.count("isa") != 0) {
    m_isa = params["isa"];
  } else if (isa != nullptr) {
    m_isa = isa->value;
  }
  if (m_platform->cpus().empty()) {
    throw ConfigError(file.file_name + ": the platform has no processor");
  }
  m_xlen = m_platform->cpus()[0]->xlen();
  for (CpuComponent* cpu : m_platform->cpus()) {
    if (wanted.xlen != 0 && cpu->xlen() != wanted.xlen) {
      throw ConfigError(wanted.path + ": a " + std::to_string(wanted.xlen) +
                        "-bit program cannot run on a " + std::to_string(cpu->xlen()) +
                        "-bit hart (hart " + std::to_string(cpu->hart_id()) + ")");
    }
  }
  m_boot = std::make_unique<BootPlan>(options.boot, *m_platform);
  // riscv-tests style programs talk to the host through tohost/fromhost.
  const ElfImage* program = options.boot.program.empty() ? nullptr : m_boot->symbols();
  if (auto tohost = program != nullptr ? program->symbol("tohost") : std::nullopt) {
    auto fromhost = program->symbol("fromhost");
    m_platform->add_component("htif", "htif",
                              {{"tohost", std::to_string(*tohost)},
                               {"fromhost", std::to_string(fromhost.value_or(*tohost + 8))}},
                              options.boot.program);
    m_platform->check();
  }
  tlm_utils::tlm_quantumkeeper::set_global_quantum(options.quantum);
  const bool record = options.trace.format == "replay" && !options.trace.path.empty();
  if (record && options.gdb_port) {
    throw ConfigError(
        "--trace-format replay cannot be used with --gdb: what the debugger changes is not "
        "recorded");
  }
  if (record) {
    open_replay_log();
  } else if (!options.trace.path.empty()) {
    open_trace();
  }
  load_program();
  if (record) start_recording();
  if (!options.replay_log.empty()) {
    try {
      // A trace window applies in the harts, as in a direct run (open_trace).
      m_replay = std::make_unique<ReplayDriver>(options.replay_log, *m_platform, memories(),
                                                [this] { reset_machine(); });
    } catch (const std::runtime_error& e) {
      throw ConfigError(e.what());
    }
  }
  if (options.max_instructions != 0) {
    for (CpuComponent* cpu : m_platform->cpus())
      cpu->set_instruction_limit(options.max_instructions);
  }
  m_controller = std::make_unique<Controller>("controller", *this);
}

Simulation::~Simulation() = default;

uint64_t Simulation::resolve_address(const std::string& option, const std::string& text) const {
  const ElfImage* symbols = m_boot->symbols();
  if (symbols != nullptr) {
    if (std::optional<uint64_t> symbol = symbols->symbol(text)) return *symbol;
  }
  try {
    return trace::parse_address(text);
  } catch (const std::invalid_argument&) {
    throw ConfigError(option + " " + text + ": neither a symbol of " +
                      (symbols != nullptr ? symbols->path : std::string("any ELF given")) +
                      " nor an address");
  }
}

void Simulation::open_trace() {
  trace::TraceOptions trace_options;
  trace_options.path = m_options.trace.path;
  trace_options.xlen = m_xlen;
  trace_options.isa = m_isa;
  try {
    trace_options.format = trace::parse_trace_format(m_options.trace.format);
    for (const std::string& range : m_options.trace.ranges) {
      trace_options.filter.ranges.push_back(trace::parse_range(range));
    }
    if (!m_options.trace.priv.empty()) {
      trace_options.filter.priv_mask = trace::parse_priv_mask(m_options.trace.priv);
    }
    if (!m_options.trace.window.empty()) {
      trace::parse_window(m_options.trace.window, trace_options.filter);
    }
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  if (!m_options.trace.start.empty()) {
    trace_options.filter.start_pc = resolve_address("--trace-start", m_options.trace.start);
  }
  if (!m_options.trace.stop.empty()) {
    trace_options.filter.stop_pc = resolve_address("--trace-stop", m_options.trace.stop);
  }
  try {
    m_trace = trace::open_trace(trace_options);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
  // A start or stop trigger must see every retired pc; a window alone lets
  // the harts run untraced, at full speed, up to it and after it.
  const trace::TraceFilter& filter = trace_options.filter;
  const bool window_only = !filter.start_pc && !filter.stop_pc;
  for (CpuComponent* cpu : m_platform->cpus()) {
    cpu->set_trace_sink(m_trace.get());
    if (window_only) cpu->set_trace_window(filter.first, filter.last);
  }
}

void Simulation::open_replay_log() {
  trace::ReplayHeader header;
  header.args = m_options.command_line;
  std::vector<char> cwd(4096);
  if (getcwd(cwd.data(), cwd.size()) == nullptr) {
    throw ConfigError(std::string("--trace: cannot name the current directory: ") +
                      std::strerror(errno));
  }
  header.cwd = cwd.data();
  try {
    // A built-in platform is part of the binary; a .platform file is an
    // input like the images.
    const std::string platform_file =
        is_platform_path(m_options.platform) ? m_options.platform : std::string();
    for (const std::string* input : std::initializer_list<const std::string*>{
             &m_options.boot.program, &m_options.boot.bios, &m_options.boot.kernel,
             &m_options.boot.initrd, &m_options.boot.dtb, &platform_file}) {
      if (!input->empty()) header.inputs.push_back(trace::file_fingerprint(*input));
    }
    m_recorder = std::make_unique<trace::ReplayLogWriter>(m_options.trace.path, header);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
}

std::vector<Memory*> Simulation::memories() const {
  std::vector<Memory*> found;
  for (const Platform::Entry& entry : m_platform->components()) {
    if (auto* memory = dynamic_cast<MemoryComponent*>(entry.component.get())) {
      found.push_back(&memory->memory());
    }
  }
  return found;
}

void Simulation::start_recording() {
  for (CpuComponent* cpu : m_platform->cpus()) {
    if (!cpu->set_replay_recorder(m_recorder.get())) {
      throw ConfigError("--trace-format replay: hart " + std::to_string(cpu->hart_id()) +
                        " cannot record its runs");
    }
  }
  // What was loaded before this point, the replay loads itself; what
  // devices (and resets) write from now on is an input of the run.
  const std::vector<Memory*> all = memories();
  for (size_t i = 0; i < all.size(); ++i) {
    const uint8_t* base = all[i]->host_pointer();
    all[i]->add_write_hook([this, i, base](const uint8_t* host, uint64_t size) {
      if (m_recording_memory)
        m_recorder->memory_write(unsigned(i), uint64_t(host - base), host, size);
    });
  }
  m_recording_memory = true;
}

void Simulation::load_program() {
  m_boot->load(*m_platform);
}

void Simulation::reset_machine() {
  // A replay resets its machine at the same point and reloads the images
  // itself: what the reloading writes into RAM is no input of the run.
  if (m_recorder) m_recorder->machine_reset();
  const bool recording = m_recording_memory;
  m_recording_memory = false;
  m_platform->reset();
  load_program();
  m_recording_memory = recording;
}

void Simulation::write_dtb() const {
  const std::vector<uint8_t>& dtb = m_boot->dtb();
  FILE* out = std::fopen(m_options.dump_dtb.c_str(), "wb");
  if (out == nullptr) {
    throw ConfigError(m_options.dump_dtb + ": cannot write: " + std::strerror(errno));
  }
  const bool written = std::fwrite(dtb.data(), 1, dtb.size(), out) == dtb.size();
  if (std::fclose(out) != 0 || !written) {
    throw ConfigError(m_options.dump_dtb + ": cannot write: " + std::strerror(errno));
  }
}

void Simulation::request_exit(int exit_code) {
  if (m_exit_code) return;  // the first request wins
  m_exit_code = exit_code;
  m_stop_request = true;
  sc_core::sc_stop();
}

void Simulation::hart_sleeping(bool asleep) {
  if (asleep) {
    ++m_harts_asleep;
  } else {
    --m_harts_asleep;
    m_idle_throughout = false;  // this interval was not idle all through
  }
}

void Simulation::request_reset() {
  m_stop_request = true;
  m_controller->reset_requested.notify(sc_core::SC_ZERO_TIME);
}

namespace {
// Runs `write` (a trace's last writes); a write error is reported, and false.
template <typename Write>
bool written(Write&& write) {
  try {
    write();
    return true;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "silica: %s\n", e.what());
    return false;
  }
}

// Debug hooks while no gdb is attached yet: "stop" as soon as one connects.
class AttachWatcher final : public DebugHooks {
 public:
  explicit AttachWatcher(const gdb::GdbServer& server) : m_server(server) {}
  bool poll_interrupt() override { return m_server.connection_pending(); }

 private:
  const gdb::GdbServer& m_server;
};
}  // namespace

int Simulation::run_debugged() {
  MachineDebugTarget target(
      *m_platform, [this] { return m_exit_code; }, [this] { request_reset(); },
      [this](int code) { request_exit(code); });
  std::unique_ptr<gdb::GdbServer> server;
  try {
    server = std::make_unique<gdb::GdbServer>(target, m_options.gdb_host, *m_options.gdb_port);
  } catch (const gdb::GdbServerError& e) {
    throw ConfigError(std::string("--gdb: ") + e.what());
  }
  m_debug_target = &target;
  // As QEMU's gdbstub: after gdb detaches or goes away, the machine runs on
  // and another gdb may attach later.
  bool wait_for_gdb = m_options.wait_for_gdb;
  if (!wait_for_gdb) {
    std::fprintf(stderr, "silica: gdb can attach at %s\n", server->endpoint().c_str());
  }
  for (;;) {
    if (!wait_for_gdb) {
      // Run until a gdb connects (QEMU's -s), then stop the machine for it.
      AttachWatcher watcher(*server);
      target.set_hooks(&watcher);
      m_debug_hooks = &watcher;
      StopEvent event = target.resume(std::nullopt);
      m_debug_hooks = nullptr;
      if (event.reason == StopEvent::Reason::kExited) {
        m_debug_target = nullptr;
        target.set_hooks(nullptr);
        return event.exit_code;
      }
    }
    wait_for_gdb = false;
    target.set_hooks(server.get());
    m_debug_hooks = server.get();
    gdb::ServeResult result = server->serve();
    m_debug_hooks = nullptr;
    target.set_hooks(nullptr);
    target.clear_all();
    switch (result.end) {
      case gdb::ServeResult::End::kExited:
        m_debug_target = nullptr;
        return result.exit_code;
      case gdb::ServeResult::End::kKilled:
        m_debug_target = nullptr;
        std::fprintf(stderr, "silica: killed by gdb\n");
        return 0;
      case gdb::ServeResult::End::kDetached:
      case gdb::ServeResult::End::kDisconnected:
        break;  // run on; the next gdb to connect stops the machine again
    }
  }
}

int Simulation::run() {
  if (!m_options.dump_dtb.empty()) {
    write_dtb();
    std::fprintf(stderr, "silica: device tree (%zu bytes, at %s in RAM) written to %s\n",
                 m_boot->dtb().size(), hex(m_boot->dtb_address()).c_str(),
                 m_options.dump_dtb.c_str());
    return 0;
  }
  if (m_replay) return run_replay();
  auto start = std::chrono::steady_clock::now();
  if (m_options.gdb_port) {
    const int status = run_debugged();
    m_console.flush();
    if (m_trace) m_trace->finish();
    return status;
  }
  if (!m_exit_code) sc_core::sc_start();
  double host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m_console.flush();
  if (m_options.progress) std::fprintf(stderr, "\n");
  if (m_trace && !written([&] { m_trace->finish(); })) return 2;
  int status = 0;
  bool limit = false;
  for (CpuComponent* cpu : m_platform->cpus()) limit |= cpu->instruction_limit_reached();
  if (limit) {
    std::fprintf(stderr, "silica: stopped after %llu instructions (--max-insns)\n",
                 static_cast<unsigned long long>(m_options.max_instructions));
    status = riscv::kInstructionLimitExit;
  } else if (m_exit_code) {
    status = *m_exit_code;
  } else {
    std::fprintf(stderr,
                 "silica: simulation ended with nothing left to do at %s (every hart is "
                 "waiting for an interrupt that nothing will raise)\n",
                 sc_core::sc_time_stamp().to_string().c_str());
    status = 3;
  }
  if (m_recorder && !written([&] { m_recorder->finish(status); })) return 2;
  if (m_options.stats) print_stats(host_seconds);
  return status;
}

int Simulation::run_replay() {
  // Elaboration only: the harts' threads see replay mode and end at once;
  // the driver runs them from here.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  try {
    const int recorded = m_replay->run();
    uint64_t insns = 0;
    for (CpuComponent* cpu : m_platform->cpus()) insns += cpu->stats().instructions;
    std::fprintf(stderr,
                 "silica: replayed %llu instructions in %llu runs (the recorded run exited with "
                 "status %d)\n",
                 static_cast<unsigned long long>(insns),
                 static_cast<unsigned long long>(m_replay->runs()), recorded);
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "silica: %s\n", e.what());
    status = 2;
  }
  const double host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (m_trace && !written([&] { m_trace->finish(); })) return 2;
  if (m_options.stats) print_stats(host_seconds);
  return status;
}

void Simulation::print_stats(double host_seconds) const {
  uint64_t insns = 0, cycles = 0;
  // Harts run ahead of SystemC time within a quantum: the furthest one is
  // where simulated time really got to.
  double simulated = sc_core::sc_time_stamp().to_seconds();
  for (CpuComponent* cpu : m_platform->cpus()) {
    CpuStats s = cpu->stats();
    insns += s.instructions;
    cycles += s.cycles;
    if (s.clock_hz != 0) simulated = std::max(simulated, double(s.cycles) / double(s.clock_hz));
  }
  std::fprintf(stderr, "silica: instructions: %llu\n", static_cast<unsigned long long>(insns));
  std::fprintf(stderr, "silica: cycles: %llu\n", static_cast<unsigned long long>(cycles));
  std::fprintf(stderr, "silica: simulated time: %.9f s\n", simulated);
  std::fprintf(stderr, "silica: host seconds: %.6f\n", host_seconds);
  std::fprintf(stderr, "silica: MIPS: %.1f\n",
               host_seconds > 0 ? double(insns) / host_seconds / 1e6 : 0.0);
  const auto& cpus = m_platform->cpus();
  for (CpuComponent* cpu : cpus) {
    // With several harts each line names its hart.
    const std::string who = cpus.size() > 1 ? "hart " + std::to_string(cpu->hart_id()) + " " : "";
    for (const auto& [name, value] : cpu->engine_statistics()) {
      std::fprintf(stderr, "silica: %s%s: %s\n", who.c_str(), name.c_str(), value.c_str());
    }
  }
}

}  // namespace silica
