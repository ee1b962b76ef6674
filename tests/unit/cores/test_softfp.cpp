// cores/fp edge cases by hand: RMM ties, tininess after rounding, signalling
// NaNs, signed zeros, minimumNumber/maximumNumber, comparisons, fclass and
// RISC-V's saturating float-to-integer conversions. (test_softfp_host.cpp
// compares random operands with the host's FPU.)
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "cores/fp/softfp.h"

namespace silica::fp {
namespace {

constexpr Rounding RNE = Rounding::kNearestEven, RTZ = Rounding::kTowardZero, RDN = Rounding::kDown,
                   RUP = Rounding::kUp, RMM = Rounding::kNearestMax;
constexpr uint8_t NX = flag::kInexact, UF = flag::kUnderflow, OF = flag::kOverflow,
                  DZ = flag::kDivByZero, NV = flag::kInvalid;

constexpr uint32_t kOne = 0x3f800000, kTwo = 0x40000000, kMinSub = 1, kMinNormal = 0x00800000,
                   kMax = 0x7f7fffff, kInf = 0x7f800000, kQNaN = 0x7fc00000, kSNaN = 0x7f800001,
                   kNeg = 0x80000000;
constexpr uint64_t kOne64 = 0x3ff0000000000000, kInf64 = 0x7ff0000000000000,
                   kSNaN64 = 0x7ff0000000000001;

struct Result32 {
  uint32_t value;
  uint8_t flags;
  bool operator==(const Result32&) const = default;
};

template <class Fn>
Result32 run(Rounding rm, Fn fn) {
  Env env{rm, 0};
  uint32_t v = fn(env);
  return {v, env.flags};
}

std::ostream& operator<<(std::ostream& os, const Result32& r) {
  return os << std::hex << "{0x" << r.value << ", flags 0x" << int(r.flags) << "}";
}

TEST(SoftFp, RmmRoundsTiesAwayFromZero) {
  // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23.
  const uint32_t half_ulp = 0x33800000;  // 2^-24
  auto add = [&](Rounding rm, uint32_t a) {
    return run(rm, [&](Env& e) { return f32_add(a, half_ulp | (a & kNeg), e); });
  };
  EXPECT_EQ(add(RNE, kOne), (Result32{kOne, NX}));
  EXPECT_EQ(add(RMM, kOne), (Result32{kOne + 1, NX}));
  EXPECT_EQ(add(RMM, kOne | kNeg), (Result32{(kOne + 1) | kNeg, NX}));
  // 1 + 3 * 2^-24: halfway between odd and even; both nearest modes go up.
  EXPECT_EQ(add(RNE, kOne + 1), (Result32{kOne + 2, NX}));
  EXPECT_EQ(add(RMM, kOne + 1), (Result32{kOne + 2, NX}));
  // Not a tie: RMM is round-to-nearest.
  EXPECT_EQ(run(RMM, [&](Env& e) { return f32_add(kOne, 0x33000000, e); }), (Result32{kOne, NX}));
  // Overflow in RMM goes to infinity.
  EXPECT_EQ(run(RMM, [&](Env& e) { return f32_mul(kMax, kTwo, e); }), (Result32{kInf, OF | NX}));
  // Half the smallest subnormal: a tie between 0 and it.
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_mul(kMinSub, 0x3f000000, e); }),
            (Result32{0, UF | NX}));
  EXPECT_EQ(run(RMM, [&](Env& e) { return f32_mul(kMinSub, 0x3f000000, e); }),
            (Result32{kMinSub, UF | NX}));
  // Integer conversion: 2.5 -> 3 in RMM, 2 in RNE; -2.5 -> -3.
  Env env{RMM, 0};
  EXPECT_EQ(f32_to_i32(0x40200000, env), 3u);
  EXPECT_EQ(f32_to_i32(0xc0200000, env), uint32_t(-3));
  env.rm = RNE;
  EXPECT_EQ(f32_to_i32(0x40200000, env), 2u);
  EXPECT_EQ(env.flags, NX);
}

