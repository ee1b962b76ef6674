// The helpers isa/riscv/rv_f.isa and rv_d.isa declare: the RISC-V side of
// floating point around the IEEE 754 arithmetic of cores/fp. Each arithmetic
// helper raises illegal-instruction while mstatus.FS is Off or when the
// rounding mode is reserved (rm 5 or 6, or rm 7 with frm > 4), then accrues
// the operation's exception flags in fflags (which marks FS dirty).
//
// Included at the end of hart.h: the generated interpreter calls these
// inline, like the memory fast paths.
#pragma once

#include "cores/fp/softfp.h"
#include "cores/riscv/hart.h"

namespace silica::riscv {

namespace fp_detail {

template <unsigned XLEN>
inline bool fp_off(const Hart<XLEN>& h) {
  return (h.mstatus & mstatus_bits::kFs) == 0;
}

// The environment for an operation in rounding mode rm (7: frm); false after
// raising illegal-instruction.
template <unsigned XLEN>
inline bool begin(Hart<XLEN>& h, const DecodedInsn& d, uint64_t rm, fp::Env& env) {
  if (rm == 7) rm = h.frm;
  if (fp_off(h) || rm > 4) return illegal_instruction(h, d);
  env = fp::Env{fp::Rounding(rm), 0};
  return true;
}

template <unsigned XLEN>
inline void accrue(Hart<XLEN>& h, const fp::Env& env) {
  if (env.flags != 0) {
    h.fflags |= env.flags;
    h.mark_fp_dirty();
  }
}

// out = op(env) in rounding mode rm, flags accrued.
template <unsigned XLEN, class Result, class Op>
inline bool run(Hart<XLEN>& h, const DecodedInsn& d, uint64_t rm, Result& out, Op op) {
  fp::Env env;
  if (!begin(h, d, rm, env)) return false;
  out = op(env);
  accrue(h, env);
  return true;
}

constexpr uint64_t kNoRoundingMode = 0;  // for operations that never round

}  // namespace fp_detail

template <unsigned XLEN>
inline bool fp_enabled(Hart<XLEN>& h, const DecodedInsn& d) {
  return fp_detail::fp_off(h) ? illegal_instruction(h, d) : true;
}

// A single from an F register: its low half if NaN-boxed, else the canonical NaN.
template <unsigned XLEN>
inline uint32_t unbox_s(Hart<XLEN>&, const DecodedInsn&, uint64_t v) {
  return (v >> 32) == 0xffffffff ? uint32_t(v) : fp::kF32CanonicalNaN;
}

template <unsigned XLEN>
inline uint64_t box_s(Hart<XLEN>&, const DecodedInsn&, uint32_t v) {
  return 0xffffffff00000000 | v;
}

template <unsigned XLEN>
inline sem::uxlen<XLEN> f32_class(Hart<XLEN>&, const DecodedInsn&, uint32_t a) {
  return fp::f32_class(a);
}

template <unsigned XLEN>
inline sem::uxlen<XLEN> f64_class(Hart<XLEN>&, const DecodedInsn&, uint64_t a) {
  return fp::f64_class(a);
}

// NAME(a, rm) -> R, NAME(a, b, rm) -> R, NAME(a, b, c, rm) -> R, and the
// comparisons and min/max, NAME(a, b) -> R, which do not round. The macro
// arguments are a name and types, which parentheses would break.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SILICA_FP_HELPER1(NAME, A, R)                                                       \
  template <unsigned XLEN>                                                                  \
  inline bool NAME(Hart<XLEN>& h, const DecodedInsn& d, A a, sem::uxlen<XLEN> rm, R& out) { \
    return fp_detail::run(h, d, rm, out, [&](fp::Env& e) { return fp::NAME(a, e); });       \
  }
#define SILICA_FP_HELPER2(NAME, T)                                                               \
  template <unsigned XLEN>                                                                       \
  inline bool NAME(Hart<XLEN>& h, const DecodedInsn& d, T a, T b, sem::uxlen<XLEN> rm, T& out) { \
    return fp_detail::run(h, d, rm, out, [&](fp::Env& e) { return fp::NAME(a, b, e); });         \
  }
#define SILICA_FP_HELPER3(NAME, T)                                                          \
  template <unsigned XLEN>                                                                  \
  inline bool NAME(Hart<XLEN>& h, const DecodedInsn& d, T a, T b, T c, sem::uxlen<XLEN> rm, \
                   T& out) {                                                                \
    return fp_detail::run(h, d, rm, out, [&](fp::Env& e) { return fp::NAME(a, b, c, e); }); \
  }
#define SILICA_FP_NO_ROUNDING(NAME, T, R)                                   \
  template <unsigned XLEN>                                                  \
  inline bool NAME(Hart<XLEN>& h, const DecodedInsn& d, T a, T b, R& out) { \
    return fp_detail::run(h, d, fp_detail::kNoRoundingMode, out,            \
                          [&](fp::Env& e) { return fp::NAME(a, b, e); });   \
  }
// NOLINTEND(bugprone-macro-parentheses)

SILICA_FP_HELPER2(f32_add, uint32_t)
SILICA_FP_HELPER2(f32_mul, uint32_t)
SILICA_FP_HELPER2(f32_div, uint32_t)
SILICA_FP_HELPER1(f32_sqrt, uint32_t, uint32_t)
SILICA_FP_HELPER3(f32_muladd, uint32_t)
SILICA_FP_HELPER2(f64_add, uint64_t)
SILICA_FP_HELPER2(f64_mul, uint64_t)
SILICA_FP_HELPER2(f64_div, uint64_t)
SILICA_FP_HELPER1(f64_sqrt, uint64_t, uint64_t)
SILICA_FP_HELPER3(f64_muladd, uint64_t)

SILICA_FP_NO_ROUNDING(f32_min, uint32_t, uint32_t)
SILICA_FP_NO_ROUNDING(f32_max, uint32_t, uint32_t)
SILICA_FP_NO_ROUNDING(f32_eq, uint32_t, bool)
SILICA_FP_NO_ROUNDING(f32_lt, uint32_t, bool)
SILICA_FP_NO_ROUNDING(f32_le, uint32_t, bool)
SILICA_FP_NO_ROUNDING(f64_min, uint64_t, uint64_t)
SILICA_FP_NO_ROUNDING(f64_max, uint64_t, uint64_t)
SILICA_FP_NO_ROUNDING(f64_eq, uint64_t, bool)
SILICA_FP_NO_ROUNDING(f64_lt, uint64_t, bool)
SILICA_FP_NO_ROUNDING(f64_le, uint64_t, bool)

SILICA_FP_HELPER1(f32_to_f64, uint32_t, uint64_t)
SILICA_FP_HELPER1(f64_to_f32, uint64_t, uint32_t)
SILICA_FP_HELPER1(f32_to_i32, uint32_t, uint32_t)
SILICA_FP_HELPER1(f32_to_u32, uint32_t, uint32_t)
SILICA_FP_HELPER1(f32_to_i64, uint32_t, uint64_t)
SILICA_FP_HELPER1(f32_to_u64, uint32_t, uint64_t)
SILICA_FP_HELPER1(f64_to_i32, uint64_t, uint32_t)
SILICA_FP_HELPER1(f64_to_u32, uint64_t, uint32_t)
SILICA_FP_HELPER1(f64_to_i64, uint64_t, uint64_t)
SILICA_FP_HELPER1(f64_to_u64, uint64_t, uint64_t)
SILICA_FP_HELPER1(i32_to_f32, uint32_t, uint32_t)
SILICA_FP_HELPER1(u32_to_f32, uint32_t, uint32_t)
SILICA_FP_HELPER1(i64_to_f32, uint64_t, uint32_t)
SILICA_FP_HELPER1(u64_to_f32, uint64_t, uint32_t)
SILICA_FP_HELPER1(i32_to_f64, uint32_t, uint64_t)
SILICA_FP_HELPER1(u32_to_f64, uint32_t, uint64_t)
SILICA_FP_HELPER1(i64_to_f64, uint64_t, uint64_t)
SILICA_FP_HELPER1(u64_to_f64, uint64_t, uint64_t)

#undef SILICA_FP_HELPER1
#undef SILICA_FP_HELPER2
#undef SILICA_FP_HELPER3
#undef SILICA_FP_NO_ROUNDING

}  // namespace silica::riscv
