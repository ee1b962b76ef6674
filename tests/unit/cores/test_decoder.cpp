// The generated decoder against the generated tables: every described
// encoding decodes to itself (for some filling of its free bits), nothing
// decodes to an instruction whose pattern it does not match, XLEN-specific
// encodings are rejected on the other XLEN, and the disassembler prints what
// objdump prints for a few known words.
#include <gtest/gtest.h>

#include <random>

#include "riscv_disasm.h"
#include "riscv_isa.h"

namespace silica::riscv {
namespace {

template <unsigned XLEN>
void check_every_encoding() {
  std::mt19937 rng(1234);
  for (size_t id = 1; id < size_t(InsnId::count); ++id) {
    const InsnInfo& info = kInsnInfo[id];
    bool exists = info.xlen_mask & (XLEN == 32 ? 1 : 2);
    uint32_t width_mask = info.length == 2 ? 0xffffu : 0xffffffffu;
    bool decoded_itself = false;
    for (int attempt = 0; attempt < 256 && !decoded_itself; ++attempt) {
      uint32_t word = (info.match | (rng() & ~info.mask)) & width_mask;
      InsnId got = decode<XLEN>(word);
      if (!exists) {
        EXPECT_NE(size_t(got), id) << info.name << " decoded on RV" << XLEN;
        continue;
      }
      ASSERT_NE(got, InsnId::illegal) << info.name << " word 0x" << std::hex << word;
      const InsnInfo& other = kInsnInfo[size_t(got)];
      EXPECT_EQ(word & other.mask, other.match) << info.name << " decoded as " << other.name;
      decoded_itself = size_t(got) == id;
    }
    if (exists) {
      EXPECT_TRUE(decoded_itself) << info.name << " never decodes on RV" << XLEN;
    }
  }
}

TEST(Decoder, EveryEncodingRv64) {
  check_every_encoding<64>();
}
TEST(Decoder, EveryEncodingRv32) {
  check_every_encoding<32>();
}

TEST(Decoder, IllegalWords) {
  for (uint32_t word : {0xffffffffu,     // 48-bit and longer encodings are not described
                        0x0000000bu,     // custom-0 opcode
                        0x0000707fu,     // bits 4:2 = 111
                        0x02004073u,     // SYSTEM with funct3=100 (reserved)
                        0x4200d01bu}) {  // sraiw-like with a reserved funct7
    EXPECT_EQ(decode<64>(word), InsnId::illegal) << std::hex << word;
  }
  // ld exists on RV64 only; on RV32 the encoding is illegal.
  EXPECT_EQ(decode<64>(0x00053503u), InsnId::ld);
  EXPECT_EQ(decode<32>(0x00053503u), InsnId::illegal);
  // The same compressed encoding is c.jal on RV32 and c.addiw on RV64.
  EXPECT_EQ(decode<32>(0x2005u), InsnId::c_jal);
  EXPECT_EQ(decode<64>(0x2005u), InsnId::c_addiw);
}

TEST(Decoder, OperandsAndDisassembly) {
  // Words and texts as riscv64-unknown-elf-objdump -M no-aliases,numeric would
  // show them, with ABI register names.
  EXPECT_EQ(disassemble<64>(0x00b50533u, 0x80000000), "add a0, a0, a1");
  EXPECT_EQ(disassemble<64>(0xfe843783u, 0x80000000), "ld a5, -24(s0)");
  EXPECT_EQ(disassemble<64>(0x00f71463u, 0x80000010), "bne a4, a5, 0x80000018");
  EXPECT_EQ(disassemble<64>(0x123452b7u, 0x80000000), "lui t0, 0x12345");
  EXPECT_EQ(disassemble<64>(0x30529073u, 0x80000000), "csrrw zero, mtvec, t0");
  EXPECT_EQ(disassemble<64>(0x1141u, 0x80000000), "c.addi sp, -16");
  EXPECT_EQ(disassemble<64>(0xe406u, 0x80000000), "c.sdsp ra, 8(sp)");
  EXPECT_EQ(disassemble<64>(0x0000000bu, 0x80000000), "unknown 0xb");
}

}  // namespace
}  // namespace silica::riscv
