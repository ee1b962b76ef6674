/* The random half of fp.S: every F and D arithmetic, comparison and
 * conversion instruction on pseudo-random operands (biased towards
 * subnormals, the overflow threshold, ties, signed zeros, infinities and
 * NaNs) in each of the five rounding modes, printing every result and the
 * fflags it raised in hex. Silica must print exactly what QEMU (softfloat)
 * prints: tests/differential compares the two outputs, so this checks the
 * arithmetic bit for bit. The rounding mode comes from frm (rm = dyn).
 *
 * Operands and results travel through memory (fld/fsd), so the same code
 * runs on rv32, where doubles cannot move through integer registers. */
#include <stdint.h>

#include "rt.h"

#define SETS 32 /* operand sets per instruction */

static uint64_t g_in[3]; /* operands: singles NaN-boxed */
static uint64_t g_out;   /* result: an F register, or an X register zero-extended */
static uint64_t g_state = 0x853c49e6748fea9bull;

static uint64_t next(void) {
    /* xorshift64* */
    g_state ^= g_state >> 12;
    g_state ^= g_state << 25;
    g_state ^= g_state >> 27;
    return g_state * 0x2545f4914f6cdd1dull;
}

static uint64_t frac(unsigned bits) {
    uint64_t mask = (1ull << bits) - 1;
    switch (next() % 4) {
    case 0: return next() & mask;
    case 1: return next() & next() & next() & mask;          /* few bits: exact results, ties */
    case 2: return (next() | next() | next()) & mask;        /* many bits: carries */
    default: return ((mask >> (next() % bits)) << (next() % 3)) & mask;
    }
}

static uint32_t rand_f32(void) {
    static const uint32_t special[] = {0, 0x7f800000, 0x7fc00000, 0x7f800001, 0x7fa00000,
                                       1, 0x007fffff, 0x00800000, 0x7f7fffff, 0x3f800000,
                                       0x4f000000, 0x5f000000, 0x3f000000, 0x40200000};
    uint32_t r = next() % 16, sign = (uint32_t)(next() & 1) << 31, exp;
    if (r == 0) return sign | special[next() % (sizeof special / sizeof special[0])];
    if (r < 4) exp = next() % 4;
    else if (r < 6) exp = 250 + next() % 5;
    else if (r < 9) exp = 120 + next() % 15;
    else if (r < 11) exp = 150 + next() % 40; /* integer conversion range */
    else exp = 1 + next() % 254;
    return sign | (exp << 23) | (uint32_t)frac(23);
}

static uint64_t rand_f64(void) {
    static const uint64_t special[] = {0, 0x7ff0000000000000ull, 0x7ff8000000000000ull,
                                       0x7ff0000000000001ull, 0x7ff4000000000000ull, 1,
                                       0x000fffffffffffffull, 0x0010000000000000ull,
                                       0x7fefffffffffffffull, 0x3ff0000000000000ull,
                                       0x41e0000000000000ull, 0x43e0000000000000ull,
                                       0x3fe0000000000000ull, 0x4004000000000000ull};
    uint64_t r = next() % 16, sign = (next() & 1) << 63, exp;
    if (r == 0) return sign | special[next() % (sizeof special / sizeof special[0])];
    if (r < 4) exp = next() % 4;
    else if (r < 6) exp = 2040 + next() % 7;
    else if (r < 9) exp = 1015 + next() % 17;
    else if (r < 11) exp = 1040 + next() % 40;
    else if (r < 12) exp = 870 + next() % 30; /* underflow when narrowed to single */
    else exp = 1 + next() % 2046;
    return sign | (exp << 52) | frac(52);
}

static uint64_t rand_int(void) {
    uint64_t v = next() >> (next() % 64);
    return (next() & 1) ? -v : v;
}

enum operand { F32, F64, INT };

/* One instruction: operands in ft0-ft2 (or a0), result in ft3 (or a0). */
#define LOAD3 "fld ft0, 0(%0)\n fld ft1, 8(%0)\n fld ft2, 16(%0)\n"
#define F_RESULT(name, insn, ops)                                                          \
    static void name(void) {                                                              \
        __asm__ volatile(LOAD3 insn " ft3, " ops "\n fsd ft3, 0(%1)"                      \
                         : : "r"(g_in), "r"(&g_out) : "ft0", "ft1", "ft2", "ft3", "memory"); \
    }
