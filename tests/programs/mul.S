/* M extension: multiply high/low in all signednesses, divide and remainder
 * with the spec's divide-by-zero and overflow results (no traps), and (rv64)
 * the W forms.  XLEN-neutral: built as rv64_mul and rv32_mul.
 * X and Y are "random" negative operands whose high products differ in
 * every signedness; their expected values come from big-integer arithmetic
 * (and agree with QEMU). */
#include "test_macros.h"

#define MIN V(0x8000000000000000, 0x80000000)
#define MAX V(0x7fffffffffffffff, 0x7fffffff)
#define X   V(0x9876543210fedcba, 0x98765432)
#define Y   V(0xf0e1d2c3b4a59687, 0xf0e1d2c3)
#define W   V(0x3b9aca07, 0x3b9b)               /* a positive divisor */

TEST_BEGIN

TEST_GROUP("mul: mul")
    TEST_RR(1, mul, 0, 0, 0)
    TEST_RR(2, mul, 21, 3, 7)
    TEST_RR(3, mul, -21, -3, 7)
    TEST_RR(4, mul, 1, -1, -1)
    TEST_RR(5, mul, -2, MAX, 2)
    TEST_RR(6, mul, V(0x200000001, 0x00020001), V(0x100000001, 0x10001), V(0x100000001, 0x10001))
    TEST_RR(7, mul, V(0x96a09981579d6216, 0x13252616), X, Y)
    TEST_RR(8, mul, MIN, MIN, -1)
    TEST_RR_DEST_SRC1(9, mul, 143, 13, 11)
    TEST_RR_ZERO_DEST(10, mul, 13, 11)

TEST_GROUP("mul: mulh/mulhsu/mulhu")
    TEST_RR(11, mulh, 0, 0, 0)
    TEST_RR(12, mulh, 0, -1, -1)
    TEST_RR(13, mulh, -1, -1, 1)
    TEST_RR(14, mulh, V(0x4000000000000000, 0x40000000), MIN, MIN)
    TEST_RR(15, mulh, 0, MIN, -1)
    TEST_RR(16, mulh, V(0x3fffffffffffffff, 0x3fffffff), MAX, MAX)
    TEST_RR(17, mulh, V(0x061d457ec91470de, 0x061d457f), X, Y)
    TEST_RR(18, mulhsu, -1, -1, -1)             /* -1 * (2^XLEN - 1) */
    TEST_RR(19, mulhsu, 0, 1, -1)
    TEST_RR(20, mulhsu, MIN, MIN, -1)
    TEST_RR(21, mulhsu, -1, -2, 3)
    TEST_RR(22, mulhsu, V(0x9e9399b0da134d98, 0x9e9399b1), X, Y)
    TEST_RR(23, mulhu, -2, -1, -1)
    TEST_RR(24, mulhu, 1, -1, 2)
    TEST_RR(25, mulhu, 0, 3, 5)
    TEST_RR(26, mulhu, V(0x8f756c748eb8e41f, 0x8f756c74), X, Y)

TEST_GROUP("mul: div/divu")
    TEST_RR(30, div, 3, 20, 6)
    TEST_RR(31, div, -3, -20, 6)                /* rounds toward zero */
    TEST_RR(32, div, -3, 20, -6)
    TEST_RR(33, div, 3, -20, -6)
    TEST_RR(34, div, -1, 20, 0)                 /* divide by zero: all ones */
    TEST_RR(35, div, -1, MIN, 0)
    TEST_RR(36, div, MIN, MIN, -1)              /* overflow: the dividend */
    TEST_RR(37, div, 6, X, Y)
    TEST_RR(38, div, V(0xfffffffe434f029e, 0xfffe4351), X, W)
    TEST_RR(39, divu, 3, 20, 6)
    TEST_RR(40, divu, V(0x2aaaaaaaaaaaaaa7, 0x2aaaaaa7), -20, 6)
    TEST_RR(41, divu, -1, 20, 0)                /* 2^XLEN - 1 */
    TEST_RR(42, divu, 0, MIN, -1)
    TEST_RR(43, divu, 0, X, Y)
    TEST_RR(44, divu, V(0x28ed1fc26, 0x28ecf), X, W)

