// The interpreter engine on a hart whose memory is a plain RAM array (the
// environment of an engine is the MemoryPort interface; this is that
// interface over a vector, not a stand-in for any model). Covers execution,
// the trap rules of the privileged spec, interrupts and code invalidation.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cores/riscv/interpreter.h"
#include "cores/riscv/timing_model.h"
#include "tests/unit/support/ram_port.h"

namespace silica::riscv {
namespace {

constexpr uint64_t kRamBase = test::RamPort::kBase;

using test::RamPort;

constexpr uint32_t kLoop = 0x0000006f;  // j .
constexpr uint64_t kHandler = kRamBase + 0x100;

class InterpreterTest : public ::testing::Test {
 protected:
  InterpreterTest() : m_interp(m_hart, m_timing) {
    m_hart.config = parse_isa_string("rv64imac_zicsr_zifencei");
    m_hart.memory = &m_port;
    m_hart.stop_request = &m_stop;
    m_hart.reset(kRamBase);
  }
  void program(std::initializer_list<uint32_t> words, uint64_t at = kRamBase) {
    for (uint32_t w : words) {
      std::memcpy(&m_port.ram[at - kRamBase], &w, 4);
      at += 4;
    }
  }
  void run_insns(uint64_t n) { m_interp.run(~uint64_t(0), m_hart.instret + n); }
  // Traps go to kHandler (mtvec direct), which loops there.
  void trap_to_loop() {
    m_hart.mtvec = kHandler;
    program({kLoop}, kHandler);
  }

