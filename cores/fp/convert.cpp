// Conversions between the two widths and to and from integers.
#include "cores/fp/format.h"

namespace silica::fp {
namespace detail {
namespace {

template <class To, class From>
typename To::Bits convert(typename From::Bits a, Env& env) {
  using S = Traits<From>;
  using D = Traits<To>;
  if (S::is_nan(a)) {
    if (S::is_snan(a)) env.flags |= flag::kInvalid;
    return To::kCanonicalNaN;
  }
  if (S::is_inf(a)) return D::infinity(S::sign(a));
  if (S::is_zero(a)) return D::zero(S::sign(a));
  Unpacked u = unpack<From>(a);
  return round_pack<To>(u.sign, u.exp, u.sig, env);
}

template <class F>
typename F::Bits from_int(bool negative, uint64_t magnitude, Env& env) {
  if (magnitude == 0) return 0;
  int exp = 62;  // magnitude * 2^0 == magnitude * 2^(62 - 62)
  normalize(magnitude, exp);
  return round_pack<F>(negative, exp, magnitude, env);
}

// The integer type's limits: |most negative| and the largest positive value.
struct IntRange {
  bool is_signed;
  int width;
  u128 max_positive() const {
    return is_signed ? (u128(1) << (width - 1)) - 1 : (u128(1) << width) - 1;
  }
  u128 max_negative() const { return is_signed ? u128(1) << (width - 1) : 0; }
  uint64_t saturated(bool negative) const {
    if (!negative) return uint64_t(max_positive());
    return is_signed ? uint64_t(0) - uint64_t(max_negative()) : 0;
  }
};

template <class F>
uint64_t to_int(typename F::Bits a, IntRange range, Env& env) {
  using T = Traits<F>;
  if (T::is_nan(a)) {
    env.flags |= flag::kInvalid;
    return range.saturated(false);
  }
  const bool negative = T::sign(a);
  if (T::is_inf(a)) {
    env.flags |= flag::kInvalid;
    return range.saturated(negative);
  }
  if (T::is_zero(a)) return 0;
  Unpacked u = unpack<F>(a);
  if (u.exp >= 64) {  // |a| >= 2^64: out of every range
    env.flags |= flag::kInvalid;
    return range.saturated(negative);
  }
  // Fixed point with 64 fraction bits: sig * 2^(exp - 62) = fixed * 2^-64.
  u128 fixed =
      u.exp + 2 >= 0 ? u128(u.sig) << (u.exp + 2) : u128(shift_right_jam(u.sig, -(u.exp + 2)));
  const uint64_t whole_low = uint64_t(fixed >> 64), fraction = uint64_t(fixed);
  const bool up =
      round_increment(negative, (whole_low & 1) != 0, fraction, uint64_t(1) << 63, env.rm);
  const u128 magnitude = (fixed >> 64) + (up ? 1 : 0);
  if (magnitude > (negative ? range.max_negative() : range.max_positive())) {
    env.flags |= flag::kInvalid;
    return range.saturated(negative);
  }
  if (fraction != 0) env.flags |= flag::kInexact;
  return negative ? uint64_t(0) - uint64_t(magnitude) : uint64_t(magnitude);
}

constexpr IntRange kI32{true, 32}, kU32{false, 32}, kI64{true, 64}, kU64{false, 64};

uint64_t magnitude_of(int64_t v) {
  return v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
}

}  // namespace
}  // namespace detail

using detail::F32;
using detail::F64;

uint64_t f32_to_f64(uint32_t a, Env& env) {
  return detail::convert<F64, F32>(a, env);
}
uint32_t f64_to_f32(uint64_t a, Env& env) {
  return detail::convert<F32, F64>(a, env);
}

uint32_t f32_to_i32(uint32_t a, Env& env) {
  return uint32_t(detail::to_int<F32>(a, detail::kI32, env));
}
uint32_t f32_to_u32(uint32_t a, Env& env) {
  return uint32_t(detail::to_int<F32>(a, detail::kU32, env));
}
uint64_t f32_to_i64(uint32_t a, Env& env) {
  return detail::to_int<F32>(a, detail::kI64, env);
}
uint64_t f32_to_u64(uint32_t a, Env& env) {
  return detail::to_int<F32>(a, detail::kU64, env);
}
uint32_t f64_to_i32(uint64_t a, Env& env) {
  return uint32_t(detail::to_int<F64>(a, detail::kI32, env));
}
uint32_t f64_to_u32(uint64_t a, Env& env) {
  return uint32_t(detail::to_int<F64>(a, detail::kU32, env));
}
uint64_t f64_to_i64(uint64_t a, Env& env) {
  return detail::to_int<F64>(a, detail::kI64, env);
}
uint64_t f64_to_u64(uint64_t a, Env& env) {
  return detail::to_int<F64>(a, detail::kU64, env);
}

uint32_t i32_to_f32(uint32_t a, Env& env) {
  return detail::from_int<F32>(int32_t(a) < 0, detail::magnitude_of(int32_t(a)), env);
}
uint32_t u32_to_f32(uint32_t a, Env& env) {
  return detail::from_int<F32>(false, a, env);
}
uint32_t i64_to_f32(uint64_t a, Env& env) {
  return detail::from_int<F32>(int64_t(a) < 0, detail::magnitude_of(int64_t(a)), env);
}
uint32_t u64_to_f32(uint64_t a, Env& env) {
  return detail::from_int<F32>(false, a, env);
}
uint64_t i32_to_f64(uint32_t a, Env& env) {
  return detail::from_int<F64>(int32_t(a) < 0, detail::magnitude_of(int32_t(a)), env);
}
uint64_t u32_to_f64(uint32_t a, Env& env) {
  return detail::from_int<F64>(false, a, env);
}
uint64_t i64_to_f64(uint64_t a, Env& env) {
  return detail::from_int<F64>(int64_t(a) < 0, detail::magnitude_of(int64_t(a)), env);
}
uint64_t u64_to_f64(uint64_t a, Env& env) {
  return detail::from_int<F64>(false, a, env);
}

}  // namespace silica::fp
