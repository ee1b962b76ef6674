// Differential engine fuzzer: runs one program made by gen_program.py on two
// execution engines, each with its own hart and its own copy of RAM, and
// compares the architectural state every time both stand at the same block
// boundary: pc, x0..x31, privilege, the M-mode CSRs, instret, cycles, the WFI
// and LR/SC reservation state, and all of RAM. On the first difference it
// prints the program, the step, the code the engines ran since they last
// agreed (disassembled), every differing field and memory range, and exits 1.
//
//   engine_fuzz [--engines A,B] [--isa rv64imac_zicsr_zifencei] [--misaligned-traps]
//               [--seed N] [--origin TEXT] [--max-steps N] [--timeout SECONDS]
//               [--inject-mismatch STEP] [--verbose] PROGRAM.bin
//
// Engines: interp, interp-1 (the interpreter with one-instruction blocks) and,
// once cores/riscv/dbt_engine.h exists, dbt. --seed and --origin (how to list
// the program) only label the report. An engine that crashes or runs past
// --timeout gets the step and pc reported. --inject-mismatch STEP flips
// engine B's a0 at that step, to show that a difference is caught and how.
//
// Stepping. Engine A runs exactly one block at a time. run() checks its
// limits only between blocks and every block (even one whose first
// instruction traps) charges at least one cycle, so run(cycles + 1, ~0) is
// one block. (An instret limit is not: a block that traps at its first
// instruction retires nothing, and the run continues into the handler.)
// Engine B then runs to A's cycle count. Engines may cut blocks differently
// (a DBT may translate longer ones), so whichever is behind runs up to the
// other's count until both agree; cycles grow with every block, so that is a
// point both have reached, and correct engines agree on everything there.
//
// The program ends at its terminator `j .` (jal x0, 0). WFI parks a hart
// (no interrupt ever arrives here): once both reach it, the harness wakes
// both, as an interrupt wire would with interrupts disabled.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cores/riscv/interpreter.h"
#include "cores/riscv/timing_model.h"
#include "riscv_disasm.h"
#include "tests/unit/support/ram_port.h"

// The DBT engine, once it exists, has the interpreter's constructor and
// interface. Until then only "interp" can be chosen.
#if __has_include("cores/riscv/dbt_engine.h")
#include "cores/riscv/dbt_engine.h"
#define SILICA_ENGINE_FUZZ_HAS_DBT 1
#else
#define SILICA_ENGINE_FUZZ_HAS_DBT 0
#endif

// The default pair when --engines is not given (CMake passes --engines).
#ifndef SILICA_ENGINE_FUZZ_ENGINES
#define SILICA_ENGINE_FUZZ_ENGINES "interp,interp"
#endif

// libsystemc.so refers to sc_main (its own main() calls it); this program has
// its own main(), but the symbol must exist.
int sc_main(int /*argc*/, char* /*argv*/[]) {
  std::fprintf(stderr, "sc_main must not run in engine_fuzz\n");
  return 1;
}

namespace silica::riscv {
namespace {

// Where the run is, for a report should an engine crash or hang (a signal
// handler can only read plain globals and write()).
struct Progress {
  char header[512] = "";  // "engine_fuzz: <A>/<B> on <program> (seed <n>)"
  volatile uint64_t step = 0;
  volatile uint64_t pc = 0;
};
Progress g_progress;

void write_str(const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = ::write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= size_t(w);
  }
}

void write_u64(uint64_t v, bool as_hex) {
  char buf[24];
  char* p = buf + sizeof buf;
  *--p = '\0';
  do {
    *--p = "0123456789abcdef"[v % (as_hex ? 16 : 10)];
    v /= as_hex ? 16 : 10;
  } while (v != 0);
  if (as_hex) write_str("0x");
  write_str(p);
}

extern "C" void on_fatal_signal(int sig) {
  write_str(g_progress.header);
  write_str(sig == SIGALRM ? ": timed out" : ": crashed, signal ");
  if (sig != SIGALRM) write_u64(uint64_t(sig), false);
  write_str(" in step ");
  write_u64(g_progress.step, false);
  write_str(", which both engines started at pc ");
  write_u64(g_progress.pc, true);
  write_str("\n");
  std::signal(sig == SIGALRM ? SIGABRT : sig, SIG_DFL);
  std::raise(sig == SIGALRM ? SIGABRT : sig);
}

void install_crash_reporter(const std::string& header, unsigned timeout_seconds) {
  std::snprintf(g_progress.header, sizeof g_progress.header, "%s", header.c_str());
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM}) {
    std::signal(sig, on_fatal_signal);
  }
  if (timeout_seconds != 0) ::alarm(timeout_seconds);
}

