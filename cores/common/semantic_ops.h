// The operations of the ISA semantics language, as the generated interpreter
// uses them. Each is defined for every input (the language has no undefined
// behaviour): shifts take their amount modulo the operand width, division by
// zero and signed overflow give RISC-V's results, and narrow or signed
// arithmetic wraps instead of overflowing.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace silica {

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using s8 = int8_t;
using s16 = int16_t;
using s32 = int32_t;
using s64 = int64_t;

namespace sem {

template <unsigned XLEN>
using uxlen = std::conditional_t<XLEN == 64, uint64_t, uint32_t>;
template <unsigned XLEN>
using sxlen = std::conditional_t<XLEN == 64, int64_t, int32_t>;

template <class T>
constexpr unsigned kBits = sizeof(T) * 8;

// Arithmetic happens on an unsigned type at least as wide as int, so narrow
// and signed values wrap instead of promoting into signed overflow.
template <class T>
using wide_unsigned = std::conditional_t<(sizeof(T) < 4), uint32_t, std::make_unsigned_t<T>>;

template <class T>
constexpr T add(T a, T b) {
  return T(wide_unsigned<T>(a) + wide_unsigned<T>(b));
}
template <class T>
constexpr T sub(T a, T b) {
  return T(wide_unsigned<T>(a) - wide_unsigned<T>(b));
}
template <class T>
constexpr T mul(T a, T b) {
  return T(wide_unsigned<T>(a) * wide_unsigned<T>(b));
}
template <class T>
constexpr T neg(T a) {
  return T(wide_unsigned<T>(0) - wide_unsigned<T>(a));
}
template <class T>
constexpr T bit_and(T a, T b) {
  return T(a & b);
}
template <class T>
constexpr T bit_or(T a, T b) {
  return T(a | b);
}
template <class T>
constexpr T bit_xor(T a, T b) {
  return T(a ^ b);
}

template <class T, class S>
constexpr T shl(T a, S amount) {
  return T(wide_unsigned<T>(a) << (unsigned(amount) & (kBits<T> - 1)));
}
// Arithmetic for signed T, logical for unsigned T.
template <class T, class S>
constexpr T shr(T a, S amount) {
  return T(a >> (unsigned(amount) & (kBits<T> - 1)));
}

template <class T>
constexpr T div(T a, T b) {
  if (b == 0) return T(~T(0));
  if constexpr (std::is_signed_v<T>) {
    if (a == std::numeric_limits<T>::min() && b == T(-1)) return a;
  }
  return T(a / b);
}
template <class T>
constexpr T rem(T a, T b) {
  if (b == 0) return a;
  if constexpr (std::is_signed_v<T>) {
    if (a == std::numeric_limits<T>::min() && b == T(-1)) return 0;
  }
  return T(a % b);
}

// Sign- or zero-extends from the width of the argument's type to XLEN (To).
template <class To, class From>
constexpr To sext(From v) {
  return To(std::make_signed_t<To>(std::make_signed_t<From>(v)));
}
template <class To, class From>
constexpr To zext(From v) {
  return To(std::make_unsigned_t<From>(v));
}

// High halves of XLEN x XLEN products.
template <class T>
constexpr T mulh_uu(T a, T b) {
  if constexpr (sizeof(T) == 8) {
    return T((unsigned __int128)a * b >> 64);
  } else {
    return T(uint64_t(a) * b >> 32);
  }
}
template <class T>
constexpr T mulh_ss(T a, T b) {
  using S = std::make_signed_t<T>;
  if constexpr (sizeof(T) == 8) {
    return T((__int128)S(a) * S(b) >> 64);
  } else {
    return T(uint64_t(int64_t(S(a)) * S(b)) >> 32);
  }
}
template <class T>
constexpr T mulh_su(T a, T b) {
  using S = std::make_signed_t<T>;
  if constexpr (sizeof(T) == 8) {
    return T(((__int128)S(a) * (unsigned __int128)b) >> 64);
  } else {
    return T(uint64_t(int64_t(S(a)) * int64_t(uint64_t(b))) >> 32);
  }
}

}  // namespace sem
}  // namespace silica
