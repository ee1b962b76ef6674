// silica's command line. `silica run [options] ELF` boots a platform with a
// bare-metal program, `silica run --bios FW --kernel Image ...` boots firmware
// and a kernel as QEMU's virt does; either exits with the guest's exit code.
// `silica replay LOG --trace F` replays a run recorded with --trace-format
// replay and writes its trace (traces/REPLAY.md).
// Bad input gets one line on stderr and exit status 2.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <systemc>

#include "peripherals/host_console.h"
#include "platforms/component.h"
#include "tools/simulation.h"
#include "traces/replay_log.h"

namespace {

// SystemC reports go to stderr (stdout is the guest's console) and the routine
// "simulation stopped" note is not printed at all.
void quiet_report_handler(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if (report.get_severity() == sc_core::SC_INFO) return;
  if (actions & sc_core::SC_DISPLAY) {
    std::fprintf(stderr, "silica: systemc: %s\n",
                 sc_core::sc_report_compose_message(report).c_str());
  }
  if (actions & (sc_core::SC_THROW | sc_core::SC_ABORT))
    sc_core::sc_report_handler::default_handler(report, actions & ~sc_core::SC_DISPLAY);
}

// "128M", "2G", "4096" (bytes; a bare number below 64K is taken as MiB, as QEMU does).
bool valid_memory_size(const std::string& text) {
  if (text.empty()) return false;
  size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0) return false;
  if (digits == std::string::npos) return true;
  std::string suffix = text.substr(digits);
  return suffix == "K" || suffix == "M" || suffix == "G" || suffix == "k" || suffix == "m" ||
         suffix == "g";
}

// The --trace options, which `run` and `replay` share.
void add_trace_options(CLI::App* app, silica::TraceRequest& trace,
                       const std::vector<std::string>& formats, const std::string& format_help) {
  app->add_option("--trace", trace.path, "write an execution trace to this file");
  app->add_option("--trace-format", trace.format, format_help)
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  app->add_option("--trace-range", trace.ranges,
                  "only pcs in LO:HI (hex 0x.. or decimal); may be repeated")
      ->allow_extra_args(false);
  app->add_option("--trace-priv", trace.priv, "only these privilege levels, e.g. m,s");
  app->add_option("--trace-window", trace.window, "only instructions FIRST:LAST by retired count");
  app->add_option("--trace-start", trace.start,
                  "start tracing when this symbol or address retires");
  app->add_option("--trace-stop", trace.stop, "stop tracing after this symbol or address retires");
}

