// Addition, multiplication, division, square root and fused multiply-add:
// special operands first (NaN, infinity, zero), then the exact result (or the
// exact result's leading bits and a sticky bit) is handed to round_pack.
#include <utility>

#include "cores/fp/format.h"

namespace silica::fp {
namespace detail {
namespace {

// The canonical NaN, raising invalid when asked to or when an input signals.
template <class F>
typename F::Bits nan_result(Env& env, bool invalid, typename F::Bits a, typename F::Bits b,
                            typename F::Bits c = 0) {
  using T = Traits<F>;
  if (invalid || T::is_snan(a) || T::is_snan(b) || T::is_snan(c)) env.flags |= flag::kInvalid;
  return F::kCanonicalNaN;
}

// A finite non-zero value mag * 2^(exp - 125) with mag's leading one at bit
// 125: wide enough for an exact product, with room for a carry above it.
struct Wide {
  bool sign;
  int exp;
  u128 mag;  // leading one at bit 125
};

constexpr int kWideTop = 125;

// x + y, exact but for a sticky bit; false when the sum is exactly zero.
bool add_wide(Wide x, Wide y, Wide& out) {
  if (y.exp > x.exp || (y.exp == x.exp && y.mag > x.mag)) std::swap(x, y);  // |x| >= |y|
  u128 small = shift_right_jam(y.mag, x.exp - y.exp);
  out.sign = x.sign;
  out.exp = x.exp;
  if (x.sign == y.sign) {
    out.mag = x.mag + small;
    if ((out.mag >> (kWideTop + 1)) != 0) {
      out.mag = shift_right_jam(out.mag, 1);
      ++out.exp;
    }
    return true;
  }
  out.mag = x.mag - small;
  if (out.mag == 0) return false;
  int shift = leading_zeros(out.mag) - (127 - kWideTop);
  out.mag <<= shift;
  out.exp -= shift;
  return true;
}

template <class F>
typename F::Bits round_wide(const Wide& w, Env& env) {
  // Leading one from bit 125 to bit 62: 63 bits go into the sticky bit.
  return round_pack<F>(w.sign, w.exp, uint64_t(shift_right_jam(w.mag, 63)), env);
}

Wide widen(const Unpacked& u) {
  return Wide{u.sign, u.exp, u128(u.sig) << 63};
}

// The exact product of two finite non-zero values.
Wide product(const Unpacked& x, const Unpacked& y) {
  u128 p = u128(x.sig) * y.sig;  // in [2^124, 2^126): value p * 2^(ex + ey - 124)
  Wide w{x.sign != y.sign, x.exp + y.exp, p};
  if ((p >> kWideTop) != 0) {
    ++w.exp;
  } else {
    w.mag <<= 1;
  }
  return w;
}

template <class F>
typename F::Bits add(typename F::Bits a, typename F::Bits b, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a) || T::is_nan(b)) return nan_result<F>(env, false, a, b);
  if (T::is_inf(a)) {
    return T::is_inf(b) && T::sign(a) != T::sign(b) ? nan_result<F>(env, true, a, b) : a;
  }
  if (T::is_inf(b)) return b;
  if (T::is_zero(a) && T::is_zero(b)) return T::sign(a) == T::sign(b) ? a : cancelled_zero<F>(env);
  if (T::is_zero(a)) return b;
  if (T::is_zero(b)) return a;
  Wide sum;
  if (!add_wide(widen(unpack<F>(a)), widen(unpack<F>(b)), sum)) return cancelled_zero<F>(env);
  return round_wide<F>(sum, env);
}

template <class F>
typename F::Bits mul(typename F::Bits a, typename F::Bits b, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a) || T::is_nan(b)) return nan_result<F>(env, false, a, b);
  bool negative = T::sign(a) != T::sign(b);
  if (T::is_inf(a) || T::is_inf(b)) {
    if (T::is_zero(a) || T::is_zero(b)) return nan_result<F>(env, true, a, b);
    return T::infinity(negative);
  }
  if (T::is_zero(a) || T::is_zero(b)) return T::zero(negative);
  return round_wide<F>(product(unpack<F>(a), unpack<F>(b)), env);
}

