// The text trace layout against lines written out by hand from Spike's
// commit-log printing (riscv/execute.cc: "core%4d: ", "%1d ", the pc and
// register values in XLEN/4 hex digits, the encoding in 4 or 8, " %c%-2d "
// per register, " mem ADDR" per load, " mem ADDR VALUE" per store).
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/traces/trace_test_util.h"
#include "traces/spike_format.h"
#include "traces/trace_open.h"

namespace silica::trace {
namespace {

std::string line(const Retired& r) {
  char buf[kMaxSpikeLine];
  size_t n = format_spike_commit(r, buf);
  EXPECT_LE(n, kMaxSpikeLine);
  return std::string(buf, n);
}

Retired insn(uint64_t pc, uint32_t raw, uint8_t len = 4) {
  Retired r;
  r.pc = pc;
  r.raw = raw;
  r.len = len;
  return r;
}

void write_reg(Retired& r, uint8_t index, uint64_t value, uint8_t file = 0) {
  r.writes[r.n_writes++] = RegWrite{file, index, value};
}

void access(Retired& r, uint64_t addr, uint64_t value, uint8_t size, bool write) {
  r.mem[r.n_mem++] = MemAccess{addr, value, size, write};
}

TEST(SpikeFormat, RegisterWriteSingleDigitIsPaddedToTwoColumns) {
  Retired r = insn(0x80000000, 0x00000297);  // auipc t0, 0
  write_reg(r, 5, 0x80000000);
  EXPECT_EQ(line(r), "core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000\n");
}

TEST(SpikeFormat, RegisterWriteTwoDigits) {
  Retired r = insn(0x80000004, 0x00a00513);  // li a0, 10
  write_reg(r, 10, 10);
  EXPECT_EQ(line(r), "core   0: 3 0x0000000080000004 (0x00a00513) x10 0x000000000000000a\n");
}

TEST(SpikeFormat, CompressedEncodingHasFourDigits) {
  Retired r = insn(0x80000008, 0x4501, 2);  // c.li a0, 0
  write_reg(r, 10, 0);
  EXPECT_EQ(line(r), "core   0: 3 0x0000000080000008 (0x4501) x10 0x0000000000000000\n");
}

TEST(SpikeFormat, NoRegisterWrittenEndsAfterTheEncoding) {
  Retired r = insn(0x8000000a, 0x00628463);  // beq t0, t1, +8
  EXPECT_EQ(line(r), "core   0: 3 0x000000008000000a (0x00628463)\n");
}

TEST(SpikeFormat, WritesToX0AreNotShown) {
  Retired r = insn(0x80000010, 0x00000013);  // nop
  write_reg(r, 0, 0);
  EXPECT_EQ(line(r), "core   0: 3 0x0000000080000010 (0x00000013)\n");
}

TEST(SpikeFormat, LoadShowsTheAddressOnly) {
  Retired r = insn(0x80000014, 0x00033283);  // ld t0, 0(t1)
  write_reg(r, 5, 0x1234);
  access(r, 0x80001000, 0x1234, 8, false);
  EXPECT_EQ(line(r),
            "core   0: 3 0x0000000080000014 (0x00033283) x5  0x0000000000001234 "
            "mem 0x0000000080001000\n");
}

TEST(SpikeFormat, StoreValuesHaveTwoDigitsPerByte) {
  Retired sw = insn(0x80000018, 0x00532023);  // sw t0, 0(t1)
  access(sw, 0x80001000, 1, 4, true);
  EXPECT_EQ(line(sw),
            "core   0: 3 0x0000000080000018 (0x00532023) mem 0x0000000080001000 0x00000001\n");

  Retired sb = insn(0x8000001c, 0x00a28023);  // sb a0, 0(t0)
  access(sb, 0x10000000, 0x48, 1, true);
  EXPECT_EQ(line(sb), "core   0: 3 0x000000008000001c (0x00a28023) mem 0x0000000010000000 0x48\n");

  Retired sh = insn(0x80000020, 0x00a29023);  // sh a0, 0(t0)
  access(sh, 0x80001002, 0xbeef, 2, true);
  EXPECT_EQ(line(sh),
            "core   0: 3 0x0000000080000020 (0x00a29023) mem 0x0000000080001002 0xbeef\n");

  Retired sd = insn(0x80000024, 0x00a2b023);  // sd a0, 0(t0)
  access(sd, 0x80001008, 0xdeadbeefcafef00dULL, 8, true);
  EXPECT_EQ(line(sd),
            "core   0: 3 0x0000000080000024 (0x00a2b023) mem 0x0000000080001008 "
            "0xdeadbeefcafef00d\n");
}

TEST(SpikeFormat, AmoShowsRegisterThenLoadThenStore) {
  Retired r = insn(0x80000028, 0x0062a3af);  // amoadd.w t2, t1, (t0)
  // Given store-first: Spike prints every load before every store.
  access(r, 0x80001000, 5, 4, true);
  access(r, 0x80001000, 3, 4, false);
  write_reg(r, 7, 3);
  EXPECT_EQ(line(r),
            "core   0: 3 0x0000000080000028 (0x0062a3af) x7  0x0000000000000003 "
            "mem 0x0000000080001000 mem 0x0000000080001000 0x00000005\n");
}

TEST(SpikeFormat, Rv32UsesEightDigitsForPcRegistersAndAddresses) {
  Retired r = insn(0x80000000, 0x00000297);
  r.xlen = 32;
  write_reg(r, 5, 0xffffffff80000000ULL);  // a sign-extended value prints its low 32 bits
  EXPECT_EQ(line(r), "core   0: 3 0x80000000 (0x00000297) x5  0x80000000\n");

  Retired lw = insn(0x80000004, 0x0002a303);  // lw t1, 0(t0)
  lw.xlen = 32;
  write_reg(lw, 6, 0x11);
  access(lw, 0x80001000, 0x11, 4, false);
  EXPECT_EQ(line(lw), "core   0: 3 0x80000004 (0x0002a303) x6  0x00000011 mem 0x80001000\n");
}

TEST(SpikeFormat, HartIdIsRightAlignedInFourColumnsAndPrivIsANumber) {
  Retired r = insn(0x1000, 0x00000013);
  r.hart = 3;
  r.priv = 0;
  EXPECT_EQ(line(r), "core   3: 0 0x0000000000001000 (0x00000013)\n");
  r.hart = 12;
  r.priv = 1;
  EXPECT_EQ(line(r), "core  12: 1 0x0000000000001000 (0x00000013)\n");
  r.hart = 1234;
  EXPECT_EQ(line(r), "core1234: 1 0x0000000000001000 (0x00000013)\n");
}

TEST(SpikeFormat, FloatingPointRegistersUseTheFPrefix) {
  Retired r = insn(0x80000030, 0x0002b087);  // fld f1, 0(t0)
  write_reg(r, 1, 0x3ff0000000000000ULL, 1);
  access(r, 0x80001000, 0x3ff0000000000000ULL, 8, false);
  EXPECT_EQ(line(r),
            "core   0: 3 0x0000000080000030 (0x0002b087) f1  0x3ff0000000000000 "
            "mem 0x0000000080001000\n");
}

TEST(SpikeFormat, TwoRegisterWritesInOrder) {
  Retired r = insn(0x80000034, 0x00000013);
  write_reg(r, 1, 1);
  write_reg(r, 31, 2);
  EXPECT_EQ(line(r),
            "core   0: 3 0x0000000080000034 (0x00000013) x1  0x0000000000000001 "
            "x31 0x0000000000000002\n");
}

TEST(SpikeFormat, LongestLineFits) {
  Retired r = insn(~0ULL, 0xffffffff);
  r.hart = 65535;
  r.priv = 255;
  write_reg(r, 255, ~0ULL, 1);
  write_reg(r, 31, ~0ULL);
  access(r, ~0ULL, ~0ULL, 255, true);
  access(r, ~0ULL, ~0ULL, 255, true);
  EXPECT_LE(line(r).size(), kMaxSpikeLine);
}

TEST(TextTraceWriter, WritesOneLinePerRetiredInstructionAndNothingForTrapsOrBus) {
  testing::TempFile file("trace.txt");
  TraceOptions options;
  options.path = file.path();
  options.format = TraceOptions::kText;
  auto sink = open_trace(options);
  Retired a = insn(0x80000000, 0x00000297);
  write_reg(a, 5, 0x80000000);
  sink->retired(a);
  sink->trap(Trap{});
  sink->bus(BusAccess{});
  Retired b = insn(0x80000004, 0x4501, 2);
  write_reg(b, 10, 0);
  b.instret = 1;
  sink->retired(b);
  sink->finish();
  sink->retired(a);  // after finish: dropped, no crash
  sink->finish();
  EXPECT_EQ(testing::read_file(file.path()),
            "core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000\n"
            "core   0: 3 0x0000000080000004 (0x4501) x10 0x0000000000000000\n");
}

}  // namespace
}  // namespace silica::trace
