/* C extension (rv64): every RV64C instruction except the floating-point
 * loads/stores (no F/D here), each written with its c. mnemonic so the
 * assembler must encode it compressed.  check_compressed.py then confirms
 * with objdump that all of them are really in the binary.
 * Registers in the CL/CS/CA/CB formats are limited to x8-x15 (s0, s1, a0-a5). */
#include "test_macros.h"

TEST_BEGIN
    .option rvc

    /* c.ebreak needs a handler: note mcause/mepc, skip the 2-byte insn. */
    la t0, ctrap
    csrw mtvec, t0

TEST_GROUP("compressed: c.li/c.lui/c.addi/c.addiw/c.nop")
    TEST_CASE(1, a0, -32, c.li a0, -32)
    TEST_CASE(2, a0, 31, c.li a0, 31)
    TEST_CASE(3, a0, 0x1000, c.lui a0, 1)
    TEST_CASE(4, a0, 0x1f000, c.lui a0, 0x1f)
    TEST_CASE(5, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)     /* sign-extends */
    TEST_CASE(6, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
    TEST_CASE(7, a0, 9, c.li a0, 10; c.addi a0, -1)
    TEST_CASE(8, a0, 41, c.li a0, 10; c.addi a0, 31)
    TEST_CASE(9, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
    TEST_CASE(10, a0, 0xffffffff9abcdef0, li a0, 0x123456789abcdef0; c.addiw a0, 0)
    TEST_CASE(11, a0, 5, c.li a0, 5; c.nop)

TEST_GROUP("compressed: stack pointer forms")
    TEST_CASE(20, a2, 64, mv a1, sp; c.addi16sp sp, -64; sub a2, a1, sp)
    TEST_CASE(21, a2, 0, c.addi16sp sp, 64; sub a2, a1, sp)
    TEST_CASE(22, a2, 8, c.addi4spn a0, sp, 8; sub a2, a0, sp)
    TEST_CASE(23, a2, 1020, c.addi4spn a0, sp, 1020; sub a2, a0, sp)
    /* sp-relative stores and loads, in a scratch area below sp. */
    c.addi16sp sp, -32
    TEST_CASE(24, a2, 0x0123456789abcdef, li a0, 0x0123456789abcdef; c.sdsp a0, 8(sp); c.ldsp a2, 8(sp))
    TEST_CASE(25, a2, 0xffffffff89abcdef, li a0, 0x89abcdef; c.swsp a0, 16(sp); c.lwsp a2, 16(sp))  /* c.lwsp sign-extends */
    TEST_CASE(26, a2, 0x0123456789abcdef, c.ldsp a2, 8(sp))     /* the c.swsp wrote elsewhere */
    c.addi16sp sp, 32

TEST_GROUP("compressed: c.lw/c.ld/c.sw/c.sd")
    TEST_CASE(30, a0, 0xffffffff87654321, la a1, cdat; c.lw a0, 4(a1))      /* sign-extends */
    TEST_CASE(31, a0, 0x8765432112345678, la a1, cdat; c.ld a0, 0(a1))
    TEST_CASE(32, a0, 0x1111222233334444, la a1, cdat; c.ld a0, 8(a1))
    TEST_CASE(33, a2, 0xfffffffffedcba98, la a1, cbuf; li a0, 0xfedcba98; c.sw a0, 4(a1); c.lw a2, 4(a1))
    TEST_CASE(34, a2, 0x0000000100000002, la a1, cbuf; li a0, 0x0000000100000002; c.sd a0, 8(a1); c.ld a2, 8(a1))

TEST_GROUP("compressed: shifts and c.andi")
    TEST_CASE(40, a0, 0x8000000000000000, c.li a0, 1; c.slli a0, 63)
    TEST_CASE(41, a0, 0x200000000, c.li a0, 1; c.slli a0, 33)
    TEST_CASE(42, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
    TEST_CASE(43, a0, 0x00ffffffffffffff, c.li a0, -1; c.srli a0, 8)
    TEST_CASE(44, a0, 0xffffffff80000000, li a0, 0x8000000000000000; c.srai a0, 32)
    TEST_CASE(45, a0, 0x1f, li a0, 0x3e0; c.srai a0, 5)
    TEST_CASE(46, a0, 0xfffffffffffffff0, c.li a0, -1; c.andi a0, -16)
    TEST_CASE(47, a0, 0x15, li a0, 0x1235; c.andi a0, 31)

TEST_GROUP("compressed: register-register")
    TEST_CASE(50, a0, 0x1234, li a1, 0x1234; c.li a0, 0; c.mv a0, a1)
    TEST_CASE(51, a0, 0x1239, li a1, 0x1234; c.li a0, 5; c.add a0, a1)
    TEST_CASE(52, a0, -1, c.li a0, 5; c.li a1, 6; c.sub a0, a1)
    TEST_CASE(53, a0, 0x0ff0, li a0, 0x0f0f; li a1, 0x00ff; c.xor a0, a1)
    TEST_CASE(54, a0, 0x0fff, li a0, 0x0f0f; li a1, 0x00ff; c.or a0, a1)
    TEST_CASE(55, a0, 0x000f, li a0, 0x0f0f; li a1, 0x00ff; c.and a0, a1)
    TEST_CASE(56, a0, 0x7fffffff, li a0, 0x80000000; c.li a1, 1; c.subw a0, a1)
    TEST_CASE(57, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.li a1, 1; c.addw a0, a1)
    TEST_CASE(58, a0, 3, li a0, 0x100000001; li a1, 0x200000002; c.addw a0, a1)

TEST_GROUP("compressed: jumps and branches")
    /* c.j */
    li TESTNUM, 60
    c.j 91f
    j fail
91:
    /* c.beqz / c.bnez, taken and not taken. */
    li TESTNUM, 61
    c.li a0, 0
    c.beqz a0, 92f
    j fail
92: li TESTNUM, 62
    c.li a0, 1
    c.beqz a0, 93f
    c.j 94f
93: j fail
94: li TESTNUM, 63
    c.bnez a0, 95f
    j fail
95: li TESTNUM, 64
    c.li a0, 0
    c.bnez a0, 96f
    c.j 97f
96: j fail
97:
    /* c.jr */
    li TESTNUM, 65
    la t0, 98f
    c.jr t0
    j fail
98:
    /* c.jalr links to pc + 2. */
    li TESTNUM, 66
    la t0, 99f
81: c.jalr t0
    j fail
99: la a4, 81b
    addi a4, a4, 2
    CHECK_REG(ra, a4)
    /* A backward c.bnez loop. */
    TEST_CASE(67, a1, 4, c.li a0, 4; c.li a1, 0; 82: c.addi a1, 1; c.addi a0, -1; c.bnez a0, 82b)

TEST_GROUP("compressed: c.ebreak")
    li TESTNUM, 70
    li s9, 0
83: c.ebreak
    CHECK(s9, 3)                    /* mcause = breakpoint */
    la a4, 83b
    CHECK_REG(s8, a4)               /* mepc = the c.ebreak itself */

TEST_END

    .balign 4
ctrap:
    csrr s9, mcause
    csrr s8, mepc
    addi t0, s8, 2
    csrw mepc, t0
    mret

    .data
    .balign 8
cdat:   .dword 0x8765432112345678
        .dword 0x1111222233334444
    .bss
    .balign 8
cbuf:   .skip 16
