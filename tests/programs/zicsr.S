/* Zicsr: the six CSR instructions on mscratch (old value out, new value in,
 * x0 source/destination special cases), reading the ID CSRs, and the
 * mcycle/minstret counters moving forward.  XLEN-neutral: built as
 * rv64_zicsr and rv32_zicsr. */
#include "test_macros.h"

TEST_BEGIN

TEST_GROUP("zicsr: csrrw/csrrs/csrrc")
    TEST_CASE(1, a2, 0x12345678, li a1, 0x12345678; csrw mscratch, a1; csrr a2, mscratch)
    /* csrrw returns the old value and writes the new one. */
    TEST_CASE(2, a2, 0x12345678, li a1, -1; csrrw a2, mscratch, a1)
    TEST_CASE(3, a2, -1, csrr a2, mscratch)
    /* csrrs sets the bits of rs1, csrrc clears them. */
    TEST_CASE(4, a2, 0xf0, li a1, 0xf0; csrw mscratch, a1; li a1, 0x0f; csrrs a2, mscratch, a1)
    TEST_CASE(5, a2, 0xff, csrr a2, mscratch)
    TEST_CASE(6, a2, 0xff, li a1, 0x3c; csrrc a2, mscratch, a1)
    TEST_CASE(7, a2, 0xc3, csrr a2, mscratch)
    /* rs1 = x0: csrrs/csrrc only read. */
    TEST_CASE(8, a2, 0xc3, csrrs a2, mscratch, x0; csrrc a3, mscratch, x0; csrr a2, mscratch)
    /* rd = x0: csrrw only writes. */
    TEST_CASE(9, a2, 0x55, li a1, 0x55; csrrw x0, mscratch, a1; csrr a2, mscratch)
    /* rd == rs1: the old value lands in rd after rs1 was read (a swap). */
    TEST_CASE(10, a0, 0x55, li a0, 0x77; csrrw a0, mscratch, a0)
    TEST_CASE(11, a2, 0x77, csrr a2, mscratch)
    /* Full-width value. */
    TEST_CASE(12, a2, V(0x8000000000000001, 0x80000001), li a1, V(0x8000000000000001, 0x80000001); csrw mscratch, a1; csrr a2, mscratch)

TEST_GROUP("zicsr: csrrwi/csrrsi/csrrci")
    TEST_CASE(20, a2, V(0x8000000000000001, 0x80000001), csrrwi a2, mscratch, 0x1f)
    TEST_CASE(21, a2, 0x1f, csrr a2, mscratch)
    TEST_CASE(22, a2, 0x1f, csrrci a2, mscratch, 0x11)
    TEST_CASE(23, a2, 0x0e, csrr a2, mscratch)
    TEST_CASE(24, a2, 0x0e, csrrsi a2, mscratch, 0x10)
    TEST_CASE(25, a2, 0x1e, csrr a2, mscratch)
    /* uimm = 0: csrrsi/csrrci only read. */
    TEST_CASE(26, a2, 0x1e, csrrsi a3, mscratch, 0; csrrci a3, mscratch, 0; csrr a2, mscratch)
    TEST_CASE(27, a2, 0, csrwi mscratch, 0; csrr a2, mscratch)

TEST_GROUP("zicsr: id registers")
    /* misa: MXL (top two bits) = 1 for rv32, 2 for rv64; I, M, A, C present.
     * Other letters differ (QEMU also reports F, D, S, U, ...). */
    TEST_CASE(30, a2, V(2, 1), csrr a1, misa; srli a2, a1, XLEN - 2)
#define MISA_BIT(letter) (1 << ((letter) - 'A'))
    TEST_CASE(31, a2, MISA_BIT('I') | MISA_BIT('M') | MISA_BIT('A') | MISA_BIT('C'), \
        csrr a1, misa; li a3, MISA_BIT('I') | MISA_BIT('M') | MISA_BIT('A') | MISA_BIT('C'); and a2, a1, a3)
    TEST_CASE(32, a2, 0, csrr a2, mhartid)      /* single hart */
    TEST_CASE(33, a2, 0, csrr a2, mvendorid)    /* QEMU virt: 0 (not implemented) */
    /* marchid/mimpid exist (values are implementation-specific). */
    TEST_CASE(34, x0, 0, csrr a2, marchid; csrr a2, mimpid)

TEST_GROUP("zicsr: mstatus/mtvec/mepc")
    /* mstatus.MIE (bit 3) set and cleared with the immediate forms; mie = 0
     * so no interrupt can be taken. */
    TEST_CASE(40, a2, 8, csrw mie, zero; csrsi mstatus, 8; csrr a1, mstatus; andi a2, a1, 8)
    TEST_CASE(41, a2, 0, csrci mstatus, 8; csrr a1, mstatus; andi a2, a1, 8)
    /* mtvec and mepc hold aligned addresses. */
    TEST_CASE(42, a2, 0x80001000, csrr s0, mtvec; li a1, 0x80001000; csrw mtvec, a1; csrr a2, mtvec; csrw mtvec, s0)
    TEST_CASE(43, a2, 0x80002004, li a1, 0x80002004; csrw mepc, a1; csrr a2, mepc)

TEST_GROUP("zicsr: mcycle/minstret")
    /* Both count up; only "strictly larger" is portable (QEMU without
     * -icount derives them from host time, not from retired instructions). */
    li TESTNUM, 50
    csrr a0, minstret
    .rept 16
    nop
    .endr
    csrr a1, minstret
    bgeu a0, a1, fail
    li TESTNUM, 51
    csrr a0, mcycle
    .rept 16
    nop
    .endr
    csrr a1, mcycle
    bgeu a0, a1, fail

TEST_END