constexpr uint64_t kRamBase = test::RamPort::kBase;
constexpr uint32_t kTerminator = 0x0000006f;  // jal x0, 0
// Runs allowed to bring the two engines to a common block boundary.
constexpr unsigned kMaxSyncRuns = 10000;

// The test RAM, with a 100 MHz timer beside a 1 GHz hart: a function of the
// hart's own cycles, so both engines read the same time at the same point.
class RamPort final : public test::RamPort {
 public:
  const uint64_t* cycles = nullptr;  // the hart's, for the time CSR
  uint64_t timer_ticks() override { return *cycles / 10; }
};

// Engines are driven through this, so an engine need not derive from Engine.
class FuzzEngine {
 public:
  virtual ~FuzzEngine() = default;
  virtual StopReason run(uint64_t cycle_limit, uint64_t instret_limit) = 0;
  // What the engine reports about its work, if anything (e.g. a DBT's
  // translation counts, to show its translations ran rather than a fallback).
  virtual std::string stats() const { return ""; }
};

template <class E>
class EngineOf final : public FuzzEngine {
 public:
  template <unsigned XLEN, class... Extra>
  EngineOf(Hart<XLEN>& hart, const TimingModel& timing, Extra... extra)
      : m_engine(hart, timing, extra...) {}
  StopReason run(uint64_t cycle_limit, uint64_t instret_limit) override {
    return m_engine.run(cycle_limit, instret_limit);
  }
  std::string stats() const override {
    if constexpr (requires(const E& e) {
                    e.stats().blocks_translated;
                    e.stats().guest_insns_translated;
                    e.stats().insns_left_to_interpreter;
                    e.stats().flushes;
                  }) {
      const auto& s = m_engine.stats();
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "%llu blocks translated (%llu instructions, %llu left to the interpreter), "
                    "%llu flushes",
                    static_cast<unsigned long long>(s.blocks_translated),
                    static_cast<unsigned long long>(s.guest_insns_translated),
                    static_cast<unsigned long long>(s.insns_left_to_interpreter),
                    static_cast<unsigned long long>(s.flushes));
      return buf;
    }
    return "";
  }

 private:
  E m_engine;
};

std::string known_engines() {
  return SILICA_ENGINE_FUZZ_HAS_DBT ? "interp, interp-1, dbt, dbt-tiny" : "interp, interp-1";
}

template <unsigned XLEN>
std::unique_ptr<FuzzEngine> make_engine(const std::string& name, Hart<XLEN>& hart,
                                        const TimingModel& timing) {
  if (name == "interp") return std::make_unique<EngineOf<Interpreter<XLEN>>>(hart, timing);
  // The interpreter with one-instruction blocks (as the debugger steps): the
  // same semantics cut into other blocks, to check the harness's
  // synchronisation against an engine whose blocks differ (as a DBT's may).
  if (name == "interp-1") {
    hart.max_block_insns = 1;
    return std::make_unique<EngineOf<Interpreter<XLEN>>>(hart, timing);
  }
#if SILICA_ENGINE_FUZZ_HAS_DBT
  if (name == "dbt") return std::make_unique<EngineOf<DbtEngine<XLEN>>>(hart, timing);
  // A code cache of a few blocks (16 KiB): translations are flushed again and again,
  // also while the blocks that chain into them are still cached. 16 KiB:
  // with floating point (calls into the interpreter) in the programs, one
  // block of rv64hot-seed4 no longer fit in 8 KiB.
  if (name == "dbt-tiny") {
    return std::make_unique<EngineOf<DbtEngine<XLEN>>>(hart, timing, size_t(16) << 10);
  }
#endif
  return nullptr;
}

