/* A extension (rv64): lr/sc success and failure, and every AMO in .w and .d
 * form.  A .w AMO uses the low 32 bits of rs2, returns the old memory word
 * sign-extended, and leaves the neighbouring word alone. */
#include "test_macros.h"

/* Run `inst rd, rs2, (mem)` with memory = init and rs2 = src; check rd gets
 * the old value (`old`, as the matching load sees it) and memory then holds
 * `new`.  The word after a .w target is a sentinel that must not change. */
#define TEST_AMO_W(n, inst, old, new, init, src)   \
    li TESTNUM, n;                                  \
    la a0, amo_buf;                                 \
    li a1, init;                                    \
    sw a1, 0(a0);                                   \
    li a1, 0x5a5a5a5a;                              \
    sw a1, 4(a0);                                   \
    li a1, src;                                     \
    inst a2, a1, (a0);                              \
    CHECK(a2, old);                                 \
    lw a3, 0(a0);                                   \
    CHECK(a3, new);                                 \
    lwu a3, 4(a0);                                  \
    CHECK(a3, 0x5a5a5a5a)

#define TEST_AMO_D(n, inst, old, new, init, src)   \
    li TESTNUM, n;                                  \
    la a0, amo_buf;                                 \
    li a1, init;                                    \
    sd a1, 0(a0);                                   \
    li a1, src;                                     \
    inst a2, a1, (a0);                              \
    CHECK(a2, old);                                 \
    ld a3, 0(a0);                                   \
    CHECK(a3, new)

TEST_BEGIN

TEST_GROUP("amo: lr/sc")
    /* lr.w sign-extends; sc.w after it succeeds (rd = 0) and stores. */
    li TESTNUM, 1
    la a0, amo_buf
    li a1, 0x80000001
    sw a1, 0(a0)
    lr.w a2, (a0)
    CHECK(a2, 0xffffffff80000001)
    li a1, 0x12345678
    sc.w a3, a1, (a0)
    CHECK(a3, 0)
    lw a4, 0(a0)
    CHECK(a4, 0x12345678)

    /* The reservation is gone after that sc: a second sc fails
     * (rd != 0) and memory keeps its value. */
    li TESTNUM, 2
    li a1, 0x11111111
    sc.w a3, a1, (a0)
    beqz a3, fail
    lw a4, 0(a0)
    CHECK(a4, 0x12345678)

    /* lr.d / sc.d. */
    li TESTNUM, 3
    li a1, 0x8000000000000001
    sd a1, 0(a0)
    lr.d a2, (a0)
    CHECK(a2, 0x8000000000000001)
    li a1, 0x0123456789abcdef
    sc.d a3, a1, (a0)
    CHECK(a3, 0)
    ld a4, 0(a0)
    CHECK(a4, 0x0123456789abcdef)

    /* sc.d to an address outside the reservation set fails. */
    li TESTNUM, 4
    lr.d a2, (a0)
    la a5, amo_far
    li a1, -1
    sd zero, 0(a5)
    sc.d a3, a1, (a5)
    beqz a3, fail
    ld a4, 0(a5)
    CHECK(a4, 0)

    /* sc.d with no lr at all (the failed sc above cleared it) fails. */
    li TESTNUM, 5
    sc.d a3, a1, (a0)
    beqz a3, fail
    ld a4, 0(a0)
    CHECK(a4, 0x0123456789abcdef)

    /* An lr/sc retry loop, the way software uses them: atomic increment. */
    li TESTNUM, 6
    li a1, 41
    sd a1, 0(a0)
91: lr.d a2, (a0)
    addi a2, a2, 1
    sc.d a3, a2, (a0)
    bnez a3, 91b
    ld a4, 0(a0)
    CHECK(a4, 42)

    /* Ordering bits do not change the result. */
    li TESTNUM, 7
    lr.w.aq a2, (a0)
    sc.w.rl a3, zero, (a0)
    CHECK(a3, 0)
    lw a4, 0(a0)
    CHECK(a4, 0)