  RamPort m_port;
  ClassCostModel m_timing;
  Hart<64> m_hart;
  Interpreter<64> m_interp;
  bool m_stop = false;
};

TEST_F(InterpreterTest, ExecutesAndCountsInstructions) {
  program({0x00500513, 0x00750513, kLoop});  // li a0,5; addi a0,a0,7; j .
  run_insns(3);
  EXPECT_EQ(m_hart.x[10], 12u);
  EXPECT_EQ(m_hart.instret, 3u);
  EXPECT_EQ(m_hart.pc, kRamBase + 8);
  // Class costs from isa/riscv/base.isa: alu 1, alu 1, jump 2.
  EXPECT_EQ(m_hart.cycles, 4u);
}

TEST_F(InterpreterTest, WritesToZeroRegisterAreDiscarded) {
  program({0x00500013, kLoop});  // addi zero, zero, 5
  run_insns(1);
  EXPECT_EQ(m_hart.x[0], 0u);
}

TEST_F(InterpreterTest, IllegalInstructionTrapsWithBitsInMtval) {
  trap_to_loop();
  program({0x00500513, 0xffffffff});
  run_insns(2);
  EXPECT_EQ(m_hart.mcause, cause::kIllegalInsn);
  EXPECT_EQ(m_hart.mepc, kRamBase + 4);
  EXPECT_EQ(m_hart.mtval, 0xffffffffu);
  EXPECT_EQ(m_hart.pc, kHandler);
  EXPECT_EQ(m_hart.instret, 2u);  // li and the handler's loop; the trapping one does not retire
}

TEST_F(InterpreterTest, ReservedEncodingTrapsMidBlock) {
  // li a0,5; c.addiw zero,1 (reserved: rd = 0); c.nop. The semantics, not the
  // decoder, reject it, and the engine's fast path has to hand it over.
  trap_to_loop();
  program({0x00500513, 0x00012005});
  run_insns(2);
  EXPECT_EQ(m_hart.mcause, cause::kIllegalInsn);
  EXPECT_EQ(m_hart.mepc, kRamBase + 4);
  EXPECT_EQ(m_hart.mtval, 0x2005u);
  EXPECT_EQ(m_hart.x[10], 5u);
  EXPECT_EQ(m_hart.instret, 2u);  // li and the handler's loop
}

TEST_F(InterpreterTest, EcallFromMachineMode) {
  trap_to_loop();
  program({0x00000073});
  run_insns(1);
  EXPECT_EQ(m_hart.mcause, cause::kEcallFromM);
  EXPECT_EQ(m_hart.mepc, kRamBase);
}

TEST_F(InterpreterTest, LoadFromUnmappedAddressIsAnAccessFault) {
  trap_to_loop();
  program({0x00002583});  // lw a1, 0(zero)
  run_insns(1);
  EXPECT_EQ(m_hart.mcause, cause::kLoadAccessFault);
  EXPECT_EQ(m_hart.mtval, 0u);
  EXPECT_EQ(m_hart.mepc, kRamBase);
}

TEST_F(InterpreterTest, TimerInterruptIsVectored) {
  m_hart.mtvec = kHandler | 1;  // vectored
  m_hart.mie = 1u << 7;
  m_hart.mstatus = mstatus_bits::kMie;
  program({kLoop});
  program({kLoop}, kHandler + 4 * 7);
  m_hart.mip = 1u << 7;
  run_insns(1);
  EXPECT_EQ(m_hart.mcause, (uint64_t(1) << 63) | 7);
  EXPECT_EQ(m_hart.pc, kHandler + 4 * 7);
  EXPECT_EQ(m_hart.mstatus & mstatus_bits::kMie, 0u);
  EXPECT_EQ(m_hart.mstatus & mstatus_bits::kMpie, mstatus_bits::kMpie);
}

TEST_F(InterpreterTest, DisabledInterruptWaitsButWakesWfi) {
  m_hart.mie = 1u << 7;          // mstatus.MIE clear: not taken in M-mode
  program({0x10500073, kLoop});  // wfi; j .
  EXPECT_EQ(m_interp.run(~uint64_t(0), 10), StopReason::kWaitForIrq);
  EXPECT_TRUE(m_hart.wfi);
  m_hart.mip = 1u << 7;
  m_hart.wfi = false;
  run_insns(1);
  EXPECT_EQ(m_hart.pc, kRamBase + 4);  // resumed after the WFI, no trap taken
  EXPECT_EQ(m_hart.mcause, 0u);
}

TEST_F(InterpreterTest, StoreIntoDecodedCodeIsSeenAfterFenceI) {
  // 0: li a0,1   4: sw a1,0(a2)   8: fence.i   12: li a0,2 (overwritten with li a0,3)   16: j .
  m_hart.x[11] = 0x00300513;  // li a0, 3
  m_hart.x[12] = kRamBase + 12;
  program({0x00100513, 0x00b62023, 0x0000100f, 0x00200513, kLoop});
  run_insns(5);
  EXPECT_EQ(m_hart.x[10], 3u);
}

TEST_F(InterpreterTest, CsrAccessRules) {
  // csrrw a0, mscratch, a1 ; csrr a2, mscratch ; csrw mvendorid (read-only) -> illegal
  trap_to_loop();
  m_hart.x[11] = 0x1234;
  program({0x34059573, 0x34002673, 0xf1159073});
  run_insns(3);
  EXPECT_EQ(m_hart.x[12], 0x1234u);
  EXPECT_EQ(m_hart.mcause, cause::kIllegalInsn);
  EXPECT_EQ(m_hart.mepc, kRamBase + 8);
}

// Keeps every record, to check what the trace points report.
class CollectingSink final : public trace::TraceSink {
 public:
  std::vector<trace::Retired> retired_records;
  std::vector<trace::Trap> traps;
  void retired(const trace::Retired& r) override { retired_records.push_back(r); }
  void trap(const trace::Trap& t) override { traps.push_back(t); }
  void bus(const trace::BusAccess&) override {}
  void finish() override {}
};

TEST_F(InterpreterTest, TraceReportsWritesMemoryAndTraps) {
  CollectingSink sink;
  m_interp.set_trace_sink(&sink);
  trap_to_loop();
  m_hart.x[12] = kRamBase + 0x800;
  // li a0,5 ; sw a0,0(a2) ; lw a1,0(a2) ; amoadd.w a3,a0,(a2) ; ecall
  program({0x00500513, 0x00a62023, 0x00062583, 0x00a626af, 0x00000073});
  run_insns(5);
  ASSERT_GE(sink.retired_records.size(), 4u);
  const auto& li = sink.retired_records[0];
  EXPECT_EQ(li.pc, kRamBase);
  EXPECT_EQ(li.raw, 0x00500513u);
  EXPECT_EQ(li.instret, 0u);
  ASSERT_EQ(li.n_writes, 1);
  EXPECT_EQ(li.writes[0].index, 10);
  EXPECT_EQ(li.writes[0].value, 5u);
  const auto& sw = sink.retired_records[1];
  ASSERT_EQ(sw.n_mem, 1);
  EXPECT_TRUE(sw.mem[0].write);
  EXPECT_EQ(sw.mem[0].addr, kRamBase + 0x800);
  EXPECT_EQ(sw.mem[0].value, 5u);
  EXPECT_EQ(sw.n_writes, 0);
  const auto& lw = sink.retired_records[2];
  ASSERT_EQ(lw.n_mem, 1);
  EXPECT_FALSE(lw.mem[0].write);
  EXPECT_EQ(lw.writes[0].index, 11);
  const auto& amo = sink.retired_records[3];
  EXPECT_EQ(amo.n_mem, 2);  // the read and the write of the AMO
  EXPECT_EQ(amo.mem[1].value, 10u);
  EXPECT_EQ(amo.instret, 3u);
  ASSERT_EQ(sink.traps.size(), 1u);
  EXPECT_EQ(sink.traps[0].cause, cause::kEcallFromM);
  EXPECT_EQ(sink.traps[0].epc, kRamBase + 16);
  EXPECT_EQ(sink.traps[0].instret, 4u);
  EXPECT_EQ(sink.traps[0].handler, kHandler);
}

TEST_F(InterpreterTest, TracedAccessesToACachedPageAreAllRecorded) {
  // While tracing, the slow path fills the TLB for itself alone: the second
  // and later accesses to a page skip the page walk but must still reach
  // the trace, stores included.
  CollectingSink sink;
  m_interp.set_trace_sink(&sink);
  m_hart.x[12] = kRamBase + 0x2000;  // a page of its own: stores into code go the slow way
  // li a0,5 ; sw a0,0(a2) ; sw a0,8(a2) ; lw a1,0(a2) ; lw a1,8(a2) ; j .
  program({0x00500513, 0x00a62023, 0x00a62423, 0x00062583, 0x00862583, kLoop});
  run_insns(5);
  ASSERT_GE(sink.retired_records.size(), 5u);
  const uint64_t offsets[] = {0, 8, 0, 8};
  for (unsigned i = 0; i < 4; ++i) {
    const trace::Retired& r = sink.retired_records[i + 1];
    ASSERT_EQ(r.n_mem, 1) << "access " << i;
    EXPECT_EQ(r.mem[0].write, i < 2) << "access " << i;
    EXPECT_EQ(r.mem[0].addr, kRamBase + 0x2000 + offsets[i]) << "access " << i;
    EXPECT_EQ(r.mem[0].value, 5u) << "access " << i;
  }
  EXPECT_EQ(m_hart.x[11], 5u);
  uint32_t stored = 0;
  std::memcpy(&stored, &m_port.ram[0x2008], 4);
  EXPECT_EQ(stored, 5u);
}

TEST_F(InterpreterTest, TracingDoesNotChangeResults) {
  // The same program with and without a sink ends in the same state.
  program({0x00500513, 0x00750513, 0x02a50533, kLoop});  // li; addi; mul a0,a0,a0; j .
  run_insns(4);
  uint64_t plain = m_hart.x[10], plain_cycles = m_hart.cycles;
  CollectingSink sink;
  m_interp.set_trace_sink(&sink);
  m_hart.reset(kRamBase);
  run_insns(4);
  EXPECT_EQ(m_hart.x[10], plain);
  EXPECT_EQ(m_hart.cycles, plain_cycles);
  EXPECT_EQ(sink.retired_records.size(), 4u);
}

TEST_F(InterpreterTest, ForwardedOperandsSeeTheValuesJustWritten) {
  // One block of dependent instructions, most reading the register the one
  // before wrote, which the interpreter hands over in a host register:
  //  0: c.li a0,5           2: c.addi a0,7         4: add a1,a0,a0 (both operands)
  //  8: sub a2,a1,a0        c: c.sw a2,0(a3)       e: c.lw a4,4(a3) (a TLB miss at first)
  // 10: c.addi a4,1        12: addi zero,a4,3 (forwards nothing: rd is x0)
  // 16: addi a5,zero,1     1a: sub a6,a4,a5       1e: c.addi a6,2
  // 20: c.add a6,a6        22: sw a6,8(a3)        26: mulw a7,a6,a5 (a6 across the store)
  // 2a: bnez a7,+8 (ends the block)               2e: li a0,99 (skipped)
  // 32: c.j .
  const uint8_t code[] = {0x15, 0x45, 0x1d, 0x05, 0xb3, 0x05, 0xa5, 0x00, 0x33, 0x86, 0xa5,
                          0x40, 0x90, 0xc2, 0xd8, 0x42, 0x05, 0x07, 0x13, 0x00, 0x37, 0x00,
                          0x93, 0x07, 0x10, 0x00, 0x33, 0x08, 0xf7, 0x40, 0x09, 0x08, 0x42,
                          0x98, 0x23, 0xa4, 0x06, 0x01, 0xbb, 0x08, 0xf8, 0x02, 0x63, 0x94,
                          0x08, 0x00, 0x13, 0x05, 0x30, 0x06, 0x01, 0xa0};
  std::memcpy(m_port.ram.data(), code, sizeof(code));
  // The second round runs the decoded block again, the loads and stores now
  // TLB hits.
  for (int round = 0; round < 2; ++round) {
    m_hart.pc = kRamBase;
    for (auto& x : m_hart.x) x = 0;
    m_hart.x[13] = kRamBase + 0x2000;  // a page of its own: stores into code go the slow way
    const uint32_t loaded = 40;        // not what the instruction before the load wrote
    std::memcpy(&m_port.ram[0x2004], &loaded, 4);
    run_insns(16);
    EXPECT_EQ(m_hart.x[10], 12u) << "round " << round;
    EXPECT_EQ(m_hart.x[11], 24u);
    EXPECT_EQ(m_hart.x[12], 12u);
    EXPECT_EQ(m_hart.x[14], 41u);
    EXPECT_EQ(m_hart.x[0], 0u);
    EXPECT_EQ(m_hart.x[15], 1u);
    EXPECT_EQ(m_hart.x[16], 84u);
    EXPECT_EQ(m_hart.x[17], 84u);
    EXPECT_EQ(m_hart.pc, kRamBase + 0x32);
    uint32_t stored[3] = {};
    std::memcpy(stored, &m_port.ram[0x2000], sizeof(stored));
    EXPECT_EQ(stored[0], 12u);
    EXPECT_EQ(stored[2], 84u);
  }
}

}  // namespace
}  // namespace silica::riscv
