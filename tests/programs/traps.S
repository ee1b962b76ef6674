/* Synchronous traps in machine mode (direct mtvec): ecall, ebreak, mret's
 * mstatus handling, illegal instructions (mtval = the instruction bits),
 * misaligned accesses, and access faults on unmapped addresses.
 *
 * What QEMU 7.2 (virt, the reference) does, and so what silica must do:
 *  - illegal instruction: mtval = the instruction bits, 16 bits for a
 *    compressed encoding, 32 for a full one; 0 only for the all-zero
 *    instruction.
 *  - ecall and ebreak: mtval = 0 (the spec also allows the pc for ebreak).
 *  - misaligned plain loads/stores: no trap; done byte by byte in
 *    little-endian order (the spec leaves the choice to the EEI).
 *  - misaligned lr/AMO: trap with mtval = the address; lr gives mcause 4
 *    (load address misaligned); QEMU 7.2 also gives 4 for AMOs, where the
 *    spec says 6 (store/AMO address misaligned), so the test accepts both.
 *  - unmapped addresses (0x0-0xfff on virt): load access fault (5), store
 *    access fault (7), instruction access fault (1); mtval = the address.
 *
 * The handler records mcause/mepc/mtval/mstatus in s2-s5, counts traps in
 * s6 and resumes after the trapping instruction -- or at s7 if that is
 * non-zero (needed when mepc itself is not readable, e.g. a fetch fault). */
#include "test_macros.h"

#define MSTATUS_MIE  0x8
#define MSTATUS_MPIE 0x80
#define MSTATUS_MPP  0x1800

/* Expect exactly one trap since the last TRAP_RESET, with this cause. */
#define TRAP_RESET li s6, 0; li s2, -1; li s3, -1; li s4, -1
#define CHECK_TRAP(cause)   \
    CHECK(s6, 1);           \
    CHECK(s2, cause)

TEST_BEGIN
    la t0, trap_handler
    csrw mtvec, t0
    csrw mie, zero              /* no interrupts in this program */
    li s7, 0

TEST_GROUP("traps: ecall/ebreak/mret")
    li TESTNUM, 1
    TRAP_RESET
    csrsi mstatus, MSTATUS_MIE
91: ecall
    CHECK_TRAP(11)              /* environment call from M-mode */
    la a4, 91b
    CHECK_REG(s3, a4)           /* mepc = the ecall */
    CHECK(s4, 0)
    /* In the handler: MIE cleared, its old value in MPIE, MPP = M. */
    li TESTNUM, 2
    li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a2, s5, a1
    CHECK(a2, MSTATUS_MPIE | MSTATUS_MPP)
    /* After mret: MIE restored from MPIE, MPIE set. */
    li TESTNUM, 3
    csrr a1, mstatus
    andi a2, a1, MSTATUS_MIE | MSTATUS_MPIE
    CHECK(a2, MSTATUS_MIE | MSTATUS_MPIE)
    /* Same with MIE clear beforehand: it stays clear after mret. */
    li TESTNUM, 4
    csrci mstatus, MSTATUS_MIE
    ecall
    csrr a1, mstatus
    andi a2, a1, MSTATUS_MIE
    CHECK(a2, 0)
    andi a2, s5, MSTATUS_MPIE   /* what the handler saw */
    CHECK(a2, 0)

    li TESTNUM, 5
    TRAP_RESET
92: ebreak
    CHECK_TRAP(3)               /* breakpoint */
    la a4, 92b
    CHECK_REG(s3, a4)
    beqz s4, 93f                /* mtval: 0 (QEMU) or the pc */
    CHECK_REG(s4, a4)
93:

TEST_GROUP("traps: illegal instruction")
    /* A custom-0 opcode nothing implements. */
    li TESTNUM, 10
    TRAP_RESET
94: .4byte 0x1234500b
    CHECK_TRAP(2)
    la a4, 94b
    CHECK_REG(s3, a4)
    CHECK(s4, 0x1234500b)
    /* An F instruction (fadd.s f1, f2, f3): no F here (QEMU has F, but
     * mstatus.FS is off at reset, so it traps the same way). */
    TEST_CASE(11, s4, 0x003100d3, TRAP_RESET; .4byte 0x003100d3; CHECK_TRAP(2))
    /* Writing a read-only CSR (csrw mvendorid, zero). */
    TEST_CASE(12, s4, 0xf1101073, TRAP_RESET; csrw mvendorid, zero; CHECK_TRAP(2))
    /* A CSR number nothing implements (csrr a0, 0x7c0). */
    TEST_CASE(13, s4, 0x7c002573, TRAP_RESET; csrr a0, 0x7c0; CHECK_TRAP(2))
    /* The all-zero instruction is a (16-bit) illegal instruction. */
    li TESTNUM, 14
    TRAP_RESET