TEST_GROUP("amo: .w")
    TEST_AMO_W(10, amoswap.w, 0xffffffff80000000, 0x12345678, 0x80000000, 0x12345678)
    TEST_AMO_W(11, amoswap.w, 1, -1, 1, 0x55555555ffffffff)   /* rs2 upper bits ignored */
    TEST_AMO_W(12, amoadd.w, 0x7fffffff, 0xffffffff80000000, 0x7fffffff, 1)   /* 32-bit wrap */
    TEST_AMO_W(13, amoadd.w, -1, 0, -1, 0x100000001)
    TEST_AMO_W(14, amoxor.w, 0xffffffffff00ff00, 0xfffffffff0f0f0f0, 0xff00ff00, 0x0ff00ff0)
    TEST_AMO_W(15, amoand.w, 0xffffffffff00ff00, 0x0f000f00, 0xff00ff00, 0x0ff00ff0)
    TEST_AMO_W(16, amoor.w, 0xffffffffff00ff00, 0xfffffffffff0fff0, 0xff00ff00, 0x0ff00ff0)
    TEST_AMO_W(17, amomin.w, 3, -5, 3, -5)
    TEST_AMO_W(18, amomin.w, 5, 2, 5, 0x100000002)            /* compares 32-bit values */
    TEST_AMO_W(19, amomax.w, -5, 3, -5, 3)
    TEST_AMO_W(20, amomax.w, 0, 0, 0, 0xffffffff)             /* 0xffffffff is -1 */
    TEST_AMO_W(21, amominu.w, -5, 3, 0xfffffffb, 3)
    TEST_AMO_W(22, amominu.w, 5, 1, 5, 0xffffffff00000001)
    TEST_AMO_W(23, amomaxu.w, 3, -5, 3, 0xfffffffb)
    TEST_AMO_W(24, amomaxu.w, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x100000000)
    TEST_AMO_W(25, amoadd.w.aqrl, 40, 42, 40, 2)

TEST_GROUP("amo: .d")
    TEST_AMO_D(30, amoswap.d, 0x8000000000000000, 0x0123456789abcdef, 0x8000000000000000, 0x0123456789abcdef)
    TEST_AMO_D(31, amoadd.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 1)
    TEST_AMO_D(32, amoadd.d, 0xffffffff, 0x100000000, 0xffffffff, 1)   /* carries past bit 31 */
    TEST_AMO_D(33, amoxor.d, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
    TEST_AMO_D(34, amoand.d, 0xff00ff00ff00ff00, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
    TEST_AMO_D(35, amoor.d, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
    TEST_AMO_D(36, amomin.d, 3, -5, 3, -5)
    TEST_AMO_D(37, amomin.d, 0xffffffff, 0xffffffff, 0xffffffff, 0x100000000)  /* 64-bit compare */
    TEST_AMO_D(38, amomax.d, -5, 3, -5, 3)
    TEST_AMO_D(39, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_AMO_D(40, amominu.d, -5, 3, -5, 3)
    TEST_AMO_D(41, amominu.d, 0x100000000, 0xffffffff, 0x100000000, 0xffffffff)
    TEST_AMO_D(42, amomaxu.d, 3, -5, 3, -5)
    TEST_AMO_D(43, amomaxu.d, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_AMO_D(44, amoor.d.aq, 1, 3, 1, 2)

TEST_GROUP("amo: register corners")
    /* rd = x0: the AMO still writes memory. */
    TEST_CASE(50, a3, 10, la a0, amo_buf; li a1, 7; sd a1, 0(a0); li a1, 3; amoadd.d x0, a1, (a0); ld a3, 0(a0))
    /* rd == rs2: rd gets the old value, memory the old rs2. */
    TEST_CASE(51, a1, 7, la a0, amo_buf; li a1, 7; sd a1, 0(a0); li a1, 9; amoswap.d a1, a1, (a0))
    TEST_CASE(52, a3, 9, ld a3, 0(a0))
    /* A .w AMO on the upper word of a doubleword. */
    TEST_CASE(53, a3, 0x0000000600000001, la a0, amo_buf; li a1, 0x0000000500000001; sd a1, 0(a0); \
              li a1, 1; addi a4, a0, 4; amoadd.w x0, a1, (a4); ld a3, 0(a0))

TEST_END

    .bss
    .balign 64
amo_buf: .skip 64
    .skip 64
amo_far: .skip 8
