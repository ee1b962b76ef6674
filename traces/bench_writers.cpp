// Writer throughput on synthetic records: how many retired() calls per second
// the text and binary sinks take on one core (the binary writer's compression
// runs on its own thread). The generator's own cost is measured with a sink
// that does nothing and reported separately.
//
//   trace_writer_bench [records] [directory]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "traces/synthetic_records.h"
#include "traces/trace_open.h"

namespace {

using namespace silica::trace;

class NullSink final : public TraceSink {
 public:
  void retired(const Retired& r) override { m_sum += r.pc; }
  void trap(const Trap&) override {}
  void bus(const BusAccess&) override {}
  void finish() override {}
  uint64_t m_sum = 0;
};

double seconds_for(TraceSink& sink, uint64_t n) {
  SyntheticProgram::Options options;
  options.trap_every = 100000;
  options.bus_every = 50000;
  SyntheticProgram program(options);
  auto start = std::chrono::steady_clock::now();
  program.run(sink, n);
  sink.finish();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
  std::string dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path().string();
  NullSink null;
  double base = seconds_for(null, n);
  std::printf("generator alone: %.1f M records/s\n", double(n) / base / 1e6);
  for (auto format : {TraceOptions::kText, TraceOptions::kBinary}) {
    TraceOptions options;
    options.path = dir + (format == TraceOptions::kText ? "/bench.trace.txt" : "/bench.trace");
    options.format = format;
    options.isa = "rv64imac_zicsr_zifencei";
    auto sink = open_trace(options);
    double t = seconds_for(*sink, n);
    auto bytes = std::filesystem::file_size(options.path);
    std::printf("%-6s %6.1f M records/s (%.1f M/s without the generator), %.2f bytes/record\n",
                format == TraceOptions::kText ? "text" : "binary", double(n) / t / 1e6,
                double(n) / (t - base) / 1e6, double(bytes) / double(n));
    std::filesystem::remove(options.path);
  }
  return 0;
}
