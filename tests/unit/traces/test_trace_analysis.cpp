// Basic blocks, block profiles, the CFG and basic-block vectors on small
// hand-made traces whose blocks are known.
#include <gtest/gtest.h>

#include <sstream>

#include "riscv_isa.h"
#include "tests/unit/traces/trace_test_util.h"
#include "traces/analysis/bbv_writer.h"
#include "traces/analysis/block_profile.h"
#include "traces/analysis/trace_cfg.h"
#include "traces/analysis/trace_stats.h"
#include "traces/trace_open.h"

namespace silica::trace {
namespace {

using testing::TempFile;

constexpr uint8_t kAlu = uint8_t(riscv::InsnClass::alu);
constexpr uint8_t kBranch = uint8_t(riscv::InsnClass::branch);
constexpr uint8_t kJump = uint8_t(riscv::InsnClass::jump);

// Writes a binary trace of the given pcs (instret = index); pcs listed in
// `branches`/`jumps` get that class, everything else is a 4-byte alu op.
class TraceBuilder {
 public:
  explicit TraceBuilder(const std::string& path) {
    TraceOptions options;
    options.path = path;
    options.format = TraceOptions::kBinary;
    m_sink = open_trace(options);
  }
  TraceBuilder& run(std::initializer_list<uint64_t> pcs, std::initializer_list<uint64_t> branches,
                    std::initializer_list<uint64_t> jumps = {}) {
    for (uint64_t pc : pcs) {
      Retired r;
      r.instret = m_instret++;
      r.pc = pc;
      r.raw = 0x00000013;
      r.insn_class = kAlu;
      for (uint64_t b : branches) {
        if (b == pc) r.insn_class = kBranch;
      }
      for (uint64_t j : jumps) {
        if (j == pc) r.insn_class = kJump;
      }
      m_sink->retired(r);
    }
    return *this;
  }
  TraceBuilder& trap(uint64_t epc, uint64_t handler) {
    Trap t;
    t.instret = m_instret;
    t.epc = epc;
    t.handler = handler;
    t.cause = 11;
    m_sink->trap(t);
    return *this;
  }
  void finish() { m_sink->finish(); }