template <class F>
typename F::Bits div(typename F::Bits a, typename F::Bits b, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a) || T::is_nan(b)) return nan_result<F>(env, false, a, b);
  bool negative = T::sign(a) != T::sign(b);
  if (T::is_inf(a)) return T::is_inf(b) ? nan_result<F>(env, true, a, b) : T::infinity(negative);
  if (T::is_inf(b)) return T::zero(negative);
  if (T::is_zero(b)) {
    if (T::is_zero(a)) return nan_result<F>(env, true, a, b);
    env.flags |= flag::kDivByZero;
    return T::infinity(negative);
  }
  if (T::is_zero(a)) return T::zero(negative);
  Unpacked x = unpack<F>(a), y = unpack<F>(b);
  // The quotient of the significands, scaled so its leading one is bit 62.
  int exp = x.exp - y.exp;
  u128 num = u128(x.sig) << 62;
  if (x.sig < y.sig) {
    num <<= 1;
    --exp;
  }
  uint64_t q = uint64_t(num / y.sig);
  bool remainder = num % y.sig != 0;
  return round_pack<F>(negative, exp, q | (remainder ? 1 : 0), env);
}

// floor(sqrt(n)) and whether it is exact (digit by digit, two bits a step).
uint64_t isqrt(u128 n, bool& exact) {
  u128 root = 0, bit = u128(1) << 126;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (n >= root + bit) {
      n -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  exact = n == 0;
  return uint64_t(root);
}

template <class F>
typename F::Bits sqrt(typename F::Bits a, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a)) return nan_result<F>(env, false, a, a);
  if (T::is_zero(a)) return a;  // sqrt(-0) = -0
  if (T::sign(a)) return nan_result<F>(env, true, a, a);
  if (T::is_inf(a)) return a;
  Unpacked x = unpack<F>(a);
  // An even exponent halves exactly: sqrt(sig * 2^62) has its leading one at
  // bit 62 (or just below 63 for an odd exponent folded into sig).
  int exp = x.exp;
  u128 n = u128(x.sig) << 62;
  if ((exp & 1) != 0) {
    n <<= 1;
    --exp;
  }
  bool exact = false;
  uint64_t root = isqrt(n, exact);
  return round_pack<F>(false, exp / 2, root | (exact ? 0 : 1), env);
}

template <class F>
typename F::Bits muladd(typename F::Bits a, typename F::Bits b, typename F::Bits c, Env& env) {
  using T = Traits<F>;
  const bool inf_times_zero = (T::is_inf(a) && T::is_zero(b)) || (T::is_zero(a) && T::is_inf(b));
  // RISC-V: inf * 0 is invalid even when the addend is a quiet NaN.
  if (T::is_nan(a) || T::is_nan(b) || T::is_nan(c)) {
    return nan_result<F>(env, inf_times_zero, a, b, c);
  }
  if (inf_times_zero) return nan_result<F>(env, true, a, b, c);
  const bool product_negative = T::sign(a) != T::sign(b);
  if (T::is_inf(a) || T::is_inf(b)) {
    if (T::is_inf(c) && T::sign(c) != product_negative) return nan_result<F>(env, true, a, b, c);
    return T::infinity(product_negative);
  }
  if (T::is_inf(c)) return c;
  if (T::is_zero(a) || T::is_zero(b)) {
    if (!T::is_zero(c)) return c;
    return T::sign(c) == product_negative ? c : cancelled_zero<F>(env);
  }
  Wide p = product(unpack<F>(a), unpack<F>(b));
  if (T::is_zero(c)) return round_wide<F>(p, env);
  Wide sum;
  if (!add_wide(p, widen(unpack<F>(c)), sum)) return cancelled_zero<F>(env);
  return round_wide<F>(sum, env);
}

}  // namespace
}  // namespace detail

using detail::F32;
using detail::F64;

uint32_t f32_add(uint32_t a, uint32_t b, Env& env) {
  return detail::add<F32>(a, b, env);
}
uint32_t f32_mul(uint32_t a, uint32_t b, Env& env) {
  return detail::mul<F32>(a, b, env);
}
uint32_t f32_div(uint32_t a, uint32_t b, Env& env) {
  return detail::div<F32>(a, b, env);
}
uint32_t f32_sqrt(uint32_t a, Env& env) {
  return detail::sqrt<F32>(a, env);
}
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, Env& env) {
  return detail::muladd<F32>(a, b, c, env);
}
uint64_t f64_add(uint64_t a, uint64_t b, Env& env) {
  return detail::add<F64>(a, b, env);
}
uint64_t f64_mul(uint64_t a, uint64_t b, Env& env) {
  return detail::mul<F64>(a, b, env);
}
uint64_t f64_div(uint64_t a, uint64_t b, Env& env) {
  return detail::div<F64>(a, b, env);
}
uint64_t f64_sqrt(uint64_t a, Env& env) {
  return detail::sqrt<F64>(a, env);
}
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, Env& env) {
  return detail::muladd<F64>(a, b, c, env);
}

}  // namespace silica::fp