struct Options {
  std::string engines[2];
  std::string isa = "rv64imac_zicsr_zifencei";
  std::string program;
  std::string seed = "?";
  std::string command;  // to reproduce
  std::string origin;   // how the program was made (printed on a mismatch)
  bool misaligned_traps = false;
  bool verbose = false;
  uint64_t max_steps = 1000000;
  uint64_t inject_at = 0;  // harness self-test: corrupt engine B's a0 at this step
  unsigned timeout = 30;   // seconds before a hung engine is reported (0: never)
};

template <unsigned XLEN>
struct Machine {
  std::string name;
  RamPort port;
  Hart<XLEN> hart;
  bool stop = false;
  std::unique_ptr<FuzzEngine> engine;

  uint64_t cycles() const { return hart.cycles; }
};

struct Difference {
  std::string name;
  uint64_t a, b;
};

const char* cause_name(uint64_t cause) {
  static const char* const kNames[] = {
      "insn-misaligned", "insn-access-fault", "illegal-insn",     "breakpoint",
      "load-misaligned", "load-access-fault", "store-misaligned", "store-access-fault",
      "ecall-from-u",    "ecall-from-s",      "reserved",         "ecall-from-m",
  };
  return cause < std::size(kNames) ? kNames[cause] : "other";
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

template <unsigned XLEN>
class Fuzzer {
 public:
  Fuzzer(const Options& options, const std::vector<uint8_t>& image) : m_options(options) {
    size_t ram_size = ((image.size() + 0xfff) & ~size_t(0xfff)) + 0x1000;
    for (int i = 0; i < 2; ++i) {
      auto m = std::make_unique<Machine<XLEN>>();
      m->name = options.engines[i];
      m->port.ram.assign(ram_size, 0);
      std::memcpy(m->port.ram.data(), image.data(), image.size());
      m->port.cycles = &m->hart.cycles;
      m->hart.config = parse_isa_string(options.isa);
      m->hart.config.misaligned_traps = options.misaligned_traps;
      m->hart.memory = &m->port;
      m->hart.stop_request = &m->stop;
      m->hart.reset(kRamBase);
      m->engine = make_engine<XLEN>(m->name, m->hart, m_timing);
      if (m->engine == nullptr) {
        throw std::invalid_argument("unknown engine '" + m->name + "' (built: " + known_engines() +
                                    ")");
      }
      m_machines[i] = std::move(m);
    }
  }

  int run() {
    Machine<XLEN>& a = *m_machines[0];
    Machine<XLEN>& b = *m_machines[1];
    if (auto diffs = differences(); !diffs.empty()) return report("before the first step", diffs);
    for (uint64_t step = 1; !at_end(a.hart); ++step) {
      if (step > m_options.max_steps) {
        std::printf("engine_fuzz: %s did not reach the end after %llu blocks (pc %s)\n",
                    m_options.program.c_str(), static_cast<unsigned long long>(step - 1),
                    hex(a.hart.pc).c_str());
        return 1;
      }
      m_from_pc = a.hart.pc;
      m_from_instret = a.hart.instret;
      m_from_cycles = a.hart.cycles;
      m_step = step;
      g_progress.step = step;
      g_progress.pc = m_from_pc;
      // One block of A, then bring both to a common block boundary.
      if (!advance(a, a.cycles() + 1)) return report("engine A made no progress", differences());
      for (unsigned n = 0; a.cycles() != b.cycles(); ++n) {
        if (n == kMaxSyncRuns) {
          return report("the engines never reach a common block boundary", differences());
        }
        Machine<XLEN>& behind = a.cycles() < b.cycles() ? a : b;
        Machine<XLEN>& ahead = a.cycles() < b.cycles() ? b : a;
        if (!advance(behind, ahead.cycles())) {
          std::string what = behind.name;
          what.append(&behind == &a ? " (A)" : " (B)")
              .append(" stopped short of the other's cycle count")
              .append(behind.hart.wfi ? ", waiting in WFI" : "");
          return report(what.c_str(), differences());
        }
      }
      if (step == m_options.inject_at) b.hart.x[10] ^= 1;
      if (m_options.verbose) {
        std::printf("step %llu: pc %s instret %llu cycles %llu\n",
                    static_cast<unsigned long long>(step), hex(a.hart.pc).c_str(),
                    static_cast<unsigned long long>(a.hart.instret),
                    static_cast<unsigned long long>(a.hart.cycles));
      }
      if (auto diffs = differences(); !diffs.empty()) return report("state differs", diffs);
      count_events(a.hart);
      m_steps = step;
      if (a.hart.wfi) {
        a.hart.wfi = b.hart.wfi = false;  // an interrupt wire would wake both
      }
    }
    print_summary();
    return 0;
  }

 private:
  // Runs m until its cycle count reaches `limit`; false if it made no progress.
  bool advance(Machine<XLEN>& m, uint64_t limit) {
    uint64_t before = m.cycles();
    m.engine->run(limit, ~uint64_t(0));
    return m.cycles() != before;
  }

  uint32_t word_at(const Machine<XLEN>& m, uint64_t pc) const {
    uint32_t word = 0;
    if (pc >= kRamBase && pc - kRamBase < m.port.ram.size()) {
      std::memcpy(&word, &m.port.ram[pc - kRamBase],
                  std::min<size_t>(4, m.port.ram.size() - (pc - kRamBase)));
    }
    return word;
  }

  // The instruction at pc: a 16-bit one has its upper half cleared.
  uint32_t insn_at(const Machine<XLEN>& m, uint64_t pc) const {
    uint32_t word = word_at(m, pc);
    return (word & 3) == 3 ? word : word & 0xffff;
  }

  bool at_end(const Hart<XLEN>& h) const { return word_at(*m_machines[0], h.pc) == kTerminator; }

  std::vector<Difference> differences() const {
    const Hart<XLEN>& a = m_machines[0]->hart;
    const Hart<XLEN>& b = m_machines[1]->hart;
    std::vector<Difference> out;
    auto cmp = [&](const std::string& name, uint64_t x, uint64_t y) {
      if (x != y) out.push_back({name, x, y});
    };
    cmp("pc", a.pc, b.pc);
    for (unsigned r = 0; r < 32; ++r) {  // x0 too: an engine must never write it
      char name[16];
      std::snprintf(name, sizeof name, "x%u/%s", r, kXRegisterNames[r]);
      cmp(name, a.x[r], b.x[r]);
    }
    for (unsigned r = 0; r < 32; ++r) {
      char name[16];
      std::snprintf(name, sizeof name, "f%u/%s", r, kFRegisterNames[r]);
      cmp(name, a.f[r], b.f[r]);
    }
    cmp("fflags", a.fflags, b.fflags);
    cmp("frm", a.frm, b.frm);
    cmp("priv", uint64_t(a.priv), uint64_t(b.priv));
    cmp("mstatus", a.mstatus, b.mstatus);
    cmp("mie", a.mie, b.mie);
    cmp("mip", a.mip, b.mip);
    cmp("mtvec", a.mtvec, b.mtvec);
    cmp("mepc", a.mepc, b.mepc);
    cmp("mcause", a.mcause, b.mcause);
    cmp("mtval", a.mtval, b.mtval);
    cmp("mscratch", a.mscratch, b.mscratch);
    cmp("instret", a.instret, b.instret);
    cmp("cycles", a.cycles, b.cycles);
    cmp("wfi", a.wfi, b.wfi);
    cmp("reservation_valid", a.reservation_valid, b.reservation_valid);
    if (a.reservation_valid && b.reservation_valid) {
      cmp("reservation_addr", a.reservation_addr, b.reservation_addr);
    }
    return out;
  }

  // Differing RAM, as [first, last] offset ranges (bytes closer than 8 merged).
  std::vector<std::pair<size_t, size_t>> memory_differences() const {
    const std::vector<uint8_t>& a = m_machines[0]->port.ram;
    const std::vector<uint8_t>& b = m_machines[1]->port.ram;
    std::vector<std::pair<size_t, size_t>> ranges;
    if (std::memcmp(a.data(), b.data(), a.size()) == 0) return ranges;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] == b[i]) continue;
      if (!ranges.empty() && i - ranges.back().second <= 8) {
        ranges.back().second = i;
      } else {
        ranges.emplace_back(i, i);
      }
    }
    return ranges;
  }

  void count_events(const Hart<XLEN>& h) {
    // A block boundary at the handler's entry is a trap just taken.
    if (h.pc == (h.mtvec & ~uint64_t(3))) ++m_traps[h.mcause];
    if (h.wfi) ++m_wfis;
  }

  void print_code(uint64_t pc) const {
    // The block that starts at pc, as A's RAM holds it now: straight-line up
    // to the first instruction that ends a block.
    for (unsigned n = 0; n < 64; ++n) {
      uint32_t word = insn_at(*m_machines[0], pc);
      unsigned len = (word & 3) == 3 ? 4 : 2;
      InsnId id = decode<XLEN>(word);
      std::printf("    %s:  %0*x  %s\n", hex(pc).c_str(), len * 2, word,
                  disassemble<XLEN>(word, pc).c_str());
      if (id == InsnId::illegal || (kInsnInfo[size_t(id)].flags & insn_flags::ends_block)) break;
      pc += len;
    }
  }

  int report(const char* what, const std::vector<Difference>& diffs) const {
    const Machine<XLEN>& a = *m_machines[0];
    const Machine<XLEN>& b = *m_machines[1];
    std::printf("engine_fuzz: %s (A) and %s (B) disagree: %s\n", a.name.c_str(), b.name.c_str(),
                what);
    std::printf("  program  %s, seed %s, %s%s\n", m_options.program.c_str(), m_options.seed.c_str(),
                m_options.isa.c_str(),
                m_options.misaligned_traps ? ", misaligned accesses trap" : "");
    std::printf(
        "  step     %llu: both ran from pc %s (instret %llu, cycles %llu); now A at instret "
        "%llu, cycles %llu; B at instret %llu, cycles %llu\n",
        static_cast<unsigned long long>(m_step), hex(m_from_pc).c_str(),
        static_cast<unsigned long long>(m_from_instret),
        static_cast<unsigned long long>(m_from_cycles),
        static_cast<unsigned long long>(a.hart.instret),
        static_cast<unsigned long long>(a.hart.cycles),
        static_cast<unsigned long long>(b.hart.instret),
        static_cast<unsigned long long>(b.hart.cycles));
    std::printf("  code from %s (the block engine A ran, as its memory holds it now):\n",
                hex(m_from_pc).c_str());
    print_code(m_from_pc);
    if (a.hart.pc != b.hart.pc || m_from_pc != a.hart.pc) {
      std::printf("  A is at %s: %s\n", hex(a.hart.pc).c_str(),
                  disassemble<XLEN>(insn_at(a, a.hart.pc), a.hart.pc).c_str());
      std::printf("  B is at %s: %s\n", hex(b.hart.pc).c_str(),
                  disassemble<XLEN>(insn_at(b, b.hart.pc), b.hart.pc).c_str());
    }
    if (!diffs.empty()) {
      std::printf("  %-20s %-20s %-20s\n", "state", a.name.c_str(), b.name.c_str());
      for (const Difference& d : diffs) {
        std::printf("  %-20s %-20s %-20s\n", d.name.c_str(), hex(d.a).c_str(), hex(d.b).c_str());
      }
    }
    auto ranges = memory_differences();
    for (size_t i = 0; i < ranges.size() && i < 8; ++i) {
      auto [first, last] = ranges[i];
      size_t end = std::min(last + 1, first + 32);
      std::printf("  memory %s..%s differs\n", hex(kRamBase + first).c_str(),
                  hex(kRamBase + last).c_str());
      for (const Machine<XLEN>* m : {&a, &b}) {
        std::printf("    %-8s", m->name.c_str());
        for (size_t k = first; k < end; ++k) std::printf(" %02x", m->port.ram[k]);
        std::printf("%s\n", end <= last ? " ..." : "");
      }
    }
    if (ranges.size() > 8) std::printf("  ... and %zu more memory ranges\n", ranges.size() - 8);
    std::printf("  reproduce: %s\n", m_options.command.c_str());
    if (!m_options.origin.empty()) std::printf("  program listing: %s\n", m_options.origin.c_str());
    return 1;
  }

  void print_summary() const {
    const Hart<XLEN>& h = m_machines[0]->hart;
    std::string traps;
    uint64_t total = 0;
    for (auto [cause, n] : m_traps) {
      traps.append(" ").append(cause_name(cause)).append("=").append(std::to_string(n));
      total += n;
    }
    std::printf(
        "engine_fuzz: %s = %s on %s (seed %s): %llu blocks compared, %llu instructions, "
        "%llu cycles, %llu traps (%s ), %llu wfi\n",
        m_machines[0]->name.c_str(), m_machines[1]->name.c_str(), m_options.program.c_str(),
        m_options.seed.c_str(), static_cast<unsigned long long>(m_steps),
        static_cast<unsigned long long>(h.instret), static_cast<unsigned long long>(h.cycles),
        static_cast<unsigned long long>(total), traps.c_str(),
        static_cast<unsigned long long>(m_wfis));
    for (const auto& m : m_machines) {
      if (std::string s = m->engine->stats(); !s.empty()) {
        std::printf("  %s: %s\n", m->name.c_str(), s.c_str());
      }
    }
  }

  const Options& m_options;
  ClassCostModel m_timing;
  std::unique_ptr<Machine<XLEN>> m_machines[2];
  uint64_t m_step = 0, m_steps = 0;
  uint64_t m_from_pc = 0, m_from_instret = 0, m_from_cycles = 0;
  std::map<uint64_t, uint64_t> m_traps;
  uint64_t m_wfis = 0;
};

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--engines A,B] [--isa ISA] [--seed N] [--misaligned-traps]\n"
               "       [--max-steps N] [--timeout SECONDS] [--inject-mismatch STEP]\n"
               "       [--origin TEXT] [--verbose]\n"
               "       PROGRAM.bin\n"
               "engines built: %s; default pair: %s\n",
               argv0, known_engines().c_str(), SILICA_ENGINE_FUZZ_ENGINES);
  return 2;
}

