/* The virt platform's PLIC and goldfish RTC, as on QEMU's virt machine.
 *
 * The UART's transmitter-empty interrupt (IER.ETBEI with an empty THR) is
 * PLIC source 10; context 0 is hart 0's machine external interrupt. The
 * handler records mcause (s2), claims (s4 = the source), silences the UART,
 * completes the claim and counts the interrupt (s5).
 *
 * Only behaviour QEMU and the PLIC specification agree on is checked: a
 * source above the threshold interrupts, one at the threshold does not until
 * the threshold drops; claims return the source. */
#include "test_macros.h"

#define PLIC_PRIORITY10 (0x0c000000 + 4 * 10)
#define PLIC_ENABLE0    (0x0c000000 + 0x2000)
#define PLIC_THRESHOLD0 (0x0c000000 + 0x200000)
#define PLIC_CLAIM0     (0x0c000000 + 0x200004)
#define UART_IER        0x10000001
#define UART_IER_THRE   2
#define RTC_TIME_LOW    0x00101000
#define MIE_MEIE        (1 << 11)
#define MSTATUS_MIE     0x8
#define MCAUSE_MEI      0x800000000000000b

/* Spins until the handler has run (s5 != 0) or a bound passes. */
#define WAIT_FOR_INTERRUPT(bound)   \
    li a2, bound;                   \
90002: bnez s5, 90003f;             \
    addi a2, a2, -1;                \
    bnez a2, 90002b;                \
90003:

TEST_BEGIN
    la t0, handler
    csrw mtvec, t0              /* direct mode */
    csrw mie, zero
    li s5, 0
    li s4, 0
    li s2, 0

TEST_GROUP("plic: uart interrupt through the plic")
    li TESTNUM, 1
    li t0, PLIC_PRIORITY10
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_ENABLE0
    li t1, 1 << 10
    sw t1, 0(t0)
    li t0, PLIC_THRESHOLD0
    sw zero, 0(t0)
    li t0, MIE_MEIE
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    li t0, UART_IER
    li t1, UART_IER_THRE
    sb t1, 0(t0)                /* the THR is empty: the UART interrupts */
    WAIT_FOR_INTERRUPT(1000000)
    csrci mstatus, MSTATUS_MIE
    CHECK(s5, 1)
    li TESTNUM, 2
    CHECK(s4, 10)
    li TESTNUM, 3
    CHECK(s2, MCAUSE_MEI)

TEST_GROUP("plic: the threshold holds a source back")
    li TESTNUM, 10
    li t0, PLIC_THRESHOLD0
    li t1, 1
    sw t1, 0(t0)                /* priority 1 is not above threshold 1 */
    li s5, 0
    csrsi mstatus, MSTATUS_MIE
    li t0, UART_IER
    li t1, UART_IER_THRE
    sb t1, 0(t0)
    WAIT_FOR_INTERRUPT(20000)
    CHECK(s5, 0)
    li TESTNUM, 11
    li t0, PLIC_THRESHOLD0
    sw zero, 0(t0)              /* now it is above: taken at once */
    WAIT_FOR_INTERRUPT(1000000)
    csrci mstatus, MSTATUS_MIE
    CHECK(s5, 1)
    li TESTNUM, 12
    CHECK(s4, 10)

TEST_GROUP("rtc: nanoseconds since 1970 that advance")
    li TESTNUM, 20
    li t0, RTC_TIME_LOW
    lwu a0, 0(t0)               /* reading TIME_LOW latches TIME_HIGH */
    lwu a1, 4(t0)
    slli a1, a1, 32
    or a0, a0, a1
    li t1, 0x16345785D8A0000    /* 10^17 ns: after March 1973 */
    bltu a0, t1, fail
    li TESTNUM, 21
    li a2, 100000
91: addi a2, a2, -1
    bnez a2, 91b
    lwu a3, 0(t0)
    lwu a1, 4(t0)
    slli a1, a1, 32
    or a3, a3, a1
    bgeu a0, a3, fail
TEST_END

    .balign 4
handler:
    csrr s2, mcause
    li t0, PLIC_CLAIM0
    lw s4, 0(t0)                /* claim */
    li t1, UART_IER
    sb zero, 0(t1)              /* silence the UART */
    sw s4, 0(t0)                /* complete */
    addi s5, s5, 1
    mret
