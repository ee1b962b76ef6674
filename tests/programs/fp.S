/* F and D: self-checks of the rules around the arithmetic -- mstatus.FS and
 * the FP CSRs, NaN-boxing, static and dynamic rounding modes (reserved ones
 * trap), the exception flags, RISC-V's NaN, min/max, comparison and
 * conversion rules, the compressed FP loads/stores -- then fp_sweep
 * (fp_sweep.c) prints every instruction's results and flags on random
 * operands in every rounding mode, which tests/differential compares with
 * QEMU bit for bit.
 *
 * Traps taken on purpose land in trap_handler: it records mcause in s2,
 * counts traps in s6 and skips the (4-byte) trapping instruction. */
#include "test_macros.h"

#define MSTATUS_FS      0x6000
#define MSTATUS_FS_INIT 0x2000

/* Singles through integer registers; results compared as 32-bit values
 * (fmv.x.w sign-extends on rv64). */
#define FLI(freg, bits) li t0, bits; fmv.w.x freg, t0
#define CHECK_W(reg, expect) slli reg, reg, XLEN - 32; srli reg, reg, XLEN - 32; CHECK(reg, expect)
#define CHECK_S(freg, expect) fmv.x.w a2, freg; CHECK_W(a2, expect)
/* Read and clear fflags. */
#define CHECK_FLAGS(expect) fsflags a3, zero; CHECK(a3, expect)
/* Expect exactly one trap since TRAP_RESET, an illegal instruction. */
#define TRAP_RESET li s6, 0; li s2, -1
#define CHECK_ILLEGAL CHECK(s6, 1); CHECK(s2, 2)

#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

TEST_BEGIN
    la t0, trap_handler
    csrw mtvec, t0

