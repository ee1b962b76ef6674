/* rv64 loads and stores: every width, sign/zero extension, negative and
 * extreme 12-bit offsets, and that a narrow store leaves its neighbours
 * alone. */
#include "test_macros.h"

TEST_BEGIN

TEST_GROUP("ldst: loads sign/zero extension")
    /* tdat bytes, from offset 0: 11 22 33 44 55 66 77 88 */
    TEST_LOAD(1, lb,  0x11, tdat, 0)
    TEST_LOAD(2, lb,  0xffffffffffffff88, tdat, 7)
    TEST_LOAD(3, lbu, 0x88, tdat, 7)
    TEST_LOAD(4, lh,  0x2211, tdat, 0)
    TEST_LOAD(5, lh,  0xffffffffffff8877, tdat, 6)
    TEST_LOAD(6, lhu, 0x8877, tdat, 6)
    TEST_LOAD(7, lw,  0x44332211, tdat, 0)
    TEST_LOAD(8, lw,  0xffffffff88776655, tdat, 4)
    TEST_LOAD(9, lwu, 0x88776655, tdat, 4)
    TEST_LOAD(10, ld, 0x8877665544332211, tdat, 0)
    TEST_LOAD(11, ld, 0x0123456789abcdef, tdat2, 0)
    TEST_LOAD(12, lbu, 0xef, tdat2, 0)
    TEST_LOAD(13, lh, 0x0123, tdat2, 6)
    TEST_LOAD(14, lwu, 0x01234567, tdat2, 4)

TEST_GROUP("ldst: load offsets")
    TEST_LOAD(20, lb,  0xffffffffffffff88, tdat2, -1)
    TEST_LOAD(21, lhu, 0x8877, tdat2, -2)
    TEST_LOAD(22, lw,  0xffffffff88776655, tdat2, -4)
    TEST_LOAD(23, ld,  0x8877665544332211, tdat2, -8)
    TEST_LOAD(24, ld,  0x8877665544332211, tdat + 2048, -2048)
    TEST_LOAD(25, lbu, 0x11, tdat - 2047, 2047)
    TEST_LOAD(26, lwu, 0x89abcdef, tdat + 8, 0)
    /* The base register is also the destination. */
    TEST_CASE(27, a0, 0x8877665544332211, la a0, tdat; ld a0, 0(a0))
    /* A load into x0 is discarded. */
    TEST_CASE(28, x0, 0, la a0, tdat; ld x0, 0(a0))

TEST_GROUP("ldst: stores")
    TEST_STORE(30, sb, lb,  0xffffffffffffffaa, 0xaa, sbuf, 0)
    TEST_STORE(31, sb, lbu, 0x55, 0x1255, sbuf, 1)            /* only the low byte */
    TEST_STORE(32, sh, lh,  0xffffffffffffbeef, 0xbeef, sbuf, 2)
    TEST_STORE(33, sh, lhu, 0x1234, 0xabcd1234, sbuf, 6)
    TEST_STORE(34, sw, lw,  0xffffffffdeadbeef, 0xdeadbeef, sbuf, 8)
    TEST_STORE(35, sw, lwu, 0x87654321, 0x1287654321, sbuf, 12)
    TEST_STORE(36, sd, ld,  0x0123456789abcdef, 0x0123456789abcdef, sbuf, 16)
    TEST_STORE(37, sd, ld,  -2, -2, sbuf + 32, -8)             /* negative offset */
    TEST_STORE(38, sw, lw,  0x11223344, 0x11223344, sbuf + 2048, -2048)
    TEST_STORE(39, sb, lbu, 0x99, 0x99, sbuf - 2047, 2047)

TEST_GROUP("ldst: store widths")
    /* Fill a doubleword with ones, store a narrow zero into it, and read
     * the whole doubleword back: only the stored bytes may change. */
#define TEST_STORE_WIDTH(n, st, off, expect) \
    TEST_CASE(n, a2, expect, la a0, sbuf; li a1, -1; sd a1, 0(a0); st zero, off(a0); ld a2, 0(a0))
    TEST_STORE_WIDTH(40, sb, 3, 0xffffffff00ffffff)
    TEST_STORE_WIDTH(41, sh, 4, 0xffff0000ffffffff)
    TEST_STORE_WIDTH(42, sw, 4, 0x00000000ffffffff)
    TEST_STORE_WIDTH(43, sw, 0, 0xffffffff00000000)
    TEST_STORE_WIDTH(44, sb, 7, 0x00ffffffffffffff)
    /* Little-endian: bytes stored one by one read back as one word. */
    TEST_CASE(45, a2, 0x44332211, \
        la a0, sbuf; li a1, 0x11; sb a1, 0(a0); li a1, 0x22; sb a1, 1(a0); \
        li a1, 0x33; sb a1, 2(a0); li a1, 0x44; sb a1, 3(a0); lwu a2, 0(a0))

TEST_END

    .data
    .balign 8
tdat:   .dword 0x8877665544332211
tdat2:  .dword 0x0123456789abcdef
    .bss
    .balign 8
    .skip 2048              /* room for the -2048 store offset below sbuf */
sbuf:   .skip 64
    .skip 2048
