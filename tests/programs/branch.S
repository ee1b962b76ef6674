/* Conditional branches (taken and not taken, signed/unsigned edges), a
 * backward loop, and jal/jalr link values, offsets and bit-0 clearing.
 * XLEN-neutral: built as rv64_branch and rv32_branch. */
#include "test_macros.h"

#define MIN V(0x8000000000000000, 0x80000000)
#define MAX V(0x7fffffffffffffff, 0x7fffffff)

TEST_BEGIN

TEST_GROUP("branch: beq/bne")
    TEST_BR_TAKEN(1, beq, 0, 0)
    TEST_BR_TAKEN(2, beq, -1, -1)
    TEST_BR_NOT_TAKEN(3, beq, 0, 1)
    TEST_BR_NOT_TAKEN(4, beq, MIN, MAX)
    TEST_BR_TAKEN(5, bne, 0, 1)
    TEST_BR_TAKEN(6, bne, MIN, MAX)
    TEST_BR_NOT_TAKEN(7, bne, 5, 5)
    TEST_BR_NOT_TAKEN(8, bne, -1, -1)

TEST_GROUP("branch: blt/bge")
    TEST_BR_TAKEN(10, blt, -1, 0)
    TEST_BR_TAKEN(11, blt, 0, 1)
    TEST_BR_TAKEN(12, blt, MIN, MAX)
    TEST_BR_NOT_TAKEN(13, blt, 0, -1)
    TEST_BR_NOT_TAKEN(14, blt, 1, 1)
    TEST_BR_NOT_TAKEN(15, blt, MAX, MIN)
    TEST_BR_TAKEN(16, bge, 0, -1)
    TEST_BR_TAKEN(17, bge, 1, 1)
    TEST_BR_TAKEN(18, bge, MAX, MIN)
    TEST_BR_NOT_TAKEN(19, bge, -1, 0)
    TEST_BR_NOT_TAKEN(20, bge, MIN, MAX)

TEST_GROUP("branch: bltu/bgeu")
    TEST_BR_TAKEN(30, bltu, 0, -1)
    TEST_BR_TAKEN(31, bltu, 1, 2)
    TEST_BR_TAKEN(32, bltu, MAX, MIN)
    TEST_BR_NOT_TAKEN(33, bltu, -1, 0)
    TEST_BR_NOT_TAKEN(34, bltu, 2, 2)
    TEST_BR_NOT_TAKEN(35, bltu, MIN, MAX)
    TEST_BR_TAKEN(36, bgeu, -1, 0)
    TEST_BR_TAKEN(37, bgeu, 2, 2)
    TEST_BR_TAKEN(38, bgeu, MIN, MAX)
    TEST_BR_NOT_TAKEN(39, bgeu, 0, -1)
    TEST_BR_NOT_TAKEN(40, bgeu, MAX, MIN)

TEST_GROUP("branch: backward loop")
    /* A backward taken branch: five trips round the loop. */
    TEST_CASE(50, a2, 5, \
        li a0, 5; li a2, 0; \
        91: addi a2, a2, 1; addi a0, a0, -1; bnez a0, 91b)
    /* Two-register branch with both registers the same. */
    TEST_BR_TAKEN(51, bge, 7, 7)

TEST_GROUP("branch: jal/jalr")
    /* jal writes the address of the next instruction. */
    li TESTNUM, 60
92: jal a3, 93f
    j fail
93: la a4, 92b
    addi a4, a4, 4
    CHECK_REG(a3, a4)

    /* jal x0 (j) writes nothing; x0 stays 0. */
    li TESTNUM, 61
    j 94f
    j fail
94: CHECK(x0, 0)

    /* jalr: target = rs1 + imm, link = pc + 4. */
    li TESTNUM, 62
    la t0, 95f
96: jalr a3, 0(t0)
    j fail
95: la a4, 96b
    addi a4, a4, 4
    CHECK_REG(a3, a4)

    /* Positive and negative offsets. */
    li TESTNUM, 63
    la t0, 97f - 16
    jalr a3, 16(t0)
    j fail
97: li TESTNUM, 64
    la t0, 98f + 32
    jalr a3, -32(t0)
    j fail
98:
    /* Bit 0 of the target is cleared: odd base, and odd offset. */
    li TESTNUM, 65
    la t0, 99f
    addi t0, t0, 1
    jalr a3, 0(t0)
    j fail
99: li TESTNUM, 66
    la t0, 81f
    jalr a3, 1(t0)
    j fail
81:
    /* rd == rs1: the target uses the old value, then rd gets the link. */
    li TESTNUM, 67
    la t0, 82f
83: jalr t0, 0(t0)
    j fail
82: la a4, 83b
    addi a4, a4, 4
    CHECK_REG(t0, a4)

    /* call/ret through a real function. */
    TEST_CASE(68, a0, 42, li a0, 41; call incr)

TEST_END

incr:
    addi a0, a0, 1
    ret