// RMM on random products and sums against exact double arithmetic: binary32
// products and close sums are exact in binary64.
TEST(SoftFp, RmmMatchesExactReference) {
  std::mt19937 rng(42);
  auto to_f = [](uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  };
  for (int i = 0; i < 200000; ++i) {
    uint32_t a = (rng() & 0x807fffff) | ((100 + rng() % 50) << 23);
    uint32_t b = (rng() & 0x807fffff) | ((100 + rng() % 50) << 23);
    if (i % 2) b = (b & ~0x7f800000u) | (a & 0x7f800000u);  // equal exponents: many ties
    for (bool mul : {false, true}) {
      double exact = mul ? double(to_f(a)) * double(to_f(b)) : double(to_f(a)) + double(to_f(b));
      Env rtz{RTZ, 0}, rne{RNE, 0}, rmm{RMM, 0};
      uint32_t toward = mul ? f32_mul(a, b, rtz) : f32_add(a, b, rtz);
      uint32_t nearest = mul ? f32_mul(a, b, rne) : f32_add(a, b, rne);
      uint32_t got = mul ? f32_mul(a, b, rmm) : f32_add(a, b, rmm);
      uint32_t away = (toward & 0x7fffffff) == 0 ? toward : toward + 1;  // next larger magnitude
      bool tie = (rtz.flags & NX) && exact - double(to_f(toward)) == double(to_f(away)) - exact;
      ASSERT_EQ(got, tie ? away : nearest) << std::hex << a << (mul ? " * " : " + ") << b;
      ASSERT_EQ(rmm.flags, rne.flags);
    }
  }
}

TEST(SoftFp, TininessIsDetectedAfterRounding) {
  // 0x007fffff * (1 + 2^-23) just below 2^-126: rounds up to the smallest
  // normal. RNE: not tiny after rounding, so no underflow; RTZ: tiny.
  const uint32_t just_below = 0x007fffff, one_plus = kOne + 1;
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_mul(just_below, one_plus, e); }),
            (Result32{kMinNormal, NX}));
  EXPECT_EQ(run(RTZ, [&](Env& e) { return f32_mul(just_below, one_plus, e); }),
            (Result32{just_below, UF | NX}));
  // Exact subnormal results raise nothing.
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_mul(0x00000002, 0x3f000000, e); }),
            (Result32{kMinSub, 0}));
  // Subnormal plus subnormal is exact.
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(0x00400000, 0x00400000, e); }),
            (Result32{kMinNormal, 0}));
}

TEST(SoftFp, OverflowDependsOnRoundingDirection) {
  auto mul = [&](Rounding rm, uint32_t a) {
    return run(rm, [&](Env& e) { return f32_mul(a, kTwo, e); });
  };
  EXPECT_EQ(mul(RNE, kMax), (Result32{kInf, OF | NX}));
  EXPECT_EQ(mul(RTZ, kMax), (Result32{kMax, OF | NX}));
  EXPECT_EQ(mul(RDN, kMax), (Result32{kMax, OF | NX}));
  EXPECT_EQ(mul(RUP, kMax), (Result32{kInf, OF | NX}));
  EXPECT_EQ(mul(RDN, kMax | kNeg), (Result32{kInf | kNeg, OF | NX}));
  EXPECT_EQ(mul(RUP, kMax | kNeg), (Result32{kMax | kNeg, OF | NX}));
}

