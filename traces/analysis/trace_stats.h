// The `silica-trace stats` report: instruction count, the mix by class and by
// mnemonic, privilege levels, traps by cause, bus traffic, and the hottest
// basic blocks and functions.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

#include "traces/analysis/symbolizer.h"

namespace silica::trace {

struct StatsOptions {
  size_t top = 10;   // rows in the hot-block, hot-function and mnemonic tables
  std::string name;  // what the report calls the trace (empty: its path)
};

// Reads the trace (twice) and writes the report. Throws TraceError.
void write_stats(const std::string& trace_path, const Symbolizer& symbols,
                 const StatsOptions& options, std::ostream& out);

// "illegal instruction", "machine timer interrupt", ... for mcause values.
std::string trap_cause_name(uint64_t cause, bool interrupt);

}  // namespace silica::trace
