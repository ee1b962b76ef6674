/* Interrupts through a vectored mtvec and the CLINT: the machine timer
 * (mtime/mtimecmp) and the machine software interrupt (msip).
 * In vectored mode (mtvec.MODE = 1) an interrupt with cause N enters at
 * base + 4*N; exceptions still enter at base.  Each vector slot records
 * which slot it was (s4) before the common handler runs, so the tests can
 * see that the hardware picked the right entry.
 *
 * Common handler: s2 = mcause, s3 = mepc, s5 += 1 (trap count), and the
 * interrupt source is silenced (timer: mtimecmp = -1; software: msip = 0);
 * the order of interrupts taken is kept in s6 (one hex digit per trap). */
#include "test_macros.h"

#define MIE_MSIE   (1 << 3)
#define MIE_MTIE   (1 << 7)
#define MSTATUS_MIE 0x8
#define IRQ_MSI    3
#define IRQ_MTI    7
/* Waits are bounded by mtime, not by iterations (QEMU spins very fast):
 * give up 1 s (10^7 ticks of the 10 MHz mtime) after the deadline.  That
 * much because QEMU's mtime is host time, and on a busy host the thread
 * that raises the interrupt can be kept off the CPU for many milliseconds. */
#define GRACE      10000000

TEST_BEGIN
    /* Timer quiet first: at reset mtimecmp = 0, so MTIP is already pending. */
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    la t0, vectors
    ori t0, t0, 1               /* MODE = vectored */
    csrw mtvec, t0
    csrw mie, zero
    li s5, 0
    li s6, 0

TEST_GROUP("interrupts: clint mtime")
    /* mtime counts up (10 MHz); also check mtvec kept MODE = vectored. */
    li TESTNUM, 1
    li t0, CLINT_MTIME
    ld a0, 0(t0)
    li a2, 1000
91: addi a2, a2, -1
    bnez a2, 91b
    ld a1, 0(t0)
    bgeu a0, a1, fail
    TEST_CASE(2, a2, 1, csrr a1, mtvec; andi a2, a1, 3)

TEST_GROUP("interrupts: timer, vectored")
    /* mtimecmp = now + 1000 ticks (100 us), enable MTIE and MIE, spin. */
    li TESTNUM, 10
    li t0, CLINT_MTIME
    ld a0, 0(t0)
    addi a0, a0, 1000
    li t0, CLINT_MTIMECMP
    sd a0, 0(t0)
    li t0, MIE_MTIE
    csrw mie, t0
    li s5, 0
    li a2, GRACE
    add a2, a0, a2              /* give-up time */
    li t0, CLINT_MTIME
    csrsi mstatus, MSTATUS_MIE
92: bnez s5, 93f
    ld a1, 0(t0)
    bltu a1, a2, 92b
    j fail                      /* no interrupt arrived */
93: csrci mstatus, MSTATUS_MIE
    CHECK(s5, 1)
    CHECK(s2, MCAUSE_INT | IRQ_MTI)
    CHECK(s4, IRQ_MTI)          /* entered at base + 4*7 */
    /* mepc is the interrupted instruction, inside the spin loop. */
    li TESTNUM, 11
    la a0, 92b
    la a1, 93b
    bltu s3, a0, fail
    bgeu s3, a1, fail
    /* Writing mtimecmp (in the handler) cleared MTIP. */
    TEST_CASE(12, a2, 0, csrr a1, mip; andi a2, a1, MIE_MTIE)

TEST_GROUP("interrupts: wfi wakes with mstatus.MIE clear")
    /* With MIE clear, a pending enabled interrupt ends wfi without a trap;
     * setting MIE then takes it at once. */
    li TESTNUM, 20
    li s5, 0
    li t0, CLINT_MTIME
    ld a0, 0(t0)
    addi a0, a0, 500
    li t0, CLINT_MTIMECMP
    sd a0, 0(t0)
    li t0, MIE_MTIE
    csrw mie, t0
    li a2, GRACE
    add a2, a0, a2
    li t0, CLINT_MTIME
94: wfi                         /* may also return early: loop until pending */
    csrr a1, mip
    andi a1, a1, MIE_MTIE
    bnez a1, 95f
    ld a1, 0(t0)
    bltu a1, a2, 94b
    j fail
95: CHECK(s5, 0)                /* not taken yet */
    li TESTNUM, 21
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK(s5, 1)
    CHECK(s2, MCAUSE_INT | IRQ_MTI)

TEST_GROUP("interrupts: software (msip), vectored")
    li TESTNUM, 30
    li s5, 0
    li t0, MIE_MSIE
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    /* MSIP shows up in mip. */
    csrr a1, mip
    andi a2, a1, MIE_MSIE
    CHECK(a2, MIE_MSIE)
    li TESTNUM, 31
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK(s5, 1)
    CHECK(s2, MCAUSE_INT | IRQ_MSI)
    CHECK(s4, IRQ_MSI)          /* entered at base + 4*3 */
    TEST_CASE(32, a2, 0, csrr a1, mip; andi a2, a1, MIE_MSIE)   /* cleared by msip = 0 */

TEST_GROUP("interrupts: priority and exceptions")
    /* Software and timer both pending: MSI (3) goes before MTI (7). */
    li TESTNUM, 40
    li s5, 0
    li s6, 0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)              /* timer pending now */
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    li t0, MIE_MSIE | MIE_MTIE
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK(s5, 2)
    CHECK(s6, 0x37)             /* first 3, then 7 */
    /* An exception in vectored mode enters at base (slot 0). */
    li TESTNUM, 41
    csrw mie, zero
    li s4, -1
    ecall
    CHECK(s2, 11)
    CHECK(s4, 0)

TEST_END

/* The vector table: 4-byte slots from a 256-byte aligned base. */
    .balign 256
vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j slot\n
    .endr
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
slot\n: li s4, \n
    j handler
    .endr

handler:
    csrr s2, mcause
    csrr s3, mepc
    addi s5, s5, 1
    slli s6, s6, 4              /* log the cause, one hex digit per trap */
    andi t0, s2, 0xf
    or s6, s6, t0
    bltz s2, 1f                 /* interrupt: bit XLEN-1 set */
    addi s3, s3, 4              /* exception (only ecall here): skip it */
    csrw mepc, s3
    mret
1:  li t0, MCAUSE_INT | IRQ_MTI
    bne s2, t0, 2f
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    mret
2:  li t0, CLINT_MSIP
    sw zero, 0(t0)
    mret
