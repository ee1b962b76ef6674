// Internal to cores/fp: the two binary formats, decoding of encodings into
// sign/exponent/significand, and the one rounding routine every operation
// ends in.
//
// An unpacked finite non-zero value is sig * 2^(exp - 62) with sig's most
// significant one at bit 62: the bits below the format's precision are round
// bits, and a "jammed" shift keeps a sticky one in bit 0 for anything shifted
// out, which is all that correct rounding needs of them.
#pragma once

#include <bit>
#include <cstdint>

#include "cores/fp/softfp.h"

namespace silica::fp::detail {

using u128 = unsigned __int128;

struct F32 {
  using Bits = uint32_t;
  static constexpr int kFracBits = 23, kExpBits = 8, kBias = 127;
  static constexpr Bits kCanonicalNaN = kF32CanonicalNaN;
};
struct F64 {
  using Bits = uint64_t;
  static constexpr int kFracBits = 52, kExpBits = 11, kBias = 1023;
  static constexpr Bits kCanonicalNaN = kF64CanonicalNaN;
};

template <class F>
struct Traits {
  using Bits = typename F::Bits;
  static constexpr int kWidth = F::kFracBits + F::kExpBits + 1;
  static constexpr Bits kSign = Bits(1) << (kWidth - 1);
  static constexpr Bits kFracMask = (Bits(1) << F::kFracBits) - 1;
  static constexpr Bits kExpMask = Bits((1u << F::kExpBits) - 1) << F::kFracBits;
  static constexpr Bits kQuietBit = Bits(1) << (F::kFracBits - 1);
  static constexpr Bits kInfinity = kExpMask;
  static constexpr Bits kMaxFinite = kExpMask - (Bits(1) << F::kFracBits) + kFracMask;
  static constexpr int kEmin = 1 - F::kBias, kEmax = F::kBias;
  static constexpr int kPrecision = F::kFracBits + 1;
  static constexpr int kRoundBits = 63 - kPrecision;  // bits below the precision in sig

  static bool sign(Bits a) { return (a & kSign) != 0; }
  static bool is_nan(Bits a) { return (a & kExpMask) == kExpMask && (a & kFracMask) != 0; }
  static bool is_snan(Bits a) { return is_nan(a) && (a & kQuietBit) == 0; }
  static bool is_inf(Bits a) { return (a & ~kSign) == kInfinity; }
  static bool is_zero(Bits a) { return (a & ~kSign) == 0; }
  static Bits zero(bool negative) { return negative ? kSign : 0; }
  static Bits infinity(bool negative) { return zero(negative) | kInfinity; }
};

inline uint64_t shift_right_jam(uint64_t v, int n) {
  if (n <= 0) return v;
  if (n >= 64) return v != 0;
  return (v >> n) | ((v & ((uint64_t(1) << n) - 1)) != 0);
}

inline u128 shift_right_jam(u128 v, int n) {
  if (n <= 0) return v;
  if (n >= 128) return v != 0;
  return (v >> n) | u128((v & ((u128(1) << n) - 1)) != 0);
}

inline int leading_zeros(u128 v) {
  uint64_t hi = uint64_t(v >> 64);
  return hi != 0 ? std::countl_zero(hi) : 64 + std::countl_zero(uint64_t(v));
}

struct Unpacked {
  bool sign;
  int exp;
  uint64_t sig;
};

// Moves sig's leading one to bit 62, adjusting exp (sig != 0).
inline void normalize(uint64_t& sig, int& exp) {
  int shift = std::countl_zero(sig) - 1;
  if (shift > 0) {
    sig <<= shift;
    exp -= shift;
  } else if (shift < 0) {
    sig = shift_right_jam(sig, 1);
    exp += 1;
  }
}

// A finite, non-zero encoding.
template <class F>
Unpacked unpack(typename F::Bits a) {
  using T = Traits<F>;
  int biased = int((a & T::kExpMask) >> F::kFracBits);
  uint64_t frac = a & T::kFracMask;
  Unpacked u{T::sign(a), 0, 0};
  if (biased == 0) {  // subnormal
    u.exp = T::kEmin;
    u.sig = frac << (62 - F::kFracBits);
    normalize(u.sig, u.exp);
  } else {
    u.exp = biased - F::kBias;
    u.sig = (frac | (uint64_t(1) << F::kFracBits)) << (62 - F::kFracBits);
  }
  return u;
}

// Whether rounding increments the kept part (odd: its lowest bit) for the
// dropped bits `rest`, where `half` is the dropped bits' midpoint.
inline bool round_increment(bool negative, bool odd, uint64_t rest, uint64_t half, Rounding rm) {
  switch (rm) {
    case Rounding::kNearestEven:
      return rest > half || (rest == half && odd);
    case Rounding::kNearestMax:
      return rest >= half;
    case Rounding::kDown:
      return negative && rest != 0;
    case Rounding::kUp:
      return !negative && rest != 0;
    case Rounding::kTowardZero:
      break;
  }
  return false;
}

// The same for dropping the low round_bits (>= 1) bits of sig.
inline bool round_up(bool negative, uint64_t sig, int round_bits, Rounding rm) {
  const uint64_t mask = (uint64_t(1) << round_bits) - 1;
  return round_increment(negative, ((sig >> round_bits) & 1) != 0, sig & mask,
                         uint64_t(1) << (round_bits - 1), rm);
}

// Rounds sig * 2^(exp - 62) (sig normalised, non-zero) to format F in env.rm,
// raising inexact, underflow (tiny after rounding and inexact) and overflow.
template <class F>
typename F::Bits round_pack(bool negative, int exp, uint64_t sig, Env& env) {
  using T = Traits<F>;
  using Bits = typename F::Bits;
  constexpr int kR = T::kRoundBits;
  bool tiny = false;
  if (exp < T::kEmin) {
    // Tiny unless rounding to full precision with an unbounded exponent
    // would carry up to 2^emin.
    bool carries = exp == T::kEmin - 1 && (sig >> kR) == (uint64_t(1) << T::kPrecision) - 1 &&
                   round_up(negative, sig, kR, env.rm);
    tiny = !carries;
    sig = shift_right_jam(sig, T::kEmin - exp);
    exp = T::kEmin;
  }
  const bool inexact = (sig & ((uint64_t(1) << kR) - 1)) != 0;
  uint64_t q = (sig >> kR) + (round_up(negative, sig, kR, env.rm) ? 1 : 0);
  if (q == uint64_t(1) << T::kPrecision) {  // rounded up to the next power of two
    q >>= 1;
    ++exp;
  }
  if (inexact) env.flags |= flag::kInexact | (tiny ? flag::kUnderflow : 0);
  if (exp > T::kEmax) {
    env.flags |= flag::kOverflow | flag::kInexact;
    const Rounding rm = env.rm;
    bool to_infinity = rm == Rounding::kNearestEven || rm == Rounding::kNearestMax ||
                       (rm == Rounding::kDown && negative) || (rm == Rounding::kUp && !negative);
    return T::zero(negative) | (to_infinity ? T::kInfinity : T::kMaxFinite);
  }
  // q's hidden bit (when set) carries into the exponent field: a subnormal
  // (exp == emin, no hidden bit) gets field 0, a normal one exp + bias.
  return T::zero(negative) + (Bits(exp + F::kBias - 1) << F::kFracBits) + Bits(q);
}

// The exact zero of a sum whose terms cancel: +0, or -0 rounding down.
template <class F>
typename F::Bits cancelled_zero(const Env& env) {
  return Traits<F>::zero(env.rm == Rounding::kDown);
}

}  // namespace silica::fp::detail
