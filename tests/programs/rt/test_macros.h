/* One-line self-checks for the assembly test programs.
 *
 * A program looks like:
 *
 *     #include "test_macros.h"
 *     TEST_BEGIN
 *     TEST_GROUP("rv64i alu: add/sub")
 *     TEST_RR(1, add, 3, 1, 2)
 *     ...
 *     TEST_END
 *
 * Every check loads the test number into TESTNUM first; the first failing
 * check jumps to `fail`, which prints "FAIL: test N" and exits with N.
 * Numbers must be unique in a program and stay in 1..254 (the exit status
 * only carries 8 bits; 255 means "out of range", see rt_test_fail).
 * TEST_GROUP prints a line on the UART, and TEST_END prints "PASS" and exits 0.
 *
 * Register use: operands in a0/a1, results in a2, the expected value in t6.
 * TESTNUM is s11 because it must survive the calls to rt_puts.  Checks use
 * "beq + j fail" rather than "bne fail" so that `fail` may lie beyond the
 * +-4 KiB branch range.  Numeric labels 9xxxx are reserved for the macros.
 */
#ifndef RT_TEST_MACROS_H
#define RT_TEST_MACROS_H

#include "asm.h"
#include "platform.h"

#define TESTNUM s11

/* Start of the program: main, built without compressed instructions so
 * link values and instruction sizes are the plain 4-byte ones (the C test
 * turns rvc back on where it wants it). */
#define TEST_BEGIN          \
    .option norvc;          \
    .text;                  \
    .globl main;            \
    .balign 4;              \
main:                       \
    li TESTNUM, 0;

/* Success path, then the shared failure path. */
#define TEST_END            \
    call rt_test_pass;      \
fail:                       \
    mv a0, TESTNUM;         \
    call rt_test_fail;

/* Print one line ("name\n") on the UART. */
#define TEST_GROUP(name)                            \
    .pushsection .rodata.test_groups, "a";          \
90000: .ascii name; .asciz "\n";                     \
    .popsection;                                    \
    la a0, 90000b;                                  \
    call rt_puts;

/* Compare a register with an expected constant (jumps to fail on mismatch). */
#define CHECK(reg, expect)      \
    li t6, expect;              \
    beq reg, t6, 90001f;        \
    j fail;                     \
90001:

/* Compare two registers. */
#define CHECK_REG(reg, expect_reg)  \
    beq reg, expect_reg, 90001f;    \
    j fail;                         \
90001:

/* Generic case: run `code` (may contain ';'), then check `reg`. */
#define TEST_CASE(n, reg, expect, code...)  \
    li TESTNUM, n;                          \
    code;                                   \
    CHECK(reg, expect)

/* Register-register and register-immediate ALU forms. */
#define TEST_RR(n, inst, expect, a, b) \
    TEST_CASE(n, a2, expect, li a0, a; li a1, b; inst a2, a0, a1)
#define TEST_RI(n, inst, expect, a, imm) \
    TEST_CASE(n, a2, expect, li a0, a; inst a2, a0, imm)

/* Destination equal to a source, both sources the same register. */
#define TEST_RR_DEST_SRC1(n, inst, expect, a, b) \
    TEST_CASE(n, a0, expect, li a0, a; li a1, b; inst a0, a0, a1)
#define TEST_RR_DEST_SRC2(n, inst, expect, a, b) \
    TEST_CASE(n, a1, expect, li a0, a; li a1, b; inst a1, a0, a1)
#define TEST_RR_SAME_SRC(n, inst, expect, a) \
    TEST_CASE(n, a2, expect, li a0, a; inst a2, a0, a0)
#define TEST_RI_DEST_SRC(n, inst, expect, a, imm) \
    TEST_CASE(n, a0, expect, li a0, a; inst a0, a0, imm)

/* x0 as a source reads 0; x0 as a destination discards the result. */
#define TEST_RR_ZERO_SRC1(n, inst, expect, b) \
    TEST_CASE(n, a2, expect, li a1, b; inst a2, x0, a1)
#define TEST_RR_ZERO_DEST(n, inst, a, b) \
    TEST_CASE(n, x0, 0, li a0, a; li a1, b; inst x0, a0, a1)

/* Loads: `inst` at label+off.  Stores: store `val` with `st`, read it back
 * with `ld` and expect `expect`. */
#define TEST_LOAD(n, inst, expect, label, off) \
    TEST_CASE(n, a2, expect, la a0, label; inst a2, off(a0))
#define TEST_STORE(n, st, ld, expect, val, label, off) \
    TEST_CASE(n, a2, expect, la a0, label; li a1, val; st a1, off(a0); ld a2, off(a0))

/* Conditional branches, forward. */
#define TEST_BR_TAKEN(n, inst, a, b)    \
    li TESTNUM, n;                      \
    li a0, a;                           \
    li a1, b;                           \
    inst a0, a1, 90002f;                \
    j fail;                             \
90002:
#define TEST_BR_NOT_TAKEN(n, inst, a, b) \
    li TESTNUM, n;                      \
    li a0, a;                           \
    li a1, b;                           \
    inst a0, a1, 90003f;                \
    j 90004f;                           \
90003: j fail;                          \
90004:

#endif
