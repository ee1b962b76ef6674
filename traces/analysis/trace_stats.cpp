#include "traces/analysis/trace_stats.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <ostream>
#include <unordered_map>
#include <vector>

#include "riscv_isa.h"
#include "traces/analysis/block_profile.h"

namespace silica::trace {
namespace {

std::string fmt(const char* format, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

double percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * double(part) / double(whole);
}

const char* priv_name(unsigned priv) {
  switch (priv) {
    case 0:
      return "U";
    case 1:
      return "S";
    case 3:
      return "M";
    default:
      return "?";
  }
}

// Mnemonic of an encoding, through the generated decoder.
const char* mnemonic(uint32_t raw, unsigned xlen) {
  riscv::InsnId id = xlen == 32 ? riscv::decode<32>(raw) : riscv::decode<64>(raw);
  return riscv::kInsnInfo[size_t(id)].name;
}

struct Counters {
  std::vector<uint64_t> by_class = std::vector<uint64_t>(256);
  std::array<uint64_t, 256> by_priv{};
  std::unordered_map<uint64_t, uint64_t> by_encoding;   // raw | xlen << 32
  std::map<std::pair<bool, uint64_t>, uint64_t> traps;  // (interrupt, cause)
  uint64_t bus_reads = 0, bus_writes = 0, bus_errors = 0;
  std::map<uint16_t, uint64_t> by_hart;
};

void count(Counters& c, const TraceRecord& rec) {
  switch (rec.kind) {
    case TraceRecord::kRetired: {
      const Retired& r = rec.retired;
      ++c.by_class[r.insn_class];
      ++c.by_priv[r.priv];
      ++c.by_encoding[uint64_t(r.raw) | uint64_t(r.xlen) << 32];
      ++c.by_hart[r.hart];
      break;
    }
    case TraceRecord::kTrap:
      ++c.traps[{rec.trap.interrupt, rec.trap.cause}];
      break;
    case TraceRecord::kBus:
      ++(rec.bus.write ? c.bus_writes : c.bus_reads);
      if (!rec.bus.ok) ++c.bus_errors;
      break;
  }
}

template <class T>
std::vector<std::pair<std::string, uint64_t>> top_of(const T& counts, size_t n) {
  std::vector<std::pair<std::string, uint64_t>> rows(counts.begin(), counts.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (rows.size() > n) rows.resize(n);
  return rows;
}

}  // namespace

std::string trap_cause_name(uint64_t cause, bool interrupt) {
  static const char* const kExceptions[] = {"instruction address misaligned",
                                            "instruction access fault",
                                            "illegal instruction",
                                            "breakpoint",
                                            "load address misaligned",
                                            "load access fault",
                                            "store/AMO address misaligned",
                                            "store/AMO access fault",
                                            "ecall from U-mode",
                                            "ecall from S-mode",
                                            nullptr,
                                            "ecall from M-mode",
                                            "instruction page fault",
                                            "load page fault",
                                            nullptr,
                                            "store/AMO page fault"};
  static const char* const kInterrupts[] = {
      nullptr, "supervisor software interrupt", nullptr, "machine software interrupt",
      nullptr, "supervisor timer interrupt",    nullptr, "machine timer interrupt",
      nullptr, "supervisor external interrupt", nullptr, "machine external interrupt"};
  // The interrupt bit is the top bit of mcause; the code is what is left.
  uint64_t code = interrupt ? cause & ~(uint64_t(1) << 63) & ~(uint64_t(1) << 31) : cause;
  const char* name = nullptr;
  if (interrupt && code < std::size(kInterrupts)) name = kInterrupts[code];
  if (!interrupt && code < std::size(kExceptions)) name = kExceptions[code];
  if (name != nullptr) return name;
  return fmt("%s %llu", interrupt ? "interrupt" : "exception", (unsigned long long)code);
}

void write_stats(const std::string& trace_path, const Symbolizer& symbols,
                 const StatsOptions& options, std::ostream& out) {
  BlockTracker::Leaders leaders = find_leaders(trace_path);
  TraceReader reader(trace_path);
  const TraceHeader& header = reader.header();
  BlockProfile profile(header, leaders);
  Counters c;
  TraceRecord rec;
  while (reader.next(rec)) {
    count(c, rec);
    profile.add(rec);
  }
  const uint64_t total = profile.instructions();

  out << "trace         " << (options.name.empty() ? trace_path : options.name) << " (format "
      << header.version_major << "." << header.version_minor << ", "
      << (header.isa.empty() ? "ISA not recorded" : header.isa) << ", XLEN " << header.xlen
      << ")\n";
  out << "instructions  " << total << "\n";
  uint64_t interrupts = 0, exceptions = 0;
  for (const auto& [key, n] : c.traps) (key.first ? interrupts : exceptions) += n;
  out << "traps         " << exceptions + interrupts << " (" << exceptions << " exceptions, "
      << interrupts << " interrupts)\n";
  out << "bus accesses  " << c.bus_reads + c.bus_writes << " (" << c.bus_reads << " reads, "
      << c.bus_writes << " writes, " << c.bus_errors << " errors)\n";
  out << "harts        ";
  for (const auto& [hart, n] : c.by_hart) out << " " << hart << ": " << n;
  out << "\n";

  out << "\nmix by class\n";
  std::vector<std::pair<std::string, uint64_t>> classes;
  for (unsigned k = 0; k < c.by_class.size(); ++k) {
    if (c.by_class[k] != 0) classes.emplace_back(header.class_name(k), c.by_class[k]);
  }
  for (const auto& [name, n] : top_of(classes, classes.size())) {
    out << fmt("  %-12s %14llu %7.2f%%\n", name.c_str(), (unsigned long long)n, percent(n, total));
  }

  out << "\nprivilege\n";
  for (unsigned p = 0; p < c.by_priv.size(); ++p) {
    if (c.by_priv[p] != 0) {
      out << fmt("  %-12s %14llu %7.2f%%\n", priv_name(p), (unsigned long long)c.by_priv[p],
                 percent(c.by_priv[p], total));
    }
  }

  std::map<std::string, uint64_t> by_mnemonic;
  for (const auto& [key, n] : c.by_encoding) {
    by_mnemonic[mnemonic(uint32_t(key), unsigned(key >> 32))] += n;
  }
  out << "\ntop instructions\n";
  for (const auto& [name, n] : top_of(by_mnemonic, options.top)) {
    out << fmt("  %-12s %14llu %7.2f%%\n", name.c_str(), (unsigned long long)n, percent(n, total));
  }

  if (!c.traps.empty()) {
    out << "\ntraps by cause\n";
    for (const auto& [key, n] : c.traps) {
      out << fmt("  %-34s %10llu\n", trap_cause_name(key.second, key.first).c_str(),
                 (unsigned long long)n);
    }
  }

  std::vector<BlockStats> blocks = profile.blocks();
  std::sort(blocks.begin(), blocks.end(), [](const BlockStats& a, const BlockStats& b) {
    return a.insns != b.insns ? a.insns > b.insns : a.pc < b.pc;
  });
  out << "\nhot basic blocks (" << blocks.size() << " blocks)\n";
  out << fmt("  %-18s %14s %8s %12s %5s  %s\n", "pc", "insns", "%", "entries", "len", "where");
  for (size_t i = 0; i < blocks.size() && i < options.top; ++i) {
    const BlockStats& b = blocks[i];
    out << fmt("  0x%016llx %14llu %7.2f%% %12llu %5u  %s\n", (unsigned long long)b.pc,
               (unsigned long long)b.insns, percent(b.insns, total), (unsigned long long)b.entries,
               b.length, symbols.describe(b.pc).c_str());
  }

  out << "\nhot functions\n";
  if (symbols.empty()) {
    out << "  (give the ELF with --elf to see functions)\n";
    return;
  }
  struct FunctionStats {
    uint64_t insns = 0, entries = 0;
  };
  std::map<std::string, FunctionStats> functions;
  for (const BlockStats& b : blocks) {
    const ElfSymbol* s = symbols.function(b.pc);
    FunctionStats& f = functions[s != nullptr ? s->name : "(unknown)"];
    f.insns += b.insns;
    if (s != nullptr && s->address == b.pc) f.entries += b.entries;
  }
  std::vector<std::pair<std::string, FunctionStats>> rows(functions.begin(), functions.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.insns != b.second.insns ? a.second.insns > b.second.insns : a.first < b.first;
  });
  out << fmt("  %-32s %14s %8s %12s\n", "function", "insns", "%", "entries");
  for (size_t i = 0; i < rows.size() && i < options.top; ++i) {
    const auto& [name, f] = rows[i];
    out << fmt("  %-32s %14llu %7.2f%% %12llu\n", name.c_str(), (unsigned long long)f.insns,
               percent(f.insns, total), (unsigned long long)f.entries);
  }
}

}  // namespace silica::trace