95: .2byte 0x0000
    .2byte 0x0001               /* c.nop, to keep the 4-byte alignment */
    CHECK_TRAP(2)
    la a4, 95b
    CHECK_REG(s3, a4)
    CHECK(s4, 0)
    /* Reserved compressed encodings: mtval holds just the 16 bits.
     * 0x0004 is c.addi4spn with a zero immediate; 0x6081 is c.lui ra, 0. */
    TEST_CASE(15, s4, 0x0004, TRAP_RESET; .2byte 0x0004; .2byte 0x0001; CHECK_TRAP(2))
    TEST_CASE(16, s4, 0x6081, TRAP_RESET; .2byte 0x6081; .2byte 0x0001; CHECK_TRAP(2))

TEST_GROUP("traps: misaligned load/store (no trap on QEMU)")
    /* mis_buf bytes: 00 01 02 03 ... 0f */
    TEST_CASE(20, a2, 0x04030201, TRAP_RESET; la a0, mis_buf; lw a2, 1(a0); CHECK(s6, 0))
    TEST_CASE(21, a2, 0x0a09080706050403, TRAP_RESET; la a0, mis_buf; ld a2, 3(a0); CHECK(s6, 0))
    TEST_CASE(22, a2, 0x0201, TRAP_RESET; la a0, mis_buf; lh a2, 1(a0); CHECK(s6, 0))
    TEST_CASE(23, a2, 0xffffffff8f0e0d0c, TRAP_RESET; la a0, mis_buf; li a1, 0x8f; sb a1, 15(a0); lw a2, 12(a0); \
        lwu a3, 13(a0); CHECK(a3, 0x8f0e0d); CHECK(s6, 0))
    /* Stores: write across doubleword boundaries, read back aligned. */
    TEST_CASE(24, a2, 0xbbccdd0403020100, TRAP_RESET; la a0, mis_buf; li a1, 0xaabbccdd; sw a1, 5(a0); \
        ld a2, 0(a0); ld a3, 8(a0); CHECK(a3, 0x8f0e0d0c0b0a09aa); CHECK(s6, 0))
    TEST_CASE(25, a2, 0x2211000000000000, TRAP_RESET; la a0, mis_buf + 16; sd zero, 0(a0); sd zero, 8(a0); \
        li a1, 0x8877665544332211; sd a1, 6(a0); ld a2, 0(a0); ld a3, 8(a0); CHECK(a3, 0x0000887766554433); CHECK(s6, 0))
    TEST_CASE(26, a2, 0xffffffffffffbeef, TRAP_RESET; la a0, mis_buf + 16; li a1, 0xbeef; sh a1, 7(a0); \
        lh a2, 7(a0); CHECK(s6, 0))

TEST_GROUP("traps: misaligned lr/amo")
    li TESTNUM, 30
    TRAP_RESET
    la a0, mis_buf + 2
    lr.w a2, (a0)
    CHECK_TRAP(4)               /* load address misaligned */
    CHECK_REG(s4, a0)
#define CHECK_AMO_MISALIGNED        \
    CHECK(s6, 1);                   \
    CHECK_REG(s4, a0);              \
    li a1, 4;                       \
    beq s2, a1, 90005f;             \
    CHECK(s2, 6);                   \
90005:
    TEST_CASE(31, s6, 1, TRAP_RESET; la a0, mis_buf + 2; amoadd.w a2, zero, (a0); CHECK_AMO_MISALIGNED)
    TEST_CASE(32, s6, 1, TRAP_RESET; la a0, mis_buf + 4; amoswap.d a2, zero, (a0); CHECK_AMO_MISALIGNED)

TEST_GROUP("traps: access faults")
    li TESTNUM, 40
    TRAP_RESET
96: ld a2, 0(zero)
    CHECK_TRAP(5)               /* load access fault */
    la a4, 96b
    CHECK_REG(s3, a4)
    CHECK(s4, 0)
    TEST_CASE(41, s4, 0x808, TRAP_RESET; li a0, 0x800; lw a2, 8(a0); CHECK_TRAP(5))
    TEST_CASE(42, s4, 0x10, TRAP_RESET; li a0, 0x10; sd a0, 0(a0); CHECK_TRAP(7))   /* store access fault */
    /* Jump to an unmapped address: instruction access fault, mepc = mtval
     * = the target; resume at 97. */
    li TESTNUM, 43
    TRAP_RESET
    la s7, 97f
    li t0, 0x100
    jr t0
    j fail
97: CHECK_TRAP(1)
    CHECK(s3, 0x100)
    CHECK(s4, 0x100)

TEST_END

    .balign 4
trap_handler:
    csrr s2, mcause
    csrr s3, mepc
    csrr s4, mtval
    csrr s5, mstatus
    addi s6, s6, 1
    beqz s7, 1f
    csrw mepc, s7               /* resume where the test asked */
    li s7, 0
    mret
1:  lhu t0, 0(s3)               /* skip the instruction: 2 or 4 bytes */
    andi t0, t0, 3
    li t1, 3
    addi t2, s3, 2
    bne t0, t1, 2f
    addi t2, s3, 4
2:  csrw mepc, t2
    mret

    .data
    .balign 16
mis_buf:
    .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .skip 32