TEST(SoftFp, NaNsAreCanonicalAndSignallingOnesRaiseInvalid) {
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(kQNaN | kNeg | 5, kOne, e); }),
            (Result32{kQNaN, 0}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(kSNaN, kOne, e); }), (Result32{kQNaN, NV}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(kInf, kInf | kNeg, e); }), (Result32{kQNaN, NV}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_mul(kInf, 0, e); }), (Result32{kQNaN, NV}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_div(0, 0, e); }), (Result32{kQNaN, NV}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_div(kOne | kNeg, 0, e); }),
            (Result32{kInf | kNeg, DZ}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_sqrt(kOne | kNeg, e); }), (Result32{kQNaN, NV}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_sqrt(kNeg, e); }), (Result32{kNeg, 0}));
  // fma: inf * 0 + qNaN is invalid on RISC-V.
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_muladd(kInf, 0, kQNaN, e); }), (Result32{kQNaN, NV}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_muladd(kOne, kOne, kSNaN, e); }),
            (Result32{kQNaN, NV}));
  Env env;
  EXPECT_EQ(f32_to_f64(kSNaN, env), kF64CanonicalNaN);
  EXPECT_EQ(env.flags, NV);
  env = Env{};
  EXPECT_EQ(f64_to_f32(kSNaN64, env), kQNaN);
  EXPECT_EQ(env.flags, NV);
}

TEST(SoftFp, SignedZeros) {
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(kOne, kOne | kNeg, e); }), (Result32{0, 0}));
  EXPECT_EQ(run(RDN, [&](Env& e) { return f32_add(kOne, kOne | kNeg, e); }), (Result32{kNeg, 0}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(kNeg, kNeg, e); }), (Result32{kNeg, 0}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_add(kNeg, 0, e); }), (Result32{0, 0}));
  // -(0 * 1) - 0 (fnmadd) is -0; 0 * -1 + 0 is +0 except rounding down.
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_muladd(0 | kNeg, kOne, kNeg, e); }),
            (Result32{kNeg, 0}));
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_muladd(0, kOne | kNeg, 0, e); }), (Result32{0, 0}));
  EXPECT_EQ(run(RDN, [&](Env& e) { return f32_muladd(0, kOne | kNeg, 0, e); }),
            (Result32{kNeg, 0}));
  // Exact cancellation in a fused multiply-add.
  EXPECT_EQ(run(RNE, [&](Env& e) { return f32_muladd(kTwo, kOne, kTwo | kNeg, e); }),
            (Result32{0, 0}));
}

TEST(SoftFp, MinMaxAreMinimumNumberMaximumNumber) {
  Env env;
  EXPECT_EQ(f32_min(0, kNeg, env), kNeg);
  EXPECT_EQ(f32_min(kNeg, 0, env), kNeg);
  EXPECT_EQ(f32_max(kNeg, 0, env), 0u);
  EXPECT_EQ(f32_max(0, kNeg, env), 0u);
  EXPECT_EQ(f32_min(kQNaN, kOne, env), kOne);
  EXPECT_EQ(f32_max(kOne, kQNaN, env), kOne);
  EXPECT_EQ(env.flags, 0);
  EXPECT_EQ(f32_min(kSNaN, kOne, env), kOne);
  EXPECT_EQ(env.flags, NV);
  env = Env{};
  EXPECT_EQ(f32_max(kQNaN | 3, kSNaN, env), kQNaN);
  EXPECT_EQ(env.flags, NV);
  EXPECT_EQ(f32_min(kOne | kNeg, kTwo | kNeg, env), kTwo | kNeg);
  EXPECT_EQ(f64_max(kOne64, kInf64, env), kInf64);
}

TEST(SoftFp, QuietAndSignallingComparisons) {
  Env env;
  EXPECT_FALSE(f32_eq(kQNaN, kQNaN, env));
  EXPECT_TRUE(f32_eq(0, kNeg, env));
  EXPECT_TRUE(f32_le(kNeg, 0, env));
  EXPECT_FALSE(f32_lt(kNeg, 0, env));
  EXPECT_TRUE(f32_lt(kTwo | kNeg, kOne | kNeg, env));
  EXPECT_EQ(env.flags, 0);  // feq is quiet for quiet NaNs
  EXPECT_FALSE(f32_eq(kSNaN, kOne, env));
  EXPECT_EQ(env.flags, NV);
  env = Env{};
  EXPECT_FALSE(f32_lt(kQNaN, kOne, env));  // flt/fle signal on any NaN
  EXPECT_EQ(env.flags, NV);
  env = Env{};
  EXPECT_FALSE(f64_le(kOne64, kF64CanonicalNaN, env));
  EXPECT_EQ(env.flags, NV);
}