TEST_GROUP("mul: rem/remu")
    TEST_RR(50, rem, 2, 20, 6)
    TEST_RR(51, rem, -2, -20, 6)                /* sign of the dividend */
    TEST_RR(52, rem, 2, 20, -6)
    TEST_RR(53, rem, -2, -20, -6)
    TEST_RR(54, rem, 20, 20, 0)                 /* divide by zero: the dividend */
    TEST_RR(55, rem, -20, -20, 0)
    TEST_RR(56, rem, 0, MIN, -1)                /* overflow: zero */
    TEST_RR(57, rem, V(0xf32b639bd51d5590, 0xf32b63a0), X, Y)
    TEST_RR(58, rem, V(0xffffffffe4b91e68, 0xffffe727), X, W)
    TEST_RR(59, remu, 2, 20, 6)
    TEST_RR(60, remu, 2, -20, 6)
    TEST_RR(61, remu, 20, 20, 0)
    TEST_RR(62, remu, -1, -1, 0)
    TEST_RR(63, remu, X, X, Y)
    TEST_RR(64, remu, V(0x76efbb0, 0x27dd), X, W)
    TEST_RR_DEST_SRC2(65, remu, 1, 7, 3)

#if XLEN == 64
/* W forms use the low 32 bits of each source and sign-extend the 32-bit
 * result -- also the unsigned ones, and the divide-by-zero results. */
#define XW 0x1234567898765432       /* low word 0x98765432 (negative) */
#define YW 0xabcdef01f0e1d2c3       /* low word 0xf0e1d2c3 (negative) */
TEST_GROUP("mul: rv64 W forms")
    TEST_RR(70, mulw, -2, 0x7fffffff, 2)
    TEST_RR(71, mulw, 15, 0x100000003, 0x100000005)
    TEST_RR(72, mulw, 0, 0x10000, 0x10000)
    TEST_RR(73, mulw, 0xffffffff80000000, 0x8000, 0x10000)
    TEST_RR(74, mulw, 0x13252616, XW, YW)
    TEST_RR(75, divw, 3, 20, 6)
    TEST_RR(76, divw, -3, -20, 6)
    TEST_RR(77, divw, 0xffffffff80000000, 0x80000000, -1)     /* overflow */
    TEST_RR(78, divw, -1, 20, 0x100000000)                     /* low word 0: by zero */
    TEST_RR(79, divw, 10, 0xffffffff00000014, 0x0000000500000002)
    TEST_RR(80, divw, 6, XW, YW)
    TEST_RR(81, divw, 0xfffffffffffe4351, XW, 0x3b9b)
    TEST_RR(82, divuw, 0x2aaaaaa7, -20, 6)
    TEST_RR(83, divuw, -1, 20, 0)                              /* 0xffffffff, sign-extended */
    TEST_RR(84, divuw, 0xffffffff80000000, 0x80000000, 1)
    TEST_RR(85, divuw, 0x28ecf, XW, 0x3b9b)
    TEST_RR(86, remw, -2, -20, 6)
    TEST_RR(87, remw, 0xffffffff80000000, 0x180000000, 0)     /* by zero: sext(dividend) */
    TEST_RR(88, remw, 0, 0x80000000, -1)                       /* overflow */
    TEST_RR(89, remw, 0xfffffffff32b63a0, XW, YW)
    TEST_RR(90, remuw, 2, -20, 6)
    TEST_RR(91, remuw, 0xffffffff80000005, 0x80000005, 0)
    TEST_RR(92, remuw, 1, 7, 3)
    TEST_RR(93, remuw, 0xffffffff98765432, XW, YW)
    TEST_RR(94, remuw, 0x27dd, XW, 0x3b9b)
    TEST_RR_ZERO_DEST(95, divw, 7, 0)
#endif

TEST_END