#define X_RESULT(name, insn, ops)                                                          \
    static void name(void) {                                                              \
        uintptr_t r;                                                                      \
        __asm__ volatile(LOAD3 insn " %0, " ops : "=r"(r) : "r"(g_in)                     \
                         : "ft0", "ft1", "ft2", "memory");                                \
        g_out = r;                                                                        \
    }
#define FROM_X(name, insn)                                                                 \
    static void name(void) {                                                              \
        uintptr_t a = (uintptr_t)g_in[0];                                                 \
        __asm__ volatile(insn " ft3, %0\n fsd ft3, 0(%1)" : : "r"(a), "r"(&g_out)         \
                         : "ft3", "memory");                                              \
    }

F_RESULT(fadd_s, "fadd.s", "ft0, ft1")
F_RESULT(fsub_s, "fsub.s", "ft0, ft1")
F_RESULT(fmul_s, "fmul.s", "ft0, ft1")
F_RESULT(fdiv_s, "fdiv.s", "ft0, ft1")
F_RESULT(fsqrt_s, "fsqrt.s", "ft0")
F_RESULT(fmadd_s, "fmadd.s", "ft0, ft1, ft2")
F_RESULT(fmsub_s, "fmsub.s", "ft0, ft1, ft2")
F_RESULT(fnmsub_s, "fnmsub.s", "ft0, ft1, ft2")
F_RESULT(fnmadd_s, "fnmadd.s", "ft0, ft1, ft2")
F_RESULT(fmin_s, "fmin.s", "ft0, ft1")
F_RESULT(fmax_s, "fmax.s", "ft0, ft1")
F_RESULT(fsgnjx_s, "fsgnjx.s", "ft0, ft1")
X_RESULT(feq_s, "feq.s", "ft0, ft1")
X_RESULT(flt_s, "flt.s", "ft0, ft1")
X_RESULT(fle_s, "fle.s", "ft0, ft1")
X_RESULT(fclass_s, "fclass.s", "ft0")
X_RESULT(fcvt_w_s, "fcvt.w.s", "ft0")
X_RESULT(fcvt_wu_s, "fcvt.wu.s", "ft0")
FROM_X(fcvt_s_w, "fcvt.s.w")
FROM_X(fcvt_s_wu, "fcvt.s.wu")
F_RESULT(fadd_d, "fadd.d", "ft0, ft1")
F_RESULT(fsub_d, "fsub.d", "ft0, ft1")
F_RESULT(fmul_d, "fmul.d", "ft0, ft1")
F_RESULT(fdiv_d, "fdiv.d", "ft0, ft1")
F_RESULT(fsqrt_d, "fsqrt.d", "ft0")
F_RESULT(fmadd_d, "fmadd.d", "ft0, ft1, ft2")
F_RESULT(fmsub_d, "fmsub.d", "ft0, ft1, ft2")
F_RESULT(fnmsub_d, "fnmsub.d", "ft0, ft1, ft2")
F_RESULT(fnmadd_d, "fnmadd.d", "ft0, ft1, ft2")
F_RESULT(fmin_d, "fmin.d", "ft0, ft1")
F_RESULT(fmax_d, "fmax.d", "ft0, ft1")
F_RESULT(fcvt_s_d, "fcvt.s.d", "ft0")
F_RESULT(fcvt_d_s, "fcvt.d.s", "ft0")
X_RESULT(feq_d, "feq.d", "ft0, ft1")
X_RESULT(flt_d, "flt.d", "ft0, ft1")
X_RESULT(fle_d, "fle.d", "ft0, ft1")
X_RESULT(fclass_d, "fclass.d", "ft0")
X_RESULT(fcvt_w_d, "fcvt.w.d", "ft0")
X_RESULT(fcvt_wu_d, "fcvt.wu.d", "ft0")
FROM_X(fcvt_d_w, "fcvt.d.w")
FROM_X(fcvt_d_wu, "fcvt.d.wu")
#if __riscv_xlen == 64
X_RESULT(fcvt_l_s, "fcvt.l.s", "ft0")
X_RESULT(fcvt_lu_s, "fcvt.lu.s", "ft0")
X_RESULT(fcvt_l_d, "fcvt.l.d", "ft0")
X_RESULT(fcvt_lu_d, "fcvt.lu.d", "ft0")
FROM_X(fcvt_s_l, "fcvt.s.l")
FROM_X(fcvt_s_lu, "fcvt.s.lu")
FROM_X(fcvt_d_l, "fcvt.d.l")
FROM_X(fcvt_d_lu, "fcvt.d.lu")
#endif

