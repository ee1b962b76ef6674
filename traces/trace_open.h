// The one entry point the simulator uses: open a trace file in the chosen
// format, with a filter in front of the writer when the filter selects.
//
//   trace::TraceOptions options;
//   options.path = "run.trace";
//   options.format = trace::TraceOptions::kBinary;
//   options.filter.ranges.push_back(trace::parse_range("0x80000000:0x80001000"));
//   options.isa = "rv64imac_zicsr_zifencei";
//   options.xlen = 64;
//   std::unique_ptr<trace::TraceSink> sink = trace::open_trace(options);
//   ... cores call sink->retired(...) ...
//   sink->finish();  // throws std::runtime_error "<path>: ..." on write errors
#pragma once

#include <memory>
#include <string>

#include "traces/trace_filter.h"
#include "traces/trace_record.h"

namespace silica::trace {

struct TraceOptions {
  enum Format { kText, kBinary };

  std::string path;
  Format format = kText;
  TraceFilter filter;
  std::string isa;     // recorded in binary traces
  unsigned xlen = 64;  // 32 or 64: the harts' XLEN at reset
};

// Creates the file (truncating it) and returns the sink that writes it.
// Throws std::runtime_error with a one-line message naming the file when the
// file cannot be created, or when xlen is not 32 or 64.
std::unique_ptr<TraceSink> open_trace(const TraceOptions& options);

// "text" -> kText, "bin"/"binary" -> kBinary; throws std::invalid_argument.
TraceOptions::Format parse_trace_format(const std::string& name);

}  // namespace silica::trace
