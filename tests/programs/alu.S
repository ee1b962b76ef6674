/* Integer ALU: add/sub, logic, shifts, set-less-than, lui/auipc, and (rv64)
 * the W forms.  XLEN-neutral: built as rv64_alu and rv32_alu.  V(v64, v32)
 * gives the expected value where the widths differ. */
#include "test_macros.h"

#define MIN V(0x8000000000000000, 0x80000000)   /* most negative */
#define MAX V(0x7fffffffffffffff, 0x7fffffff)   /* most positive */

TEST_BEGIN

TEST_GROUP("alu: add/addi/sub")
    TEST_RR(1, add, 0, 0, 0)
    TEST_RR(2, add, 2, 1, 1)
    TEST_RR(3, add, 10, 3, 7)
    TEST_RR(4, add, 0, -1, 1)
    TEST_RR(5, add, MIN, MAX, 1)                /* wraps */
    TEST_RR(6, add, V(0x100000000, 0), 0xffffffff, 1)
    TEST_RR(7, sub, 7, 10, 3)
    TEST_RR(8, sub, -1, 0, 1)
    TEST_RR(9, sub, MAX, MIN, 1)                /* wraps */
    TEST_RI(10, addi, -1, 5, -6)
    TEST_RI(11, addi, 2048, 1, 2047)            /* largest immediate */
    TEST_RI(12, addi, -2048, 0, -2048)          /* smallest immediate */
    TEST_RI(13, addi, MIN, MAX, 1)
    TEST_RR_DEST_SRC1(14, add, 24, 13, 11)
    TEST_RR_DEST_SRC2(15, sub, 2, 13, 11)
    TEST_RR_SAME_SRC(16, add, 26, 13)
    TEST_RR_ZERO_SRC1(17, sub, -5, 5)
    TEST_RR_ZERO_DEST(18, add, 1, 2)
    TEST_CASE(19, x0, 0, li a0, 5; addi x0, a0, 1)
    TEST_RI_DEST_SRC(20, addi, 0, 1, -1)

TEST_GROUP("alu: and/or/xor")
    TEST_RR(21, and, 0x0f000f00, 0xff00ff00, 0x0ff00ff0)
    TEST_RR(22, or,  0xfff0fff0, 0xff00ff00, 0x0ff00ff0)
    TEST_RR(23, xor, 0xf0f0f0f0, 0xff00ff00, 0x0ff00ff0)
    TEST_RR(24, and, 0x12345678, 0x12345678, -1)
    TEST_RI(25, andi, 0xff00ff00, 0xff00ff0f, -16)  /* imm sign-extends */
    TEST_RI(26, andi, 0x678, 0x12345678, 0x7ff)
    TEST_RI(27, ori, -1, 0, -1)
    TEST_RI(28, ori, 0x1234005a, 0x12340000, 0x5a)
    TEST_RI(29, xori, -2048, -1, 0x7ff)
    TEST_RI(30, xori, V(0xffffffffff00ff00, 0xff00ff00), 0x00ff00ff, -1)  /* not */
    TEST_RR_SAME_SRC(31, xor, 0, 0x5555)

TEST_GROUP("alu: shifts")
    TEST_RR(32, sll, 1, 1, 0)
    TEST_RR(33, sll, 0x80, 1, 7)
    TEST_RR(34, sll, MIN, 1, XLEN - 1)
    TEST_RR(35, sll, 1, 1, XLEN)                /* only log2(XLEN) bits count */
    TEST_RR(36, sll, 0x42, 0x21, XLEN + 1)
    TEST_RR(37, sll, MIN, 3, -1)                /* shamt = XLEN-1 */
    TEST_RR(38, srl, V(0x4000000000000000, 0x40000000), MIN, 1)
    TEST_RR(39, srl, 1, -1, XLEN - 1)
    TEST_RR(40, srl, -1, -1, 0)
    TEST_RR(41, sra, V(0xc000000000000000, 0xc0000000), MIN, 1)
    TEST_RR(42, sra, -1, -1, XLEN - 1)
    TEST_RR(43, sra, 0, MAX, XLEN - 1)
    TEST_RR(44, sra, -16, -128, 3)
    TEST_RR(45, sra, -128, -128, XLEN)          /* shamt 0 after masking */
    TEST_RI(46, slli, MIN, 1, XLEN - 1)
    TEST_RI(47, slli, 0xf0, 0xf, 4)
    TEST_RI(48, srli, V(0x0fffffffffffffff, 0x0fffffff), -1, 4)
    TEST_RI(49, srli, 1, MIN, XLEN - 1)
    TEST_RI(50, srai, V(0xf800000000000000, 0xf8000000), MIN, 4)
    TEST_RI(51, srai, 0x7f, 0x7f0, 4)
    TEST_RI(52, srai, -1, MIN, XLEN - 1)