struct op {
    const char *name;
    void (*run)(void);
    enum operand kind;
};

static const struct op k_ops[] = {
    {"fadd.s", fadd_s, F32},       {"fsub.s", fsub_s, F32},       {"fmul.s", fmul_s, F32},
    {"fdiv.s", fdiv_s, F32},       {"fsqrt.s", fsqrt_s, F32},     {"fmadd.s", fmadd_s, F32},
    {"fmsub.s", fmsub_s, F32},     {"fnmsub.s", fnmsub_s, F32},   {"fnmadd.s", fnmadd_s, F32},
    {"fmin.s", fmin_s, F32},       {"fmax.s", fmax_s, F32},       {"fsgnjx.s", fsgnjx_s, F32},
    {"feq.s", feq_s, F32},         {"flt.s", flt_s, F32},         {"fle.s", fle_s, F32},
    {"fclass.s", fclass_s, F32},   {"fcvt.w.s", fcvt_w_s, F32},   {"fcvt.wu.s", fcvt_wu_s, F32},
    {"fcvt.s.w", fcvt_s_w, INT},   {"fcvt.s.wu", fcvt_s_wu, INT}, {"fcvt.d.s", fcvt_d_s, F32},
    {"fadd.d", fadd_d, F64},       {"fsub.d", fsub_d, F64},       {"fmul.d", fmul_d, F64},
    {"fdiv.d", fdiv_d, F64},       {"fsqrt.d", fsqrt_d, F64},     {"fmadd.d", fmadd_d, F64},
    {"fmsub.d", fmsub_d, F64},     {"fnmsub.d", fnmsub_d, F64},   {"fnmadd.d", fnmadd_d, F64},
    {"fmin.d", fmin_d, F64},       {"fmax.d", fmax_d, F64},       {"fcvt.s.d", fcvt_s_d, F64},
    {"feq.d", feq_d, F64},         {"flt.d", flt_d, F64},         {"fle.d", fle_d, F64},
    {"fclass.d", fclass_d, F64},   {"fcvt.w.d", fcvt_w_d, F64},   {"fcvt.wu.d", fcvt_wu_d, F64},
    {"fcvt.d.w", fcvt_d_w, INT},   {"fcvt.d.wu", fcvt_d_wu, INT},
#if __riscv_xlen == 64
    {"fcvt.l.s", fcvt_l_s, F32},   {"fcvt.lu.s", fcvt_lu_s, F32}, {"fcvt.l.d", fcvt_l_d, F64},
    {"fcvt.lu.d", fcvt_lu_d, F64}, {"fcvt.s.l", fcvt_s_l, INT},   {"fcvt.s.lu", fcvt_s_lu, INT},
    {"fcvt.d.l", fcvt_d_l, INT},   {"fcvt.d.lu", fcvt_d_lu, INT},
#endif
};

static void put_hex(uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) rt_putc("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

/* Prints every result: "name a b c: r/flags r/flags ..." for rm 0..4. */
void fp_sweep(void) {
    for (unsigned k = 0; k < sizeof k_ops / sizeof k_ops[0]; ++k) {
        const struct op *op = &k_ops[k];
        for (int set = 0; set < SETS; ++set) {
            for (int i = 0; i < 3; ++i) {
                if (op->kind == F32) g_in[i] = 0xffffffff00000000ull | rand_f32();
                else if (op->kind == F64) g_in[i] = rand_f64();
                else g_in[i] = rand_int();
            }
            rt_puts(op->name);
            for (int i = 0; i < 3; ++i) {
                rt_putc(' ');
                put_hex(g_in[i], op->kind == F32 ? 8 : 16);
            }
            rt_putc(':');
            for (uintptr_t rm = 0; rm < 5; ++rm) {
                uintptr_t flags;
                __asm__ volatile("csrw frm, %0\n csrw fflags, zero" : : "r"(rm));
                g_out = 0;
                op->run();
                __asm__ volatile("csrr %0, fflags" : "=r"(flags));
                rt_putc(' ');
                put_hex(g_out, 16);
                rt_putc('/');
                put_hex(flags, 2);
            }
            rt_putc('\n');
        }
    }
}
