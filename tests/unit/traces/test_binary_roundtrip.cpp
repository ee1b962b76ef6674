// Records written by the binary writer come back from the reader unchanged:
// synthetic program runs (several blocks, several harts, RV32, traps, bus
// accesses) and hand-made edge cases for every delta and cache in the format.
#include <gtest/gtest.h>

#include <memory>

#include "riscv_isa.h"
#include "tests/unit/traces/trace_test_util.h"
#include "traces/binary_trace_writer.h"
#include "traces/spike_format.h"
#include "traces/synthetic_records.h"
#include "traces/trace_open.h"
#include "traces/trace_reader.h"

namespace silica::trace {
namespace {

using testing::AnyRecord;
using testing::RecordingSink;
using testing::TeeSink;
using testing::TempFile;

BinaryTraceHeader header(unsigned xlen = 64) {
  BinaryTraceHeader h;
  h.xlen = xlen;
  h.isa = xlen == 32 ? "rv32imac" : "rv64imac_zicsr_zifencei";
  h.class_names = {"alu", "mul", "load"};
  return h;
}

// Runs a synthetic program into both a binary writer and a recorder, then
// compares what the reader gives back with what was recorded.
void round_trip(const SyntheticProgram::Options& options, uint64_t n) {
  TempFile file("trace.bin");
  RecordingSink expected;
  {
    BinaryTraceWriter writer(file.path(), header(options.xlen));
    TeeSink tee({&writer, &expected});
    SyntheticProgram program(options);
    program.run(tee, n);
    tee.finish();
  }
  testing::expect_same_records(testing::read_all(file.path()), expected.records);
}

TEST(BinaryRoundTrip, HeaderComesBack) {
  TempFile file("trace.bin");
  BinaryTraceWriter writer(file.path(), header());
  writer.finish();
  TraceReader reader(file.path());
  EXPECT_EQ(reader.header().version_major, 1u);
  EXPECT_EQ(reader.header().version_minor, 0u);
  EXPECT_EQ(reader.header().xlen, 64u);
  EXPECT_EQ(reader.header().isa, "rv64imac_zicsr_zifencei");
  EXPECT_EQ(reader.header().class_names, (std::vector<std::string>{"alu", "mul", "load"}));
  EXPECT_EQ(reader.header().class_name(2), "load");
  EXPECT_EQ(reader.header().class_name(9), "class9");
  TraceRecord rec;
  EXPECT_FALSE(reader.next(rec));
  EXPECT_FALSE(reader.next(rec));  // stays at the end
  EXPECT_EQ(reader.totals().retired, 0u);
}

TEST(BinaryRoundTrip, SyntheticProgramOverManyBlocks) {
  SyntheticProgram::Options options;
  round_trip(options, 400'000);  // ~3 MB raw: more than ten 256 KiB blocks
}

TEST(BinaryRoundTrip, Rv32Program) {
  SyntheticProgram::Options options;
  options.xlen = 32;
  options.seed = 7;
  round_trip(options, 100'000);
}

TEST(BinaryRoundTrip, InterleavedHarts) {
  SyntheticProgram::Options options;
  options.harts = 3;
  options.hart_switch_every = 97;
  options.seed = 3;
  round_trip(options, 200'000);
}

TEST(BinaryRoundTrip, EdgeCases) {
  TempFile file("trace.bin");
  RecordingSink expected;
  {
    BinaryTraceWriter writer(file.path(), header());
    TeeSink sink({&writer, &expected});
    Retired r;
    r.pc = ~0ULL - 1;  // wraps to 2 after a 4-byte instruction
    r.raw = 0xffffffff;
    sink.retired(r);
    r.pc = 2;  // sequential after the wrap
    r.instret = 1;
    sink.retired(r);
    r.pc = 0;             // backwards jump
    r.instret = 1000000;  // instret jump
    r.priv = 0;           // mode change
    r.xlen = 32;
    r.n_writes = 2;
    r.writes[0] = RegWrite{0, 31, ~0ULL};
    r.writes[1] = RegWrite{1, 0, 0x8000000000000000ULL};
    r.n_mem = 2;
    r.mem[0] = MemAccess{~0ULL, 0xff, 1, false};  // == low byte of writes[0]: elided
    r.mem[1] = MemAccess{0, 0x1234, 2, true};     // not elided
    sink.retired(r);
    r.instret = 5;                     // instret going backwards (a second hart's count, say)
    r.writes[0] = RegWrite{6, 31, 7};  // a file beyond the shadowed ones
    r.writes[1] = RegWrite{200, 255, 0xabcdef};  // needs the escape byte
    r.mem[0] = MemAccess{0x8, 0, 0, false};      // size 0
    r.mem[1] = MemAccess{0x10, 7, 63, true};     // largest encodable size
    r.len = 2;
    r.raw = 0x4501;
    sink.retired(r);
    Trap t;
    t.instret = 3;
    t.epc = 0x40;
    t.cause = 0x8000000000000007ULL;
    t.tval = ~0ULL;
    t.handler = 0x10;
    t.from_priv = 0;
    t.to_priv = 3;
    t.interrupt = true;
    t.hart = 9;
    sink.trap(t);
    BusAccess b;
    b.time_ps = 100;
    b.addr = 0x10000000;
    b.value = ~0ULL;
    b.size = 8;
    b.write = true;
    b.ok = false;
    b.initiator = 65535;
    sink.bus(b);
    b.time_ps = 50;  // time going backwards between initiators
    sink.bus(b);
    r.hart = 9;
    r.pc = 0x10;
    sink.retired(r);
    sink.finish();
  }
  testing::expect_same_records(testing::read_all(file.path()), expected.records);
}

TEST(BinaryRoundTrip, SelfModifiedCodeChangesTheEncodingAtAPc) {
  TempFile file("trace.bin");
  RecordingSink expected;
  {
    BinaryTraceWriter writer(file.path(), header());
    TeeSink sink({&writer, &expected});
    Retired r;
    r.pc = 0x80000000;
    r.raw = 0x00000013;
    sink.retired(r);
    r.raw = 0x00100093;  // same pc, new instruction
    r.instret = 1;
    sink.retired(r);
    r.pc = 0x80000000 + 2 * 4096;  // same cache slot, other pc
    r.instret = 2;
    sink.retired(r);
    r.pc = 0x80000000;
    r.instret = 3;
    sink.retired(r);
    sink.finish();
  }
  testing::expect_same_records(testing::read_all(file.path()), expected.records);
}

TEST(BinaryRoundTrip, TotalsCountEveryRecordKind) {
  TempFile file("trace.bin");
  {
    BinaryTraceWriter writer(file.path(), header());
    SyntheticProgram::Options options;
    options.trap_every = 100;
    options.bus_every = 50;
    SyntheticProgram program(options);
    program.run(writer, 1000);
    writer.finish();
  }
  TraceReader reader(file.path());
  TraceRecord rec;
  uint64_t retired = 0, traps = 0, bus = 0;
  while (reader.next(rec)) {
    retired += rec.kind == TraceRecord::kRetired;
    traps += rec.kind == TraceRecord::kTrap;
    bus += rec.kind == TraceRecord::kBus;
  }
  EXPECT_EQ(traps, 10u);
  EXPECT_EQ(bus, 20u);
  EXPECT_EQ(retired, 1010u);  // each trap's handler retires an mret
  EXPECT_EQ(reader.totals().retired, retired);
  EXPECT_EQ(reader.totals().traps, traps);
  EXPECT_EQ(reader.totals().bus, bus);
}

TEST(BinaryRoundTrip, CompressesRepetitiveCodeWell) {
  TempFile file("trace.bin");
  {
    BinaryTraceWriter writer(file.path(), header());
    SyntheticProgram program(SyntheticProgram::Options{});
    program.run(writer, 200'000);
    writer.finish();
  }
  double bytes_per_record = double(std::filesystem::file_size(file.path())) / 200'000;
  EXPECT_LT(bytes_per_record, 4.0);
}

TEST(OpenTrace, BinaryCarriesTheGeneratedClassNamesAndIsa) {
  TempFile file("trace.bin");
  TraceOptions options;
  options.path = file.path();
  options.format = TraceOptions::kBinary;
  options.isa = "rv32imac";
  options.xlen = 32;
  open_trace(options)->finish();
  TraceReader reader(file.path());
  EXPECT_EQ(reader.header().isa, "rv32imac");
  EXPECT_EQ(reader.header().xlen, 32u);
  ASSERT_EQ(reader.header().class_names.size(), size_t(riscv::InsnClass::count));
  EXPECT_EQ(reader.header().class_name(uint8_t(riscv::InsnClass::branch)), "branch");
}

TEST(OpenTrace, FilterAppliesBeforeTheWriter) {
  TempFile file("trace.bin");
  TraceOptions options;
  options.path = file.path();
  options.format = TraceOptions::kBinary;
  options.filter.first = 100;
  options.filter.last = 200;
  RecordingSink all;
  {
    auto sink = open_trace(options);
    TeeSink tee({sink.get(), &all});
    SyntheticProgram::Options synth;
    synth.trap_every = 0;
    synth.bus_every = 0;
    SyntheticProgram program(synth);
    program.run(tee, 1000);
    tee.finish();
  }
  std::vector<AnyRecord> expected;
  for (const AnyRecord& r : all.records) {
    uint64_t instret = std::get<Retired>(r).instret;
    if (instret >= 100 && instret < 200) expected.push_back(r);
  }
  testing::expect_same_records(testing::read_all(file.path()), expected);
}

TEST(OpenTrace, TextAndBinaryOfTheSameRunGiveTheSameLines) {
  TempFile text("trace.txt"), bin("trace.bin");
  {
    TraceOptions t, b;
    t.path = text.path();
    t.format = TraceOptions::kText;
    b.path = bin.path();
    b.format = TraceOptions::kBinary;
    auto ts = open_trace(t), bs = open_trace(b);
    TeeSink tee({ts.get(), bs.get()});
    SyntheticProgram program(SyntheticProgram::Options{});
    program.run(tee, 50'000);
    tee.finish();
  }
  std::string from_binary;
  TraceReader reader(bin.path());
  TraceRecord rec;
  char line[kMaxSpikeLine];
  while (reader.next(rec)) {
    if (rec.kind == TraceRecord::kRetired) {
      from_binary.append(line, format_spike_commit(rec.retired, line));
    }
  }
  EXPECT_EQ(testing::read_file(text.path()), from_binary);
}

TEST(OpenTrace, UnsupportedXlenIsRefusedWithTheFileName) {
  TraceOptions options;
  options.path = "/tmp/x.trace";
  options.xlen = 128;
  try {
    open_trace(options);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/tmp/x.trace"), std::string::npos);
  }
}

}  // namespace
}  // namespace silica::trace