// A path as seen from the current directory, before a replay moves to the
// recording's.
std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_handler(quiet_report_handler);

  CLI::App app{"silica: a cycle-approximate instruction-set simulator"};
  app.set_version_flag("--version", "silica 0.1.0");
  app.require_subcommand(1);
  silica::RunOptions options;
  std::string memory;
  double quantum_us = 10.0;

  CLI::App* run = app.add_subcommand("run", "Run a program on a platform");
  run->add_option("program", options.boot.program,
                  "bare-metal ELF to run (as QEMU's -bios none -kernel ELF)");
  run->add_option("--bios", options.boot.bios,
                  "firmware at the start of RAM (ELF, or raw such as OpenSBI's fw_dynamic.bin)");
  run->add_option("--kernel", options.boot.kernel,
                  "kernel the firmware starts in S-mode (ELF, or raw such as a Linux Image)");
  run->add_option("--initrd", options.boot.initrd, "initial ramdisk for the kernel");
  std::string append;
  run->add_option("--append", append, "kernel command line (/chosen bootargs)");
  run->add_option("--dtb", options.boot.dtb,
                  "device tree blob to use instead of the generated one");
  run->add_option("--dump-dtb", options.dump_dtb, "write the device tree to this file and exit");
  unsigned harts = 0;
  run->add_option("--smp", harts, "number of harts (1..8), as the platform's harts parameter")
      ->check(CLI::Range(1, 8));
  std::string drive;
  run->add_option("--drive", drive,
                  "virtio-blk disk image: FILE[,snapshot=on][,readonly=on][,serial=S] (the "
                  "platform's drive parameter)");
  std::vector<std::string> params;
  run->add_option("-P,--param", params, "set a platform parameter, NAME=VALUE; may be repeated")
      ->allow_extra_args(false);
  run->add_option("--platform", options.platform, "built-in platform name or .platform file")
      ->capture_default_str();
  run->add_option("--core", options.core, "execution engine")
      ->check(CLI::IsMember({"interp", "dbt"}))
      ->capture_default_str();
  run->add_option("--dbt-hot", options.dbt_hot_runs,
                  "with --core dbt: translate a block on its N-th run, the interpreter runs it "
                  "before (1: translate everything at once)")
      ->check(CLI::Range(1u, 1u << 30))
      ->capture_default_str();
  run->add_option("-m,--memory", memory, "RAM size, e.g. 128M or 2G");
  run->add_option("--max-insns", options.max_instructions,
                  "stop (exit status 124) after this many instructions");
  run->add_option("--quantum", quantum_us, "temporal-decoupling quantum in microseconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run->add_flag("--stats", options.stats, "print instructions, time and MIPS on stderr");
  add_trace_options(run, options.trace, {"text", "bin", "binary", "replay"},
                    "text (Spike --log-commits layout), bin (zstd-compressed, see traces/) or "
                    "replay (a log of the run's inputs to expand with 'silica replay', see "
                    "traces/REPLAY.md)");
  std::string gdb_address;
  bool gdb_default_port = false;
  run->add_option("--gdb", gdb_address,
                  "serve gdb's remote protocol on [HOST:]PORT (host defaults to 127.0.0.1)");
  run->add_flag("-s", gdb_default_port, "shorthand for --gdb 1234 (as QEMU)");
  run->add_flag("--wait-gdb,-S", options.wait_for_gdb,
                "halt before the first instruction until gdb attaches");
  std::string idle;
  run->add_option("--idle", idle,
                  "while every hart sleeps in WFI: 'realtime' holds simulated time to the host's "
                  "clock, 'skip' jumps to the next event (default: realtime when stdin is a "
                  "terminal, else skip)")
      ->check(CLI::IsMember({"realtime", "skip"}));
  bool no_progress = false;
  run->add_flag("--no-progress", no_progress, "no live progress line on a terminal");

  CLI::App* replay = app.add_subcommand(
      "replay",
      "Replay a run recorded with --trace-format replay on the interpreter, writing its full "
      "trace");
  std::string replay_log;
  replay->add_option("log", replay_log, "the replay log")->required();
  silica::TraceRequest replay_trace;
  bool replay_stats = false;
  add_trace_options(replay, replay_trace, {"text", "bin", "binary"},
                    "text (Spike --log-commits layout) or bin (zstd-compressed, see traces/)");
  replay->add_flag("--stats", replay_stats, "print instructions, time and MIPS on stderr");

  try {
    app.parse(argc, argv);
    if (replay->parsed()) {
      // Build the machine the recording ran: parse its command line again,
      // from its directory (its paths may be relative).
      const silica::trace::ReplayHeader header =
          silica::trace::ReplayLogReader(replay_log).header();
      replay_log = absolute(replay_log);
      replay_trace.path = absolute(replay_trace.path);
      if (chdir(header.cwd.c_str()) != 0) {
        std::fprintf(stderr, "silica: %s: the recording ran in %s, which is gone\n",
                     replay_log.c_str(), header.cwd.c_str());
        return 2;
      }
      std::vector<std::string> args(header.args.rbegin(), header.args.rend());
      app.parse(args);
      if (!run->parsed()) {
        std::fprintf(stderr, "silica: %s: the log does not record a 'silica run'\n",
                     replay_log.c_str());
        return 2;
      }
    } else {
      options.command_line.assign(argv + 1, argv + argc);
    }
  } catch (const silica::trace::TraceError& e) {
    std::fprintf(stderr, "silica: %s\n", e.what());
    return 2;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "silica: %s (see 'silica run --help')\n", e.what());
    return 2;
  }

  if (run->count("--append") != 0) options.boot.append = append;
  if (options.boot.program.empty() && options.boot.bios.empty() && options.boot.kernel.empty() &&
      options.dump_dtb.empty()) {
    std::fprintf(stderr,
                 "silica: nothing to run: give a program, --bios or --kernel (see 'silica run "
                 "--help')\n");
    return 2;
  }
  for (const std::string& param : params) {
    const size_t eq = param.find('=');
    if (eq == 0 || eq == std::string::npos) {
      std::fprintf(stderr, "silica: --param %s: expected NAME=VALUE\n", param.c_str());
      return 2;
    }
    options.params[param.substr(0, eq)] = param.substr(eq + 1);
  }
  if (!drive.empty()) options.params["drive"] = drive;
  if (harts != 0) options.params["harts"] = std::to_string(harts);
  if (!memory.empty()) {
    if (!valid_memory_size(memory)) {
      std::fprintf(stderr, "silica: -m %s: expected a size such as 128M or 2G\n", memory.c_str());
      return 2;
    }
    // A bare number means MiB, as with QEMU's -m.
    if (memory.find_first_not_of("0123456789") == std::string::npos) memory += "M";
    options.params["memory"] = memory;
  }
  options.quantum = sc_core::sc_time(quantum_us, sc_core::SC_US);
  if (gdb_default_port && gdb_address.empty()) gdb_address = "1234";
  if (!gdb_address.empty()) {
    size_t colon = gdb_address.rfind(':');
    std::string port_text =
        colon == std::string::npos ? gdb_address : gdb_address.substr(colon + 1);
    if (colon != std::string::npos) options.gdb_host = gdb_address.substr(0, colon);
    char* end = nullptr;
    unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || port > 65535) {
      std::fprintf(stderr, "silica: --gdb %s: expected [HOST:]PORT\n", gdb_address.c_str());
      return 2;
    }
    options.gdb_port = uint16_t(port);
  } else if (options.wait_for_gdb) {
    options.gdb_port = 1234;  // -S alone waits on QEMU's default port
  }
  options.realtime_idle = idle.empty() ? isatty(0) != 0 : idle == "realtime";
  if (!replay_log.empty()) {
    // The recorded machine, traced as the replay's options say, on the
    // interpreter (which traces every instruction), with no limit but the log.
    options.replay_log = replay_log;
    options.trace = replay_trace;
    options.stats = replay_stats;
    options.core = "interp";
    options.max_instructions = 0;
    options.gdb_port.reset();
    options.wait_for_gdb = false;
    no_progress = true;
  }
  // The progress line would interleave with gdb's session on a terminal.
  options.progress = !no_progress && isatty(2) && !options.stats && !options.gdb_port;

  try {
    silica::StdioConsole console;
    silica::Simulation simulation(options, console);
    return simulation.run();
  } catch (const silica::ConfigError& e) {
    std::fprintf(stderr, "silica: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "silica: error: %s\n", e.what());
    return 2;
  }
}

// SystemC prints its banner before sc_main runs; silica's own main turns it
// off (it is noise around a guest's console) and then hands over to SystemC.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
