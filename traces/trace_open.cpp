#include "traces/trace_open.h"

#include <stdexcept>

#include "riscv_isa.h"
#include "traces/binary_trace_writer.h"
#include "traces/filtered_sink.h"
#include "traces/text_trace_writer.h"

namespace silica::trace {
namespace {

template <class Writer>
std::unique_ptr<TraceSink> with_filter(const TraceFilter& filter, std::unique_ptr<Writer> writer) {
  if (filter.keeps_everything()) return writer;
  return std::make_unique<FilteredSink<Writer>>(filter, std::move(writer));
}

}  // namespace

std::unique_ptr<TraceSink> open_trace(const TraceOptions& options) {
  if (options.xlen != 32 && options.xlen != 64) {
    throw std::runtime_error(options.path + ": cannot trace XLEN " + std::to_string(options.xlen));
  }
  if (options.format == TraceOptions::kText) {
    return with_filter(options.filter, std::make_unique<TextTraceWriter>(options.path));
  }
  BinaryTraceHeader header;
  header.xlen = options.xlen;
  header.isa = options.isa;
  // The class names travel with the trace, so readers need no generated
  // header and old traces stay readable when classes change.
  for (const char* name : riscv::kClassNames) header.class_names.emplace_back(name);
  return with_filter(options.filter, std::make_unique<BinaryTraceWriter>(options.path, header));
}

TraceOptions::Format parse_trace_format(const std::string& name) {
  if (name == "text") return TraceOptions::kText;
  if (name == "bin" || name == "binary") return TraceOptions::kBinary;
  throw std::invalid_argument("invalid trace format '" + name + "' (expected text or bin)");
}

}  // namespace silica::trace
