// silica-trace: tools for binary traces written by `silica run --trace FILE
// --trace-format bin`. A replay log (`--trace-format replay`) is read as the
// binary trace of its run: `silica replay` expands it first.
//
//   silica-trace text  TRACE [-o OUT]                 Spike --log-commits text
//   silica-trace stats TRACE [--elf ELF] [--top N]    counts, mix, hot blocks/functions
//   silica-trace cfg   TRACE [--elf ELF] [--min-count N] [-o OUT.dot]
//   silica-trace bbv   TRACE --interval N [-o OUT.bb] [--pc-file F] [--hart H]
//
// A damaged trace gets one line on stderr naming the file, and exit status 2
// (after `text` has printed what came before the damage).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "platforms/component.h"
#include "traces/replay_expansion.h"
#include "traces/analysis/bbv_writer.h"
#include "traces/analysis/block_profile.h"
#include "traces/analysis/symbolizer.h"
#include "traces/analysis/trace_cfg.h"
#include "traces/analysis/trace_stats.h"
#include "traces/spike_format.h"
#include "traces/trace_reader.h"

namespace {

using namespace silica::trace;

constexpr int kBadInput = 2;
constexpr const char* kTraceHelp = "binary trace file, or a replay log";

// stdout, or a file created for writing; throws std::runtime_error naming it.
class Output {
 public:
  explicit Output(const std::string& path) {
    if (path.empty() || path == "-") return;
    m_file.open(path, std::ios::binary);
    if (!m_file) throw std::runtime_error(path + ": cannot create output file");
    m_path = path;
  }
  std::ostream& stream() { return m_path.empty() ? std::cout : m_file; }
  void close() {
    stream().flush();
    if (!stream())
      throw std::runtime_error((m_path.empty() ? "stdout" : m_path) + ": write failed");
  }

 private:
  std::ofstream m_file;
  std::string m_path;
};

Symbolizer symbols_from(const std::string& elf) {
  return elf.empty() ? Symbolizer() : Symbolizer(elf);
}

// Binary trace to Spike-layout text: the same bytes the text writer makes.
void run_text(const std::string& trace, const std::string& out_path) {
  std::FILE* out = stdout;
  if (!out_path.empty() && out_path != "-") {
    out = std::fopen(out_path.c_str(), "wb");
    if (out == nullptr) throw std::runtime_error(out_path + ": cannot create output file");
  }
  std::vector<char> buffer(1 << 20);
  size_t used = 0;
  auto flush = [&] {
    if (std::fwrite(buffer.data(), 1, used, out) != used) {
      throw std::runtime_error((out == stdout ? std::string("stdout") : out_path) +
                               ": write failed");
    }
    used = 0;
  };
  try {
    TraceReader reader(trace);
    TraceRecord rec;
    while (reader.next(rec)) {
      if (rec.kind != TraceRecord::kRetired) continue;
      if (buffer.size() - used < kMaxSpikeLine) flush();
      used += format_spike_commit(rec.retired, buffer.data() + used);
    }
  } catch (...) {
    flush();  // what came before the damage is still worth having
    if (out != stdout) std::fclose(out);
    throw;
  }
  flush();
  if (out != stdout ? std::fclose(out) != 0 : std::fflush(out) != 0) {
    throw std::runtime_error((out == stdout ? std::string("stdout") : out_path) + ": write failed");
  }
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): only building the parser can throw, on a bug
int main(int argc, char** argv) {
  CLI::App app{"silica-trace: read, convert and analyse silica binary traces"};
  app.require_subcommand(1);

  std::string trace, out_path, elf;
  size_t top = 10;
  uint64_t min_count = 1, interval = 100'000'000;
  std::string pc_file;
  std::optional<uint16_t> hart;

  CLI::App* text = app.add_subcommand("text", "print the trace as Spike --log-commits lines");
  text->add_option("trace", trace, kTraceHelp)->required();
  text->add_option("-o,--output", out_path, "output file (default stdout)");

  CLI::App* stats = app.add_subcommand(
      "stats", "instruction count, mix by class and mnemonic, hot blocks and functions");
  stats->add_option("trace", trace, kTraceHelp)->required();
  stats->add_option("--elf", elf, "the traced program, for function names");
  stats->add_option("--top", top, "rows in the hot tables (default 10)");
  stats->add_option("-o,--output", out_path, "output file (default stdout)");

  CLI::App* cfg = app.add_subcommand("cfg", "dynamic control-flow graph of basic blocks (DOT)");
  cfg->add_option("trace", trace, kTraceHelp)->required();
  cfg->add_option("--elf", elf, "the traced program, for block names");
  cfg->add_option("--min-count", min_count, "leave out edges taken fewer times (default 1)");
  cfg->add_option("-o,--output", out_path, "output file (default stdout)");

  CLI::App* bbv =
      app.add_subcommand("bbv", "basic-block vectors for SimPoint (Valgrind exp-bbv .bb format)");
  bbv->add_option("trace", trace, kTraceHelp)->required();
  bbv->add_option("--interval", interval, "instructions per vector (default 100000000)")
      ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()));
  bbv->add_option("--pc-file", pc_file, "also write 'id pc instructions symbol' per block");
  bbv->add_option("--hart", hart, "only this hart's instructions (default all)");
  bbv->add_option("--elf", elf, "the traced program, for symbols in the pc file");
  bbv->add_option("-o,--output", out_path, "output file (default stdout)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kBadInput;
  }

  try {
    const std::string name = trace;
    std::optional<ExpandedReplay> expanded;
    if (is_replay_log(trace)) {
      expanded.emplace(trace);
      trace = expanded->path();
    }
    if (text->parsed()) {
      run_text(trace, out_path);
    } else if (stats->parsed()) {
      Symbolizer symbols = symbols_from(elf);
      Output out(out_path);
      StatsOptions options;
      options.top = top;
      options.name = expanded ? name + " (replay log, expanded)" : name;
      write_stats(trace, symbols, options, out.stream());
      out.close();
    } else if (cfg->parsed()) {
      Symbolizer symbols = symbols_from(elf);
      BlockProfile profile = profile_blocks(trace);
      CfgOptions options;
      options.min_count = min_count;
      ControlFlowGraph graph = build_cfg(profile, symbols, options);
      Output out(out_path);
      write_cfg_dot(graph, out.stream());
      out.close();
    } else if (bbv->parsed()) {
      Symbolizer symbols = symbols_from(elf);
      Output out(out_path);
      std::unique_ptr<Output> pcs;
      if (!pc_file.empty()) pcs = std::make_unique<Output>(pc_file);
      BbvOptions options;
      options.interval = interval;
      options.hart = hart;
      BbvSummary summary =
          write_bbv(trace, options, symbols, out.stream(), pcs ? &pcs->stream() : nullptr);
      out.close();
      if (pcs) pcs->close();
      std::cerr << "silica-trace: " << summary.instructions << " instructions, "
                << summary.intervals << " intervals, " << summary.blocks << " blocks\n";
    }
  } catch (const std::exception& e) {
    // TraceError, ConfigError (the ELF) and output errors all name their file.
    std::cout.flush();
    std::cerr << "silica-trace: " << e.what() << "\n";
    return kBadInput;
  }
  return 0;
}

// silica-trace links libsystemc (through the ELF reader's library), whose
// shared object wants an sc_main. silica-trace's own main() runs instead.
int sc_main(int /*argc*/, char* /*argv*/[]) {
  return 1;
}