bool set_engines(Options& o, const std::string& pair) {
  size_t comma = pair.find(',');
  if (comma == std::string::npos) return false;
  o.engines[0] = pair.substr(0, comma);
  o.engines[1] = pair.substr(comma + 1);
  return !o.engines[0].empty() && !o.engines[1].empty();
}

int fuzz_main(int argc, char** argv) {
  Options o;
  set_engines(o, SILICA_ENGINE_FUZZ_ENGINES);
  for (int i = 0; i < argc; ++i) o.command.append(i ? " " : "").append(argv[i]);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--engines") {
      if (!set_engines(o, value())) return usage(argv[0]);
    } else if (arg == "--isa") {
      o.isa = value();
    } else if (arg == "--origin") {
      o.origin = value();
    } else if (arg == "--seed") {
      o.seed = value();
    } else if (arg == "--misaligned-traps") {
      o.misaligned_traps = true;
    } else if (arg == "--max-steps") {
      o.max_steps = std::stoull(value());
    } else if (arg == "--timeout") {
      o.timeout = unsigned(std::stoul(value()));
    } else if (arg == "--inject-mismatch") {
      o.inject_at = std::stoull(value());
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else if (arg.rfind('-', 0) == 0 || !o.program.empty()) {
      return usage(argv[0]);
    } else {
      o.program = arg;
    }
  }
  if (o.program.empty()) return usage(argv[0]);
  std::ifstream in(o.program, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "engine_fuzz: cannot read %s\n", o.program.c_str());
    return 2;
  }
  std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (image.empty()) {
    std::fprintf(stderr, "engine_fuzz: %s is empty\n", o.program.c_str());
    return 2;
  }
  install_crash_reporter("engine_fuzz: " + o.engines[0] + "," + o.engines[1] + " on " + o.program +
                             " (seed " + o.seed + ")",
                         o.timeout);
  if (parse_isa_string(o.isa).xlen == 32) return Fuzzer<32>(o, image).run();
  return Fuzzer<64>(o, image).run();
}

}  // namespace
}  // namespace silica::riscv

int main(int argc, char** argv) {
  try {
    return silica::riscv::fuzz_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_fuzz: %s\n", e.what());
    return 2;
  }
}