TEST(SoftFp, Classify) {
  EXPECT_EQ(f32_class(kInf | kNeg), 1u << 0);
  EXPECT_EQ(f32_class(kOne | kNeg), 1u << 1);
  EXPECT_EQ(f32_class(kMinSub | kNeg), 1u << 2);
  EXPECT_EQ(f32_class(kNeg), 1u << 3);
  EXPECT_EQ(f32_class(0), 1u << 4);
  EXPECT_EQ(f32_class(kMinSub), 1u << 5);
  EXPECT_EQ(f32_class(kMinNormal), 1u << 6);
  EXPECT_EQ(f32_class(kInf), 1u << 7);
  EXPECT_EQ(f32_class(kSNaN), 1u << 8);
  EXPECT_EQ(f32_class(kQNaN), 1u << 9);
  EXPECT_EQ(f64_class(kSNaN64), 1u << 8);
  EXPECT_EQ(f64_class(1), 1u << 5);
}

TEST(SoftFp, IntegerConversionsSaturate) {
  auto conv = [](auto fn, auto value, Rounding rm = RTZ) {
    Env env{rm, 0};
    auto r = fn(value, env);
    return std::make_pair(uint64_t(r), env.flags);
  };
  using P = std::pair<uint64_t, uint8_t>;
  EXPECT_EQ(conv(f32_to_i32, kQNaN), (P{0x7fffffff, NV}));
  EXPECT_EQ(conv(f32_to_u32, kQNaN), (P{0xffffffff, NV}));
  EXPECT_EQ(conv(f32_to_i32, kInf | kNeg), (P{0x80000000, NV}));
  EXPECT_EQ(conv(f32_to_u32, kInf | kNeg), (P{0, NV}));
  EXPECT_EQ(conv(f32_to_i32, 0x4f000000u), (P{0x7fffffff, NV}));          // 2^31
  EXPECT_EQ(conv(f32_to_i32, 0xcf000000u), (P{0x80000000, 0}));           // -2^31 fits
  EXPECT_EQ(conv(f32_to_u32, 0x4f800000u), (P{0xffffffff, NV}));          // 2^32
  EXPECT_EQ(conv(f32_to_u32, 0xbe99999au), (P{0, NX}));                   // -0.3 -> 0
  EXPECT_EQ(conv(f32_to_u32, 0xbf333333u, RNE), (P{0, NV}));              // -0.7 -> -1
  EXPECT_EQ(conv(f32_to_u32, 0xbf333333u, RTZ), (P{0, NX}));              // -0.7 -> -0
  EXPECT_EQ(conv(f64_to_i64, 0xc3e0000000000000u), (P{1ull << 63, 0}));   // -2^63
  EXPECT_EQ(conv(f64_to_i64, 0x43e0000000000000u), (P{~0ull >> 1, NV}));  // 2^63
  EXPECT_EQ(conv(f64_to_u64, 0x43efffffffffffffu), (P{0xfffffffffffff800, 0}));
  EXPECT_EQ(conv(f64_to_u64, kInf64), (P{~0ull, NV}));
  EXPECT_EQ(conv(f32_to_i64, 0x3f000000u, RUP), (P{1, NX}));      // 0.5 -> 1
  EXPECT_EQ(conv(f32_to_i64, 0xbf000000u, RDN), (P{~0ull, NX}));  // -0.5 -> -1
  EXPECT_EQ(conv(f32_to_i64, kMinSub, RNE), (P{0, NX}));
  EXPECT_EQ(conv(u64_to_f32, ~0ull, RNE), (P{0x5f800000, NX}));  // 2^64
  EXPECT_EQ(conv(u64_to_f32, ~0ull, RTZ), (P{0x5f7fffff, NX}));
  EXPECT_EQ(conv(i32_to_f64, 0x80000000u, RNE), (P{0xc1e0000000000000, 0}));
  EXPECT_EQ(conv(u32_to_f32, 0u, RDN), (P{0, 0}));  // +0 even rounding down
}

}  // namespace
}  // namespace silica::fp
