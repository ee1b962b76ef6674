// One run of a platform: builds it from its platform file, loads the program,
// runs SystemC until the guest exits (finisher, HTIF, instruction limit) and
// reports statistics. It is the SimControl every device talks to.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "interconnect/sim_control.h"
#include "platforms/boot_images.h"
#include "platforms/component.h"
#include "platforms/elf_image.h"
#include "platforms/platform.h"
#include "traces/trace_record.h"

namespace silica {

class CharBackend;
class DebugHooks;
class Memory;
class ReplayDriver;
namespace trace {
class ReplayLogWriter;
}

// Tracing (--trace ...), as the command line gives it: no path, no trace.
// Start/stop are ELF symbols or addresses.
struct TraceRequest {
  std::string path;
  std::string format = "text";
  std::vector<std::string> ranges;
  std::string priv;
  std::string window;
  std::string start;
  std::string stop;
};

struct RunOptions {
  // What to load: a bare-metal program, or firmware/kernel/initrd as with
  // QEMU's -bios/-kernel/-initrd/-append/-dtb (see platforms/boot_images.h).
  BootOptions boot;
  std::string dump_dtb;           // write the device tree here and stop (QEMU's dumpdtb=)
  std::string platform = "virt";  // built-in name or a .platform file
  std::string core = "dbt";       // execution engine: dbt or interp
  // The DBT translates a block on its n-th run (--dbt-hot).
  unsigned dbt_hot_runs = BuildContext::kDefaultDbtHotRuns;
  std::map<std::string, std::string> params;  // platform parameter overrides (-m → memory)
  uint64_t max_instructions = 0;              // 0 = no limit
  sc_core::sc_time quantum = sc_core::sc_time(10, sc_core::SC_US);
  bool stats = false;
  TraceRequest trace;
  // The command line after `silica` (`run ...`): a replay log records it so
  // that `silica replay` can build the same machine.
  std::vector<std::string> command_line;
  // Replay this log (`silica replay`) instead of running: the harts retire
  // the recorded run's instructions again, on the interpreter.
  std::string replay_log;
  bool progress = false;  // live progress line on stderr
  // gdb remote protocol: no port, no debugger. wait_for_gdb halts before the
  // first instruction until gdb attaches (QEMU's -S).
  std::optional<uint16_t> gdb_port;
  std::string gdb_host = "127.0.0.1";
  bool wait_for_gdb = false;
  // While every hart sleeps in WFI, hold simulated time to the host's clock
  // (as QEMU's guest clock is the host's) rather than skip ahead to the next
  // timer: an idle interactive guest then keeps wall-clock time and costs no
  // host CPU.
  bool realtime_idle = false;
};

class Simulation final : public SimControl {
 public:
  // Builds everything; throws ConfigError with a one-line message on bad input.
  Simulation(const RunOptions& options, CharBackend& console);
  ~Simulation() override;

  // Runs to the end and returns the process exit status.
  int run();

  void request_exit(int exit_code) override;
  void request_reset() override;
  void hart_sleeping(bool asleep) override;

 private:
  class Controller;
  void load_program();
  // Resets every component and loads the images again (the guest asked for
  // it, or a replay reached the point where it did).
  void reset_machine();
  void write_dtb() const;
  void print_stats(double host_seconds) const;

  RunOptions m_options;
  CharBackend& m_console;
  std::unique_ptr<BootPlan> m_boot;
  unsigned m_xlen = 64;
  bool m_stop_request = false;
  std::optional<int> m_exit_code;
  void open_trace();
  // --trace-format replay: the recorder, attached once the program is loaded.
  void open_replay_log();
  void start_recording();
  int run_replay();
  // The platform's memories in creation order: how a replay log names them.
  std::vector<Memory*> memories() const;
  // Runs with the gdbstub to the end of the simulation (gdb may attach,
  // detach and attach again); returns the exit status.
  int run_debugged();
  uint64_t resolve_address(const std::string& option, const std::string& text) const;

  std::unique_ptr<Platform> m_platform;
  std::unique_ptr<trace::TraceSink> m_trace;
  std::unique_ptr<trace::ReplayLogWriter> m_recorder;
  bool m_recording_memory = false;  // writes into RAM go to m_recorder
  std::unique_ptr<ReplayDriver> m_replay;
  std::string m_isa;                    // the platform's ISA string, recorded in binary traces
  DebugHooks* m_debug_hooks = nullptr;  // while a debugger is attached
  class MachineDebugTarget* m_debug_target = nullptr;
  std::unique_ptr<Controller> m_controller;
  // --idle realtime: harts asleep now, and whether every hart slept through
  // the pacing interval so far.
  size_t m_harts_asleep = 0;
  bool m_idle_throughout = false;
};

}  // namespace silica
