// TraceFilter semantics: ranges, privileges, the instret window, and the
// start/stop trigger (per hart, re-arming), through FilterState and through
// the sink open_trace puts in front of a writer.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/unit/traces/trace_test_util.h"
#include "traces/filtered_sink.h"
#include "traces/trace_filter.h"

namespace silica::trace {
namespace {

Retired at(uint64_t pc, uint64_t instret = 0, uint8_t priv = 3, uint16_t hart = 0) {
  Retired r;
  r.pc = pc;
  r.instret = instret;
  r.priv = priv;
  r.hart = hart;
  return r;
}

// pcs of the retired records a filter keeps from `pcs` (instret = index).
std::vector<uint64_t> kept(const TraceFilter& filter, const std::vector<uint64_t>& pcs) {
  FilterState state(filter);
  std::vector<uint64_t> out;
  for (size_t i = 0; i < pcs.size(); ++i) {
    if (state.keep(at(pcs[i], i))) out.push_back(pcs[i]);
  }
  return out;
}

TEST(TraceFilter, DefaultKeepsEverything) {
  TraceFilter f;
  EXPECT_TRUE(f.keeps_everything());
  EXPECT_EQ(kept(f, {1, 2, 3}), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(TraceFilter, AnySettingMakesItSelective) {
  TraceFilter f;
  f.first = 1;
  EXPECT_FALSE(f.keeps_everything());
  f = TraceFilter{};
  f.priv_mask = kPrivM;
  EXPECT_FALSE(f.keeps_everything());
  f = TraceFilter{};
  f.stop_pc = 4;
  EXPECT_FALSE(f.keeps_everything());
}

TEST(TraceFilter, RangesAreHalfOpenAndCombineAsUnion) {
  TraceFilter f;
  f.ranges = {{0x10, 0x20}, {0x40, 0x41}};
  EXPECT_EQ(kept(f, {0x0f, 0x10, 0x1f, 0x20, 0x40, 0x41}),
            (std::vector<uint64_t>{0x10, 0x1f, 0x40}));
}

TEST(TraceFilter, PrivilegeMask) {
  TraceFilter f;
  f.priv_mask = kPrivU | kPrivS;
  FilterState s(f);
  EXPECT_TRUE(s.keep(at(0, 0, 0)));
  EXPECT_TRUE(s.keep(at(0, 1, 1)));
  EXPECT_FALSE(s.keep(at(0, 2, 3)));
  EXPECT_FALSE(s.keep(at(0, 3, 2)));  // reserved level: only if its bit is set
}

TEST(TraceFilter, InstructionWindowIsHalfOpen) {
  TraceFilter f;
  f.first = 2;
  f.last = 4;
  EXPECT_EQ(kept(f, {10, 11, 12, 13, 14, 15}), (std::vector<uint64_t>{12, 13}));
}

TEST(TraceFilter, StartAndStopIncludeBothEndsAndReArm) {
  TraceFilter f;
  f.start_pc = 0x100;
  f.stop_pc = 0x108;
  std::vector<uint64_t> pcs = {0x0,   0x100, 0x104, 0x108, 0x10c, 0x104,
                               0x100, 0x108, 0x200, 0x100, 0x104};
  EXPECT_EQ(kept(f, pcs), (std::vector<uint64_t>{0x100, 0x104, 0x108, 0x100, 0x108, 0x100, 0x104}));
}

TEST(TraceFilter, StopWithoutStartTracesFromTheBeginningOnce) {
  TraceFilter f;
  f.stop_pc = 0x8;
  EXPECT_EQ(kept(f, {0x0, 0x4, 0x8, 0xc, 0x0, 0x8}), (std::vector<uint64_t>{0x0, 0x4, 0x8}));
}

TEST(TraceFilter, StartWithoutStopTracesToTheEnd) {
  TraceFilter f;
  f.start_pc = 0x8;
  EXPECT_EQ(kept(f, {0x0, 0x4, 0x8, 0xc, 0x0}), (std::vector<uint64_t>{0x8, 0xc, 0x0}));
}

TEST(TraceFilter, StartAndStopAtTheSamePcKeepsThatInstruction) {
  TraceFilter f;
  f.start_pc = f.stop_pc = 0x4;
  EXPECT_EQ(kept(f, {0x0, 0x4, 0x8, 0x4, 0xc}), (std::vector<uint64_t>{0x4, 0x4}));
}

TEST(TraceFilter, TriggerStillMovesOutsideTheRange) {
  // The start pc is outside the traced range: it still switches tracing on.
  TraceFilter f;
  f.start_pc = 0x0;
  f.ranges = {{0x4, 0x100}};
  EXPECT_EQ(kept(f, {0x8, 0x0, 0x8}), (std::vector<uint64_t>{0x8}));
}

TEST(TraceFilter, EachHartHasItsOwnTrigger) {
  TraceFilter f;
  f.start_pc = 0x100;
  FilterState s(f);
  EXPECT_FALSE(s.keep(at(0x0, 0, 3, 0)));
  EXPECT_TRUE(s.keep(at(0x100, 1, 3, 0)));
  EXPECT_FALSE(s.keep(at(0x104, 0, 3, 1)));  // hart 1 has not reached the start
  EXPECT_TRUE(s.keep(at(0x104, 2, 3, 0)));
  EXPECT_TRUE(s.keep(at(0x100, 1, 3, 1)));
}

TEST(TraceFilter, TrapsFollowTheTriggerWindowRangeAndFromPrivilege) {
  TraceFilter f;
  f.start_pc = 0x100;
  f.stop_pc = 0x104;
  f.ranges = {{0x100, 0x200}};
  FilterState s(f);
  Trap t;
  t.epc = 0x104;
  t.from_priv = 3;
  EXPECT_FALSE(s.keep(t));  // not started
  ASSERT_TRUE(s.keep(at(0x100)));
  EXPECT_TRUE(s.keep(t));
  t.epc = 0x300;
  EXPECT_FALSE(s.keep(t));  // outside the range
  t.epc = 0x104;
  ASSERT_TRUE(s.keep(at(0x104, 1)));  // the stop pc retires
  EXPECT_FALSE(s.keep(t));            // tracing ended with it
}

TEST(TraceFilter, BusAccessesFollowTheInitiatorsTriggerAndWindow) {
  TraceFilter f;
  f.first = 1;
  f.last = 3;
  FilterState s(f);
  BusAccess b;
  EXPECT_TRUE(s.keep(at(0x0, 0)) == false);  // instret 0 is before the window
  EXPECT_TRUE(s.keep(b));                    // hart 0's next instruction is #1
  ASSERT_TRUE(s.keep(at(0x4, 1)));
  ASSERT_TRUE(s.keep(at(0x8, 2)));
  EXPECT_FALSE(s.keep(b));  // next is #3, past the window
}

TEST(FilteredSink, PassesOnlyWhatTheFilterKeepsAndForwardsFinish) {
  TraceFilter f;
  f.ranges = {{0x10, 0x20}};
  auto inner = std::make_unique<testing::RecordingSink>();
  testing::RecordingSink* seen = inner.get();
  FilteredSink<testing::RecordingSink> sink(f, std::move(inner));
  sink.retired(at(0x0));
  sink.retired(at(0x10, 1));
  Trap t;
  t.epc = 0x14;
  sink.trap(t);
  sink.bus(BusAccess{});
  sink.finish();
  ASSERT_EQ(seen->records.size(), 3u);
  EXPECT_EQ(std::get<Retired>(seen->records[0]).pc, 0x10u);
  EXPECT_EQ(seen->finished, 1);
}

}  // namespace
}  // namespace silica::trace
