// Comparisons, minimumNumber/maximumNumber and classification.
#include "cores/fp/format.h"

namespace silica::fp {
namespace detail {
namespace {

// a < b for two non-NaN encodings (-0 == +0).
template <class F>
bool less(typename F::Bits a, typename F::Bits b) {
  using T = Traits<F>;
  if (T::sign(a) != T::sign(b)) return T::sign(a) && !(T::is_zero(a) && T::is_zero(b));
  return T::sign(a) ? a > b : a < b;
}

template <class F>
bool equal(typename F::Bits a, typename F::Bits b) {
  using T = Traits<F>;
  return a == b || (T::is_zero(a) && T::is_zero(b));
}

template <class F>
bool eq(typename F::Bits a, typename F::Bits b, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a) || T::is_nan(b)) {
    if (T::is_snan(a) || T::is_snan(b)) env.flags |= flag::kInvalid;
    return false;
  }
  return equal<F>(a, b);
}

template <class F>
bool lt(typename F::Bits a, typename F::Bits b, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a) || T::is_nan(b)) {
    env.flags |= flag::kInvalid;
    return false;
  }
  return less<F>(a, b);
}

template <class F>
bool le(typename F::Bits a, typename F::Bits b, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a) || T::is_nan(b)) {
    env.flags |= flag::kInvalid;
    return false;
  }
  return less<F>(a, b) || equal<F>(a, b);
}

// min (want_max false) or max; -0 orders below +0.
template <class F>
typename F::Bits min_max(typename F::Bits a, typename F::Bits b, bool want_max, Env& env) {
  using T = Traits<F>;
  if (T::is_snan(a) || T::is_snan(b)) env.flags |= flag::kInvalid;
  if (T::is_nan(a) && T::is_nan(b)) return F::kCanonicalNaN;
  if (T::is_nan(a)) return b;
  if (T::is_nan(b)) return a;
  bool a_below = less<F>(a, b) || (T::is_zero(a) && T::is_zero(b) && T::sign(a));
  return a_below != want_max ? a : b;
}

template <class F>
uint32_t classify(typename F::Bits a) {
  using T = Traits<F>;
  const bool negative = T::sign(a);
  const bool exp_zero = (a & T::kExpMask) == 0;
  if (T::is_inf(a)) return negative ? 1u << 0 : 1u << 7;
  if (T::is_nan(a)) return T::is_snan(a) ? 1u << 8 : 1u << 9;
  if (T::is_zero(a)) return negative ? 1u << 3 : 1u << 4;
  if (exp_zero) return negative ? 1u << 2 : 1u << 5;
  return negative ? 1u << 1 : 1u << 6;
}

}  // namespace
}  // namespace detail

using detail::F32;
using detail::F64;

bool f32_eq(uint32_t a, uint32_t b, Env& env) {
  return detail::eq<F32>(a, b, env);
}
bool f32_lt(uint32_t a, uint32_t b, Env& env) {
  return detail::lt<F32>(a, b, env);
}
bool f32_le(uint32_t a, uint32_t b, Env& env) {
  return detail::le<F32>(a, b, env);
}
uint32_t f32_min(uint32_t a, uint32_t b, Env& env) {
  return detail::min_max<F32>(a, b, false, env);
}
uint32_t f32_max(uint32_t a, uint32_t b, Env& env) {
  return detail::min_max<F32>(a, b, true, env);
}
bool f64_eq(uint64_t a, uint64_t b, Env& env) {
  return detail::eq<F64>(a, b, env);
}
bool f64_lt(uint64_t a, uint64_t b, Env& env) {
  return detail::lt<F64>(a, b, env);
}
bool f64_le(uint64_t a, uint64_t b, Env& env) {
  return detail::le<F64>(a, b, env);
}
uint64_t f64_min(uint64_t a, uint64_t b, Env& env) {
  return detail::min_max<F64>(a, b, false, env);
}
uint64_t f64_max(uint64_t a, uint64_t b, Env& env) {
  return detail::min_max<F64>(a, b, true, env);
}
uint32_t f32_class(uint32_t a) {
  return detail::classify<F32>(a);
}
uint32_t f64_class(uint64_t a) {
  return detail::classify<F64>(a);
}

}  // namespace silica::fp
