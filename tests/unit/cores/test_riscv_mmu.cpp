// The decision logic of the privileged architecture's memory side: PMP
// matching and locking (pmp.cpp), Sv32/Sv39 walks (mmu.cpp), also as a
// debugger sees them, on a hart whose memory is a plain RAM array, the
// LR/SC rule that a store by another hart changing the reserved value makes
// SC fail (helpers.cpp), and the read window loads take while addresses are
// physical and unchecked (hart_memory.cpp).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cores/riscv/interpreter.h"
#include "cores/riscv/mmu.h"
#include "cores/riscv/pmp.h"
#include "cores/riscv/timing_model.h"
#include "tests/unit/support/ram_port.h"

namespace silica::riscv {
namespace {

constexpr uint64_t kRamBase = test::RamPort::kBase;

using test::RamPort;

constexpr uint8_t kR = 1, kW = 2, kX = 4, kTor = 1 << 3, kNa4 = 2 << 3, kNapot = 3 << 3,
                  kLocked = 0x80;

TEST(Pmp, NoActiveEntryAllowsEveryone) {
  PmpState pmp;
  EXPECT_TRUE(pmp_allows(pmp, 0x1000, 8, Access::kStore, Privilege::kUser));
  EXPECT_TRUE(pmp_allows(pmp, 0x1000, 8, Access::kFetch, Privilege::kSupervisor));
}

TEST(Pmp, NapotNa4AndTorRanges) {
  PmpState pmp;
  pmpaddr_write(pmp, 64, 0, (0x80000000 >> 2) | 0x1ff);  // 4 KiB at 0x80000000
  pmpaddr_write(pmp, 64, 1, 0x80002000 >> 2);            // 4 bytes at 0x80002000
  pmpaddr_write(pmp, 64, 2, 0x80010000 >> 2);            // TOR: [0x80002000, 0x80010000)
  pmpcfg_write(pmp, 64, 0,
               (kNapot | kR) | uint64_t(kNa4 | kR | kW) << 8 | uint64_t(kTor | kX) << 16);
  const Privilege s = Privilege::kSupervisor;
  EXPECT_TRUE(pmp_allows(pmp, 0x80000ff8, 8, Access::kLoad, s));
  EXPECT_FALSE(pmp_allows(pmp, 0x80000ff8, 8, Access::kStore, s));
  EXPECT_FALSE(pmp_allows(pmp, 0x80000ffc, 8, Access::kLoad, s));  // crosses out of the entry
  EXPECT_TRUE(pmp_allows(pmp, 0x80002000, 4, Access::kStore, s));
  // Partly in the NA4 entry (the first that matches): refused, though TOR
  // below would grant the rest.
  EXPECT_FALSE(pmp_allows(pmp, 0x80002000, 8, Access::kLoad, s));
  EXPECT_TRUE(pmp_allows(pmp, 0x80003000, 4, Access::kFetch, s));
  EXPECT_FALSE(pmp_allows(pmp, 0x80003000, 4, Access::kLoad, s));
  // No entry matches: S and U fail, M succeeds (no entry is locked).
  EXPECT_FALSE(pmp_allows(pmp, 0x90000000, 4, Access::kLoad, Privilege::kUser));
  EXPECT_TRUE(pmp_allows(pmp, 0x90000000, 4, Access::kLoad, Privilege::kMachine));
  EXPECT_TRUE(pmp_allows(pmp, 0x80000ff8, 8, Access::kStore, Privilege::kMachine));
  // A whole page is granted only if one entry covers all of it.
  EXPECT_TRUE(pmp_allows(pmp, 0x80000000, 4096, Access::kLoad, s));
  EXPECT_FALSE(pmp_allows(pmp, 0x80002000, 4096, Access::kFetch, s));
}

TEST(Pmp, NapotCoveringEverything) {
  PmpState pmp;
  pmpaddr_write(pmp, 64, 0, ~uint64_t(0));
  pmpcfg_write(pmp, 64, 0, kNapot | kR | kW | kX);
  EXPECT_EQ(pmpaddr_read(pmp, 0), (uint64_t(1) << 54) - 1);
  EXPECT_TRUE(pmp_allows(pmp, 0, 8, Access::kStore, Privilege::kUser));
  EXPECT_TRUE(pmp_allows(pmp, 0x00fffffffffff000, 4096, Access::kLoad, Privilege::kUser));
}

TEST(Pmp, LockedEntriesBindMachineModeAndIgnoreWrites) {
  PmpState pmp;
  pmpaddr_write(pmp, 64, 0, 0x80000000 >> 2);
  pmpaddr_write(pmp, 64, 1, 0x80001000 >> 2);
  pmpcfg_write(pmp, 64, 0, uint64_t(kLocked | kTor | kR) << 8);  // entry 1: TOR, locked
  EXPECT_TRUE(pmp.any_locked);
  EXPECT_FALSE(pmp_allows(pmp, 0x80000000, 4, Access::kStore, Privilege::kMachine));
  EXPECT_TRUE(pmp_allows(pmp, 0x80000000, 4, Access::kLoad, Privilege::kMachine));
  pmpcfg_write(pmp, 64, 0, 0);                 // entry 1 keeps its configuration
  pmpaddr_write(pmp, 64, 1, 0);                // locked
  pmpaddr_write(pmp, 64, 0, 0x70000000 >> 2);  // the base of a locked TOR entry
  EXPECT_EQ(pmpcfg_read(pmp, 64, 0) >> 8 & 0xff, uint64_t(kLocked | kTor | kR));
  EXPECT_EQ(pmpaddr_read(pmp, 1), 0x80001000u >> 2);
  EXPECT_EQ(pmpaddr_read(pmp, 0), 0x80000000u >> 2);
}

TEST(Pmp, WriteWithoutReadIsNotKept) {
  PmpState pmp;
  pmpcfg_write(pmp, 32, 0, kNapot | kW);
  EXPECT_EQ(pmpcfg_read(pmp, 32, 0) & 0xff, kNapot);
}

template <unsigned XLEN>
class HartFixture {
 public:
  HartFixture(const char* isa) : m_interp(m_hart, m_timing) {
    m_hart.config = parse_isa_string(isa);
    m_hart.memory = &m_port;
    m_hart.stop_request = &m_stop;
    m_hart.reset(kRamBase);
  }
  RamPort m_port;
  ClassCostModel m_timing;
  Hart<XLEN> m_hart;
  Interpreter<XLEN> m_interp;
  bool m_stop = false;
};

constexpr uint64_t kV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kA = 64, kD = 128;

TEST(Sv32, WalksTwoLevelsAndSetsAccessedAndDirty) {
  HartFixture<32> f("rv32ima_zicsr");
  const uint64_t root = kRamBase + 0x1000, table = kRamBase + 0x2000, page = kRamBase + 0x3000;
  // VA 0x00401000: VPN[1] = 1, VPN[0] = 1.
  f.m_port.put<uint32_t>(root + 4 * 1, uint32_t((table >> 12) << 10 | kV));
  f.m_port.put<uint32_t>(table + 4 * 1, uint32_t((page >> 12) << 10 | kV | kPteR | kPteW));
  // VA 0x00800000: a 4 MiB megapage whose PPN is not 4 MiB aligned.
  f.m_port.put<uint32_t>(root + 4 * 2, uint32_t((page >> 12) << 10 | kV | kPteR));
  f.m_hart.satp = (1u << 31) | uint32_t(root >> 12);
  const Translation load = translate(f.m_hart, 0x00401234, Access::kLoad, Privilege::kSupervisor);
  ASSERT_TRUE(load.ok);
  EXPECT_EQ(load.paddr, page + 0x234);
  EXPECT_EQ(f.m_port.get<uint32_t>(table + 4) & (kA | kD), kA);
  ASSERT_TRUE(translate(f.m_hart, 0x00401000, Access::kStore, Privilege::kSupervisor).ok);
  EXPECT_EQ(f.m_port.get<uint32_t>(table + 4) & (kA | kD), kA | kD);
  // A supervisor page is not the user's; a page without X is not fetched.
  EXPECT_EQ(translate(f.m_hart, 0x00401000, Access::kLoad, Privilege::kUser).cause,
            cause::kLoadPageFault);
  EXPECT_EQ(translate(f.m_hart, 0x00401000, Access::kFetch, Privilege::kSupervisor).cause,
            cause::kInsnPageFault);
  EXPECT_EQ(translate(f.m_hart, 0x00800000, Access::kLoad, Privilege::kSupervisor).cause,
            cause::kLoadPageFault);
  // M-mode does not translate.
  EXPECT_EQ(translate(f.m_hart, 0x00401000, Access::kLoad, Privilege::kMachine).paddr, 0x00401000u);
}

TEST(Sv32, DebuggerSeesEveryValidLeafAndLeavesAccessedAlone) {
  HartFixture<32> f("rv32ima_zicsr");
  const uint64_t root = kRamBase + 0x1000, table = kRamBase + 0x2000, page = kRamBase + 0x3000;
  // VA 0x00401000: a user page without A, which S-mode could not even load.
  f.m_port.put<uint32_t>(root + 4 * 1, uint32_t((table >> 12) << 10 | kV));
  f.m_port.put<uint32_t>(table + 4 * 1, uint32_t((page >> 12) << 10 | kV | kPteX | kPteU));
  f.m_hart.satp = (1u << 31) | uint32_t(root >> 12);
  f.m_hart.priv = Privilege::kSupervisor;
  EXPECT_EQ(translate_for_debugger(f.m_hart, 0x00401234), page + 0x234);
  EXPECT_EQ(f.m_port.get<uint32_t>(table + 4) & (kA | kD), 0u);
  EXPECT_EQ(translate_for_debugger(f.m_hart, 0x00402000), std::nullopt);  // invalid entry
  // In M-mode addresses are physical.
  f.m_hart.priv = Privilege::kMachine;
  EXPECT_EQ(translate_for_debugger(f.m_hart, 0x00402000), 0x00402000u);
}

TEST(Sv39, WalkThatPmpRefusesIsAnAccessFault) {
  HartFixture<64> f("rv64ima_zicsr");
  const uint64_t root = kRamBase + 0x1000;
  // 1 GiB at VA 0x80000000 -> PA 0x80000000, user-accessible.
  f.m_port.put<uint64_t>(root + 8 * 2, (kRamBase >> 12) << 10 | kV | kPteR | kPteW | kPteX | kPteU);
  f.m_hart.satp = (uint64_t(8) << 60) | (root >> 12);
  const Translation ok = translate(f.m_hart, kRamBase + 0x10, Access::kFetch, Privilege::kUser);
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(ok.paddr, kRamBase + 0x10);
  // PMP grants only the second RAM page: the walk's read of the root fails.
  pmpaddr_write(f.m_hart.pmp, 64, 0, ((kRamBase + 0x4000) >> 2) | 0x1ff);
  pmpcfg_write(f.m_hart.pmp, 64, 0, kNapot | kR | kW | kX);
  EXPECT_EQ(translate(f.m_hart, kRamBase, Access::kStore, Privilege::kUser).cause,
            cause::kStoreAccessFault);
  // Non-canonical: bit 39 not copied above.
  f.m_hart.pmp = PmpState{};
  EXPECT_EQ(translate(f.m_hart, uint64_t(1) << 39, Access::kLoad, Privilege::kUser).cause,
            cause::kLoadPageFault);
}

TEST(LrSc, AStoreByAnotherHartChangingTheValueMakesScFail) {
  HartFixture<64> f("rv64ima_zicsr");
  // lr.d a0, (a1); sc.d a2, a3, (a1); j .
  const uint32_t code[] = {0x1005b52f, 0x18d5b62f, 0x0000006f};
  for (unsigned i = 0; i < 3; ++i) f.m_port.put<uint32_t>(kRamBase + 4 * i, code[i]);
  const uint64_t data = kRamBase + 0x8000;
  auto run = [&](uint64_t other_hart_value) {
    f.m_hart.reset(kRamBase);
    f.m_port.put<uint64_t>(data, 5);
    f.m_hart.x[11] = data;
    f.m_hart.x[13] = 9;
    f.m_hart.max_block_insns = 1;  // stop between the lr and the sc
    f.m_interp.flush_code_cache();
    f.m_interp.run(~uint64_t(0), 1);
    // Another hart stores straight into RAM (its DMI or TLB fast path).
    f.m_port.put<uint64_t>(data, other_hart_value);
    f.m_interp.run(~uint64_t(0), 2);
    return f.m_hart.x[12];
  };
  EXPECT_EQ(run(6), 1u);  // changed: the SC fails
  EXPECT_EQ(f.m_port.get<uint64_t>(data), 6u);
  EXPECT_EQ(run(5), 0u);  // the same value (ABA): it succeeds, as on QEMU
  EXPECT_EQ(f.m_port.get<uint64_t>(data), 9u);
}

// A load through the hart's inline path, as the generated semantics do it.
template <class T>
T load(Hart<64>& h, uint64_t addr, bool* faulted = nullptr) {
  DecodedInsn d{};
  d.pc = kRamBase;
  T value{};
  const bool ok = mem_load<T>(h, d, addr, value);
  if (faulted != nullptr) *faulted = !ok;
  return value;
}

TEST(ReadWindow, OpensOnRamInBareModeAndServesItsLastBytes) {
  HartFixture<64> f("rv64ima_zicsr");
  const uint64_t size = f.m_port.ram.size();
  f.m_port.put<uint64_t>(kRamBase + 0x5000, 0x1122334455667788);
  f.m_port.put<uint64_t>(kRamBase + size - 8, 0x0102030405060708);
  EXPECT_EQ(f.m_hart.read_window.limit, 0u);  // nothing read yet
  EXPECT_EQ(load<uint64_t>(f.m_hart, kRamBase + 0x5000), 0x1122334455667788u);
  EXPECT_EQ(f.m_hart.read_window.base, kRamBase);
  EXPECT_EQ(f.m_hart.read_window.limit, size - 7);
  // Misaligned, and the very end of RAM (beyond the window's limit): the
  // same bytes either way.
  EXPECT_EQ(load<uint32_t>(f.m_hart, kRamBase + 0x5002), 0x33445566u);
  EXPECT_EQ(load<uint64_t>(f.m_hart, kRamBase + size - 8), 0x0102030405060708u);
  EXPECT_EQ(load<uint8_t>(f.m_hart, kRamBase + size - 1), 0x01u);
  bool faulted = false;
  load<uint8_t>(f.m_hart, kRamBase + size, &faulted);  // past the end: not RAM
  EXPECT_TRUE(faulted);
  load<uint16_t>(f.m_hart, kRamBase - 2, &faulted);
  EXPECT_TRUE(faulted);
}

TEST(ReadWindow, ClosesWhenTranslationOrPmpOrTracingStarts) {
  HartFixture<64> f("rv64imas_zicsr");
  const uint64_t root = kRamBase + 0x1000, page = kRamBase + 0x6000;
  f.m_port.put<uint64_t>(kRamBase + 0x3000, 7);
  f.m_port.put<uint64_t>(page, 42);
  load<uint64_t>(f.m_hart, kRamBase + 0x3000);
  ASSERT_NE(f.m_hart.read_window.limit, 0u);
  // Sv39: the 4 KiB page at VA 0x80003000 maps to PA `page`.
  const uint64_t l1 = kRamBase + 0x2000, l0 = kRamBase + 0x4000;
  f.m_port.put<uint64_t>(root + 8 * 2, (l1 >> 12) << 10 | kV);
  f.m_port.put<uint64_t>(l1 + 8 * 0, (l0 >> 12) << 10 | kV);
  f.m_port.put<uint64_t>(l0 + 8 * 3, (page >> 12) << 10 | kV | kPteR | kA);
  f.m_hart.satp = (uint64_t(8) << 60) | (root >> 12);
  f.m_hart.translation_changed(TranslationChange::kMappings);
  f.m_hart.priv = Privilege::kSupervisor;
  f.m_hart.translation_changed(TranslationChange::kDataContext);
  EXPECT_EQ(f.m_hart.read_window.limit, 0u);
  EXPECT_EQ(load<uint64_t>(f.m_hart, kRamBase + 0x3000), 42u);  // translated, not the window
  EXPECT_EQ(f.m_hart.read_window.limit, 0u);                    // and it stays shut

  // Back to bare addresses, but with a PMP entry: still shut.
  f.m_hart.satp = 0;
  f.m_hart.priv = Privilege::kMachine;
  pmpaddr_write(f.m_hart.pmp, 64, 0, ~uint64_t(0) >> 10);
  pmpcfg_write(f.m_hart.pmp, 64, 0, kNapot | kR | kW | kX);
  f.m_hart.translation_changed(TranslationChange::kProtection);
  EXPECT_EQ(load<uint64_t>(f.m_hart, kRamBase + 0x3000), 7u);
  EXPECT_EQ(f.m_hart.read_window.limit, 0u);

  // No PMP, but every access must reach the slow path (tracing, watchpoints).
  f.m_hart.pmp = PmpState{};
  f.m_hart.translation_changed(TranslationChange::kProtection);
  f.m_hart.slow_memory = true;
  f.m_hart.flush_tlb();
  EXPECT_EQ(load<uint64_t>(f.m_hart, kRamBase + 0x3000), 7u);
  EXPECT_EQ(f.m_hart.read_window.limit, 0u);
  f.m_hart.slow_memory = false;
  load<uint64_t>(f.m_hart, kRamBase + 0x3000);
  EXPECT_NE(f.m_hart.read_window.limit, 0u);
}

}  // namespace
}  // namespace silica::riscv