TEST_GROUP("fp: mstatus.FS and the FP CSRs")
    /* FS Off: FP instructions and FP CSRs are illegal. */
    li t0, MSTATUS_FS
    csrc mstatus, t0
    TEST_CASE(1, s2, 2, TRAP_RESET; fadd.s fa0, fa1, fa2; CHECK_ILLEGAL)
    TEST_CASE(2, s2, 2, TRAP_RESET; csrr a0, fflags; CHECK_ILLEGAL)
    TEST_CASE(3, s2, 2, TRAP_RESET; fmv.w.x fa0, zero; CHECK_ILLEGAL)
    TEST_CASE(4, s2, 2, TRAP_RESET; flw fa0, 0(sp); CHECK_ILLEGAL)
    /* FS Initial: enabled, not yet dirty. */
    li t0, MSTATUS_FS_INIT
    csrs mstatus, t0
    TEST_CASE(5, a0, MSTATUS_FS_INIT, csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
    /* Writing an F register makes FS Dirty and sets SD (the sign bit). */
    TEST_CASE(6, a0, MSTATUS_FS, fmv.w.x fa0, zero; csrr a0, mstatus; li t0, MSTATUS_FS; and a0, a0, t0)
    TEST_CASE(7, a0, 1, csrr a0, mstatus; srli a0, a0, XLEN - 1)
    /* fcsr = frm << 5 | fflags, each field writable on its own. */
    TEST_CASE(8, a0, 0xff, li t0, 0xfff; csrw fcsr, t0; csrr a0, fcsr)
    TEST_CASE(9, a0, 7, csrr a0, frm)
    TEST_CASE(10, a0, 0x1f, csrr a0, fflags)
    TEST_CASE(11, a0, 0x1f, csrwi frm, 0; csrr a0, fcsr)
    TEST_CASE(12, a0, 0x60, csrwi fflags, 0; csrwi frm, 3; csrr a0, fcsr)
    csrwi fcsr, 0

TEST_GROUP("fp: rounding modes, static and dynamic")
    /* 1 + 2^-24: a tie between 1 and the next single. */
    FLI(fa0, 0x3f800000)
    FLI(fa1, 0x33800000)
    TEST_CASE(20, a2, 0x3f800000, fadd.s fa2, fa0, fa1, rne; CHECK_FLAGS(NX); fmv.x.w a2, fa2)
    TEST_CASE(21, a2, 0x3f800001, fadd.s fa2, fa0, fa1, rmm; CHECK_FLAGS(NX); fmv.x.w a2, fa2)
    TEST_CASE(22, a2, 0x3f800001, fadd.s fa2, fa0, fa1, rup; fmv.x.w a2, fa2)
    TEST_CASE(23, a2, 0x3f800000, fadd.s fa2, fa0, fa1, rdn; fmv.x.w a2, fa2)
    TEST_CASE(24, a2, 0x3f800000, fadd.s fa2, fa0, fa1, rtz; fmv.x.w a2, fa2)
    /* Dynamic: frm decides. */
    TEST_CASE(25, a2, 0x3f800001, csrwi frm, 4; fadd.s fa2, fa0, fa1, dyn; fmv.x.w a2, fa2)
    /* 2.5 to integer: 3 (rmm), 2 (rne); -2.5: -3 (rdn), -2 (rup, rtz). */
    FLI(fa3, 0x40200000)
    FLI(fa4, 0xc0200000)
    TEST_CASE(26, a2, 3, fcvt.w.s a2, fa3, rmm)
    TEST_CASE(27, a2, 2, fcvt.w.s a2, fa3, rne)
    TEST_CASE(28, a2, -3, fcvt.w.s a2, fa4, rdn)
    TEST_CASE(29, a2, -2, fcvt.w.s a2, fa4, rup)
    TEST_CASE(30, a2, -2, fcvt.w.s a2, fa4, rtz; CHECK_FLAGS(NX))
    /* Reserved modes: rm = 5 or 6, or dyn with frm = 5..7, are illegal.
     * fadd.s fa2, fa0, fa1 with rm = 5 and 6: */
    TEST_CASE(31, s2, 2, TRAP_RESET; .4byte 0x00b55653; CHECK_ILLEGAL)
    TEST_CASE(32, s2, 2, TRAP_RESET; .4byte 0x00b56653; CHECK_ILLEGAL)
    TEST_CASE(33, s2, 2, TRAP_RESET; csrwi frm, 5; fadd.s fa2, fa0, fa1, dyn; CHECK_ILLEGAL)
    TEST_CASE(34, s2, 2, TRAP_RESET; csrwi frm, 7; fcvt.w.s a2, fa3, dyn; CHECK_ILLEGAL)
    /* Instructions without a rounding mode ignore a bad frm. */
    TEST_CASE(35, a2, 0x40200000, fmax.s fa2, fa3, fa4; fmv.x.w a2, fa2)
    csrwi frm, 0
    CHECK_FLAGS(0)

TEST_GROUP("fp: NaN-boxing")
    /* A register holding 1.0 without its box of ones reads as the
     * canonical NaN in single-precision arithmetic... */
    la a0, unboxed_one
    fld fa0, 0(a0)
    FLI(fa1, 0x3f800000)
    TEST_CASE(40, a2, 0x7fc00000, fadd.s fa2, fa0, fa1; CHECK_S(fa2, 0x7fc00000); CHECK_FLAGS(0); fmv.x.w a2, fa2; CHECK_W(a2, 0x7fc00000))
    /* ...and in sign injection (the canonical NaN gets the sign)... */
    TEST_CASE(41, a2, 0xffc00000, fsgnjn.s fa2, fa0, fa0; fmv.x.w a2, fa2; CHECK_W(a2, 0xffc00000))
    /* ...but moves and stores copy the low bits as they are. */
    TEST_CASE(42, a2, 0x3f800000, fmv.x.w a2, fa0; CHECK_W(a2, 0x3f800000))
    la a0, scratch
    TEST_CASE(43, a2, 0x3f800000, fsw fa0, 0(a0); lw a2, 0(a0); CHECK_W(a2, 0x3f800000))
    /* Single results are boxed: the upper word of an fsd is all ones. */
    TEST_CASE(44, a2, -1, fsd fa2, 0(a0); lw a2, 4(a0))
    TEST_CASE(45, a2, -1, flw fa3, 8(a0); fsd fa3, 0(a0); lw a2, 4(a0))
    /* fclass.s of a badly boxed value: a quiet NaN. */
    TEST_CASE(46, a2, 0x200, fclass.s a2, fa0)
    /* fcvt.d.s of it: the canonical double NaN. */
    TEST_CASE(47, a2, 0x7ff80000, fcvt.d.s fa2, fa0; fsd fa2, 0(a0); lw a2, 4(a0))

TEST_GROUP("fp: exception flags and special values")
    FLI(fa0, 0x3f800000)                  /* 1.0 */
    FLI(fa1, 0x00000000)                  /* +0 */
    FLI(fa2, 0x80000000)                  /* -0 */
    FLI(fa3, 0x7fc00000)                  /* qNaN */
    FLI(fa4, 0x7f800001)                  /* sNaN */
    FLI(fa5, 0x7f800000)                  /* +inf */
    TEST_CASE(50, a2, 0x7f800000, fdiv.s fa6, fa0, fa1; CHECK_FLAGS(DZ); fmv.x.w a2, fa6)
    TEST_CASE(51, a2, 0x7fc00000, fdiv.s fa6, fa1, fa1; CHECK_FLAGS(NV); fmv.x.w a2, fa6)
    TEST_CASE(52, a2, 0x7fc00000, fmul.s fa6, fa5, fa1; CHECK_FLAGS(NV); fmv.x.w a2, fa6)
    TEST_CASE(53, a2, 0x7fc00000, fadd.s fa6, fa4, fa0; CHECK_FLAGS(NV); fmv.x.w a2, fa6)
    /* inf * 0 + qNaN is invalid (RISC-V's choice). */
    TEST_CASE(54, a2, 0x7fc00000, fmadd.s fa6, fa5, fa1, fa3; CHECK_FLAGS(NV); fmv.x.w a2, fa6)
    /* feq is quiet, flt/fle signal on quiet NaNs too. */
    TEST_CASE(55, a2, 0, feq.s a2, fa3, fa3; CHECK_FLAGS(0))
    TEST_CASE(56, a2, 0, feq.s a2, fa4, fa0; CHECK_FLAGS(NV))
    TEST_CASE(57, a2, 0, flt.s a2, fa3, fa0; CHECK_FLAGS(NV))
    TEST_CASE(58, a2, 0, fle.s a2, fa0, fa3; CHECK_FLAGS(NV))
    TEST_CASE(59, a2, 1, feq.s a2, fa1, fa2)
    TEST_CASE(60, a2, 1, fle.s a2, fa2, fa1)
    TEST_CASE(61, a2, 0, flt.s a2, fa2, fa1)
    /* fmin/fmax: -0 < +0, one NaN gives the other operand, two the canonical NaN. */
    TEST_CASE(62, a2, 0x80000000, fmin.s fa6, fa1, fa2; fmv.x.w a2, fa6; CHECK_W(a2, 0x80000000))
    TEST_CASE(63, a2, 0, fmax.s fa6, fa2, fa1; fmv.x.w a2, fa6)
    TEST_CASE(64, a2, 0x3f800000, fmin.s fa6, fa3, fa0; CHECK_FLAGS(0); fmv.x.w a2, fa6)
    TEST_CASE(65, a2, 0x3f800000, fmax.s fa6, fa4, fa0; CHECK_FLAGS(NV); fmv.x.w a2, fa6)
    TEST_CASE(66, a2, 0x7fc00000, fmax.s fa6, fa4, fa3; CHECK_FLAGS(NV); fmv.x.w a2, fa6)
    /* fclass */
    TEST_CASE(67, a2, 0x100, fclass.s a2, fa4)
    TEST_CASE(68, a2, 0x008, fclass.s a2, fa2)
    TEST_CASE(69, a2, 0x080, fclass.s a2, fa5)
    /* Conversions saturate and raise invalid; in-range ones only inexact. */
    TEST_CASE(70, a2, 0x7fffffff, fcvt.w.s a2, fa3, rtz; CHECK_FLAGS(NV))
    TEST_CASE(71, a2, V(-1, 0xffffffff), fcvt.wu.s a2, fa5, rtz; CHECK_FLAGS(NV))
    FLI(fa6, 0xbf800000)                  /* -1.0 */
    TEST_CASE(72, a2, 0, fcvt.wu.s a2, fa6, rtz; CHECK_FLAGS(NV))
    FLI(fa6, 0xbf333333)                  /* -0.7 */
    TEST_CASE(73, a2, 0, fcvt.wu.s a2, fa6, rtz; CHECK_FLAGS(NX))
    TEST_CASE(74, a2, 0, fcvt.wu.s a2, fa6, rne; CHECK_FLAGS(NV))
    FLI(fa6, 0xcf000000)                  /* -2^31 fits */
    TEST_CASE(75, a2, V(0xffffffff80000000, 0x80000000), fcvt.w.s a2, fa6, rtz; CHECK_FLAGS(0))
    /* Tininess after rounding: 0x007fffff * (1 + 2^-23) rounds to the
     * smallest normal, so no underflow in rne; tiny (underflow) in rtz. */
    FLI(fa6, 0x007fffff)
    FLI(fa7, 0x3f800001)
    TEST_CASE(76, a2, 0x00800000, fmul.s ft0, fa6, fa7, rne; CHECK_FLAGS(NX); fmv.x.w a2, ft0)
    TEST_CASE(77, a2, 0x007fffff, fmul.s ft0, fa6, fa7, rtz; CHECK_FLAGS(UF | NX); fmv.x.w a2, ft0)
    /* Overflow */
    FLI(fa6, 0x7f7fffff)
    TEST_CASE(78, a2, 0x7f800000, fadd.s ft0, fa6, fa6, rne; CHECK_FLAGS(OF | NX); fmv.x.w a2, ft0)
    TEST_CASE(79, a2, 0x7f7fffff, fadd.s ft0, fa6, fa6, rtz; CHECK_FLAGS(OF | NX); fmv.x.w a2, ft0)
    /* Doubles: sqrt(-1) is invalid; 1/3 in rdn and rup differ in the last bit. */
    la a0, doubles
    fld ft0, 0(a0)                        /* 1.0 */
    fld ft1, 8(a0)                        /* 3.0 */
    fld ft2, 16(a0)                       /* -1.0 */
    TEST_CASE(80, a2, 0x7ff80000, fsqrt.d ft3, ft2; CHECK_FLAGS(NV); la a0, scratch; fsd ft3, 0(a0); lw a2, 4(a0))
    TEST_CASE(81, a2, 0x55555555, fdiv.d ft3, ft0, ft1, rdn; CHECK_FLAGS(NX); fsd ft3, 0(a0); lw a2, 0(a0))
    TEST_CASE(82, a2, 0x55555556, fdiv.d ft3, ft0, ft1, rup; CHECK_FLAGS(NX); fsd ft3, 0(a0); lw a2, 0(a0))
    TEST_CASE(83, a2, 1, feq.d a2, ft0, ft0)
    TEST_CASE(84, a2, 1, flt.d a2, ft2, ft0)
    TEST_CASE(85, a2, -1, fcvt.w.d a2, ft2, rtz; CHECK_FLAGS(0))
    /* fcvt.s.d of 1/3 is inexact; fcvt.d.s of a single exact. */
    TEST_CASE(86, a2, 0x3eaaaaab, fdiv.d ft3, ft0, ft1; fcvt.s.d ft4, ft3; CHECK_FLAGS(NX); fmv.x.w a2, ft4)
    TEST_CASE(87, a2, 0x3ff00000, fcvt.s.d ft4, ft0; fcvt.d.s ft5, ft4; CHECK_FLAGS(0); fsd ft5, 0(a0); lw a2, 4(a0))

TEST_GROUP("fp: compressed loads and stores")
    la a0, doubles
    .option push
    .option rvc
    c.fld fa0, 8(a0)                      /* 3.0 */
    la a1, scratch
    c.fsd fa0, 16(a1)
    .option pop
    TEST_CASE(90, a2, 0x40080000, lw a2, 20(a1))
    /* sp-relative: on the stack, below sp. */
    addi sp, sp, -16
    .option push
    .option rvc
    c.fsdsp fa0, 8(sp)
    c.fldsp fa1, 8(sp)
    .option pop
    TEST_CASE(91, a2, 1, feq.d a2, fa0, fa1)
#if XLEN == 32
    FLI(fa2, 0x40490fdb)
    .option push
    .option rvc
    c.fswsp fa2, 4(sp)
    c.flwsp fa3, 4(sp)
    c.fsw fa2, 24(a1)
    c.flw fa4, 24(a1)
    .option pop
    TEST_CASE(92, a2, 0x40490fdb, fmv.x.w a2, fa3)
    TEST_CASE(93, a2, 0x40490fdb, fmv.x.w a2, fa4)
#endif
    addi sp, sp, 16

    la t0, rt_trap_entry
    csrw mtvec, t0
    csrwi fcsr, 0
TEST_GROUP("fp: random operands, every rounding mode")
    call fp_sweep

TEST_END

    /* Its own section: linker relaxation of the code above (compressed
     * instructions included) cannot move it off its 4-byte alignment. */
    .section .text.fp_trap_handler, "ax", @progbits
    .balign 4
trap_handler:
    csrr s2, mcause
    addi s6, s6, 1
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    mret

    .data
    .balign 8
unboxed_one:
    .dword 0x000000003f800000
doubles:
    .dword 0x3ff0000000000000, 0x4008000000000000, 0xbff0000000000000
scratch:
    .dword 0, 0xffffffff3f800000, 0xffffffff40400000, 0, 0