#if XLEN == 64
    TEST_RI(53, slli, 0x10000000000, 1, 40)     /* shamt >= 32 */
    TEST_RI(54, srli, 0x80000000, 0x8000000000000000, 32)
    TEST_RI(55, srai, 0xffffffff80000000, 0x8000000000000000, 32)
    TEST_RR(56, srl, 0x1234, 0x123400000000, 32)
#endif

TEST_GROUP("alu: slt/sltu/slti/sltiu")
    TEST_RR(60, slt, 0, 0, 0)
    TEST_RR(61, slt, 1, -1, 0)
    TEST_RR(62, slt, 0, 0, -1)
    TEST_RR(63, sltu, 0, -1, 0)
    TEST_RR(64, sltu, 1, 0, -1)
    TEST_RR(65, slt, 1, MIN, MAX)
    TEST_RR(66, sltu, 0, MIN, MAX)
    TEST_RR(67, slt, 0, 7, 7)
    TEST_RI(68, slti, 1, 5, 6)
    TEST_RI(69, slti, 0, 5, -6)
    TEST_RI(70, slti, 1, MIN, -2048)
    TEST_RI(71, sltiu, 1, 0, -1)                /* imm is sign-extended, then unsigned */
    TEST_RI(72, sltiu, 0, -1, -1)
    TEST_RI(73, sltiu, 1, 5, 6)
    TEST_RI(74, sltiu, 1, 0, 1)                 /* seqz */
    TEST_RI(75, sltiu, 0, 1, 1)
    TEST_RR_ZERO_SRC1(76, sltu, 1, 3)           /* snez */

TEST_GROUP("alu: lui/auipc")
    TEST_CASE(80, a2, 0x12345000, lui a2, 0x12345)
    TEST_CASE(81, a2, V(0xffffffff80000000, 0x80000000), lui a2, 0x80000)
    TEST_CASE(82, a2, V(0xfffffffffffff000, 0xfffff000), lui a2, 0xfffff)
    TEST_CASE(83, a2, 0x7ff, lui a2, 0; addi a2, a2, 0x7ff)
    TEST_CASE(84, x0, 0, lui x0, 0x12345)
    /* auipc adds to its own address; `la` gives the address to compare. */
    li TESTNUM, 85
91: auipc a2, 0
    la a3, 91b
    CHECK_REG(a2, a3)
    li TESTNUM, 86
92: auipc a2, 1
    la a3, 92b
    li a4, 0x1000
    add a3, a3, a4
    CHECK_REG(a2, a3)
    li TESTNUM, 87
93: auipc a2, 0xfffff                           /* -0x1000 */
    la a3, 93b
    li a4, -0x1000
    add a3, a3, a4
    CHECK_REG(a2, a3)

#if XLEN == 64
TEST_GROUP("alu: rv64 W forms")
    TEST_RR(100, addw, 0xffffffff80000000, 0x7fffffff, 1)   /* result sign-extends */
    TEST_RR(101, addw, 0, 0xffffffff, 1)
    TEST_RR(102, addw, 6, 0x100000005, 0x100000001)         /* upper bits ignored */
    TEST_RR(103, subw, -1, 0, 1)
    TEST_RR(104, subw, 0x7fffffff, 0x80000000, 1)
    TEST_RR(105, subw, 0x23456789, 0x123456789, 0x100000000)
    TEST_RI(106, addiw, 0xffffffff80000000, 0x7fffffff, 1)
    TEST_RI(107, addiw, 0x7fffffff, 0xffffffff80000000, -1)
    TEST_RI(108, addiw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0)  /* sext.w */
    TEST_RR(109, sllw, 0xffffffff80000000, 1, 31)
    TEST_RR(110, sllw, 1, 1, 32)                /* 5-bit shamt */
    TEST_RR(111, sllw, 0xfffffffffffffff0, 0xffffffff, 4)
    TEST_RR(112, srlw, 1, 0xffffffff80000000, 31)
    TEST_RR(113, srlw, -1, -1, 0)               /* 32-bit result still sign-extends */
    TEST_RR(114, srlw, 0x7fffffff, -1, 1)
    TEST_RR(115, srlw, 0x00ffffff, 0x12ffffffff, 8)  /* upper source bits not shifted in */
    TEST_RR(116, sraw, 0xfffffffff8000000, 0x80000000, 4)
    TEST_RR(117, sraw, 0, 0x7fffffff, 31)
    TEST_RR(118, sraw, -1, -1, 33)
    TEST_RR(119, sraw, 0x12, 0xf00000120, 4)
    TEST_RI(120, slliw, 0x23456780, 0x12345678, 4)
    TEST_RI(121, slliw, 0xffffffff80000000, 1, 31)
    TEST_RI(122, srliw, 1, 0x80000000, 31)
    TEST_RI(123, srliw, -1, 0xffffffff, 0)
    TEST_RI(124, srliw, 0, 0x1234567800000000, 4)
    TEST_RI(125, sraiw, -1, 0x80000000, 31)
    TEST_RI(126, sraiw, 1, 0x100000010, 4)
    TEST_RR_ZERO_DEST(127, addw, 1, 2)
#endif

TEST_END
