// Writes a synthetic program's trace (traces/synthetic_records.h) through
// open_trace, as text and/or binary, so the trace tools can be tested end to
// end without the simulator:
//
//   trace_synth --bin t.bin --text t.txt [--records N] [--xlen 32] [--harts N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "traces/synthetic_records.h"
#include "traces/trace_open.h"

namespace {

using namespace silica::trace;

class Tee final : public TraceSink {
 public:
  std::vector<std::unique_ptr<TraceSink>> sinks;
  void retired(const Retired& r) override {
    for (auto& s : sinks) s->retired(r);
  }
  void trap(const Trap& t) override {
    for (auto& s : sinks) s->trap(t);
  }
  void bus(const BusAccess& b) override {
    for (auto& s : sinks) s->bus(b);
  }
  void finish() override {
    for (auto& s : sinks) s->finish();
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string text, bin;
  uint64_t records = 100000;
  SyntheticProgram::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string opt = argv[i], value = argv[i + 1];
    if (opt == "--text") {
      text = value;
    } else if (opt == "--bin") {
      bin = value;
    } else if (opt == "--records") {
      records = std::strtoull(value.c_str(), nullptr, 10);
    } else if (opt == "--xlen") {
      options.xlen = unsigned(std::atoi(value.c_str()));
    } else if (opt == "--harts") {
      options.harts = unsigned(std::atoi(value.c_str()));
      options.hart_switch_every = 1000;
    } else {
      std::fprintf(stderr, "trace_synth: unknown option %s\n", opt.c_str());
      return 2;
    }
  }
  try {
    Tee tee;
    for (const auto& [path, format] :
         {std::pair{text, TraceOptions::kText}, std::pair{bin, TraceOptions::kBinary}}) {
      if (path.empty()) continue;
      TraceOptions o;
      o.path = path;
      o.format = format;
      o.xlen = options.xlen;
      o.isa = options.xlen == 32 ? "rv32imac" : "rv64imac";
      tee.sinks.push_back(open_trace(o));
    }
    SyntheticProgram program(options);
    program.run(tee, records);
    tee.finish();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trace_synth: %s\n", e.what());
    return 2;
  }
  return 0;
}