 private:
  std::unique_ptr<TraceSink> m_sink;
  uint64_t m_instret = 0;
};

// A loop: 0x0 0x4 0x8(branch back to 0x4) three times, then 0xc 0x10.
void loop_trace(const std::string& path) {
  TraceBuilder(path).run({0x0, 0x4, 0x8, 0x4, 0x8, 0x4, 0x8, 0xc, 0x10}, {0x8}).finish();
}

TEST(BasicBlocks, JumpIntoAStraightRunSplitsItIntoTwoBlocks) {
  TempFile file("t.bin");
  loop_trace(file.path());
  BlockProfile profile = profile_blocks(file.path());
  ASSERT_EQ(profile.blocks().size(), 3u);
  const auto& b = profile.blocks();
  EXPECT_EQ(b[0].pc, 0x0u);  // split at the leader 0x4
  EXPECT_EQ(b[0].insns, 1u);
  EXPECT_EQ(b[0].entries, 1u);
  EXPECT_EQ(b[1].pc, 0x4u);
  EXPECT_EQ(b[1].entries, 3u);
  EXPECT_EQ(b[1].insns, 6u);
  EXPECT_EQ(b[1].length, 2u);
  EXPECT_EQ(b[1].end, 0xcu);
  EXPECT_EQ(b[2].pc, 0xcu);
  EXPECT_EQ(b[2].insns, 2u);
  EXPECT_EQ(profile.instructions(), 9u);

  std::vector<EdgeStats> edges = profile.edges();
  ASSERT_EQ(edges.size(), 3u);
  EXPECT_EQ(edges[0].from, 0u);
  EXPECT_EQ(edges[0].to, 1u);
  EXPECT_EQ(edges[0].count, 1u);
  EXPECT_EQ(edges[1].from, 1u);  // the back edge
  EXPECT_EQ(edges[1].to, 1u);
  EXPECT_EQ(edges[1].count, 2u);
  EXPECT_EQ(edges[2].to, 2u);
}

TEST(BasicBlocks, TrapsEndBlocksAndMakeTrapEdges) {
  TempFile file("t.bin");
  TraceBuilder(file.path())
      .run({0x0, 0x4}, {})
      .trap(0x8, 0x100)
      .run({0x100, 0x104}, {}, {0x104})
      .run({0x8, 0xc}, {})
      .finish();
  BlockProfile profile = profile_blocks(file.path());
  ASSERT_EQ(profile.blocks().size(), 3u);
  std::vector<EdgeStats> edges = profile.edges();
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_TRUE(edges[0].trap);
  EXPECT_EQ(profile.blocks()[edges[0].to].pc, 0x100u);
  EXPECT_FALSE(edges[1].trap);
  EXPECT_EQ(profile.blocks()[edges[1].to].pc, 0x8u);
}

TEST(Bbv, IntervalLinesInValgrindsFormat) {
  std::ostringstream out;
  BbvWriter w(out, 4);
  for (uint32_t id : {1, 1, 2, 1, /**/ 3, 3, 3, 3, /**/ 2}) w.add(id);
  w.finish();
  EXPECT_EQ(out.str(), "T:1:3 :2:1\nT:3:4\nT:2:1\n");
  EXPECT_EQ(w.intervals(), 3u);
}

TEST(Bbv, FromATrace) {
  TempFile file("t.bin");
  loop_trace(file.path());
  std::ostringstream bb, pcs;
  BbvOptions options;
  options.interval = 5;
  BbvSummary s = write_bbv(file.path(), options, Symbolizer(), bb, &pcs);
  // Blocks: 1 = 0x0, 2 = 0x4 (x3, 2 insns each), 3 = 0xc.
  EXPECT_EQ(bb.str(), "T:1:1 :2:4\nT:2:2 :3:2\n");
  EXPECT_EQ(pcs.str(), "1 0x0 1\n2 0x4 6\n3 0xc 2\n");
  EXPECT_EQ(s.instructions, 9u);
  EXPECT_EQ(s.intervals, 2u);
  EXPECT_EQ(s.blocks, 3u);
}

TEST(Cfg, DotHasTheBlocksAndWeightedEdges) {
  TempFile file("t.bin");
  loop_trace(file.path());
  BlockProfile profile = profile_blocks(file.path());
  ControlFlowGraph g = build_cfg(profile, Symbolizer(), CfgOptions{});
  EXPECT_EQ(boost::num_vertices(g), 3u);
  EXPECT_EQ(boost::num_edges(g), 3u);
  std::ostringstream dot;
  write_cfg_dot(g, dot);
  std::string s = dot.str();
  EXPECT_EQ(s.rfind("digraph G {", 0), 0u) << s;
  EXPECT_NE(s.find("label=\"0x4\\n2 insns x 3\""), std::string::npos) << s;
  EXPECT_NE(s.find("1->1 [label=\"2\""), std::string::npos) << s;

  CfgOptions hot;
  hot.min_count = 2;
  ControlFlowGraph pruned = build_cfg(profile, Symbolizer(), hot);
  EXPECT_EQ(boost::num_vertices(pruned), 1u);  // only the loop body
  EXPECT_EQ(boost::num_edges(pruned), 1u);
}

TEST(Stats, ReportCountsAndRanks) {
  TempFile file("t.bin");
  TraceBuilder(file.path())
      .run({0x0, 0x4, 0x8, 0x4, 0x8, 0x4, 0x8, 0xc, 0x10}, {0x8})
      .trap(0x14, 0x100)
      .finish();
  std::ostringstream out;
  write_stats(file.path(), Symbolizer(), StatsOptions{}, out);
  std::string s = out.str();
  EXPECT_NE(s.find("instructions  9\n"), std::string::npos) << s;
  EXPECT_NE(s.find("traps         1 (1 exceptions, 0 interrupts)"), std::string::npos) << s;
  EXPECT_NE(s.find("  branch                    3   33.33%"), std::string::npos) << s;
  EXPECT_NE(s.find("  addi                      9  100.00%"), std::string::npos) << s;
  EXPECT_NE(s.find("ecall from M-mode"), std::string::npos) << s;
  // The loop body is the hottest block.
  EXPECT_NE(s.find("  0x0000000000000004              6   66.67%            3     2"),
            std::string::npos)
      << s;
}

TEST(Stats, CauseNames) {
  EXPECT_EQ(trap_cause_name(2, false), "illegal instruction");
  EXPECT_EQ(trap_cause_name(0x8000000000000007ULL, true), "machine timer interrupt");
  EXPECT_EQ(trap_cause_name(0x8000000b, true), "machine external interrupt");
  EXPECT_EQ(trap_cause_name(24, false), "exception 24");
}

}  // namespace
}  // namespace silica::trace
