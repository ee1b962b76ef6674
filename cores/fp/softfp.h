// IEEE 754-2008 binary32/binary64 arithmetic in software, bit-exact in every
// rounding mode, with the five exception flags. NaN results are always the
// canonical quiet NaN, as RISC-V requires (no payload propagation); tininess
// is detected after rounding. Values travel as their encodings (uint32_t /
// uint64_t), so no host floating-point state is involved anywhere.
#pragma once

#include <cstdint>

namespace silica::fp {

// Rounding modes, numbered as RISC-V's rm field and frm CSR.
enum class Rounding : uint8_t {
  kNearestEven = 0,  // RNE
  kTowardZero = 1,   // RTZ
  kDown = 2,         // RDN, toward -infinity
  kUp = 3,           // RUP, toward +infinity
  kNearestMax = 4,   // RMM, ties to max magnitude (away from zero)
};

// Exception flags, as the bits of RISC-V's fflags.
namespace flag {
constexpr uint8_t kInexact = 1, kUnderflow = 2, kOverflow = 4, kDivByZero = 8, kInvalid = 16;
}

// The rounding mode an operation uses and the flags it raised (accumulated).
struct Env {
  Rounding rm = Rounding::kNearestEven;
  uint8_t flags = 0;
};

constexpr uint32_t kF32CanonicalNaN = 0x7fc00000;
constexpr uint64_t kF64CanonicalNaN = 0x7ff8000000000000;

// Arithmetic. Subtraction is addition of the operand with its sign flipped,
// which IEEE 754 makes exact (signs of zero included).
uint32_t f32_add(uint32_t a, uint32_t b, Env& env);
uint32_t f32_mul(uint32_t a, uint32_t b, Env& env);
uint32_t f32_div(uint32_t a, uint32_t b, Env& env);
uint32_t f32_sqrt(uint32_t a, Env& env);
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, Env& env);  // a*b+c, one rounding
uint64_t f64_add(uint64_t a, uint64_t b, Env& env);
uint64_t f64_mul(uint64_t a, uint64_t b, Env& env);
uint64_t f64_div(uint64_t a, uint64_t b, Env& env);
uint64_t f64_sqrt(uint64_t a, Env& env);
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, Env& env);

// Comparisons: eq is quiet (invalid only for signalling NaNs), lt and le
// signal on any NaN. min and max are IEEE 754-2019 minimumNumber and
// maximumNumber (-0 < +0; a single NaN operand yields the other one).
bool f32_eq(uint32_t a, uint32_t b, Env& env);
bool f32_lt(uint32_t a, uint32_t b, Env& env);
bool f32_le(uint32_t a, uint32_t b, Env& env);
uint32_t f32_min(uint32_t a, uint32_t b, Env& env);
uint32_t f32_max(uint32_t a, uint32_t b, Env& env);
bool f64_eq(uint64_t a, uint64_t b, Env& env);
bool f64_lt(uint64_t a, uint64_t b, Env& env);
bool f64_le(uint64_t a, uint64_t b, Env& env);
uint64_t f64_min(uint64_t a, uint64_t b, Env& env);
uint64_t f64_max(uint64_t a, uint64_t b, Env& env);

// RISC-V's fclass: one bit of ten (-inf, -normal, -subnormal, -0, +0,
// +subnormal, +normal, +inf, signalling NaN, quiet NaN).
uint32_t f32_class(uint32_t a);
uint32_t f64_class(uint64_t a);

// Width conversions.
uint64_t f32_to_f64(uint32_t a, Env& env);
uint32_t f64_to_f32(uint64_t a, Env& env);

// Float to integer, rounded in env.rm. Out of range (after rounding), NaN and
// infinities raise invalid and give RISC-V's saturated results: the largest
// value of the type for NaN and positive overflow, the smallest for negative.
// Results are the integer's bits (signed ones as two's complement).
uint32_t f32_to_i32(uint32_t a, Env& env);
uint32_t f32_to_u32(uint32_t a, Env& env);
uint64_t f32_to_i64(uint32_t a, Env& env);
uint64_t f32_to_u64(uint32_t a, Env& env);
uint32_t f64_to_i32(uint64_t a, Env& env);
uint32_t f64_to_u32(uint64_t a, Env& env);
uint64_t f64_to_i64(uint64_t a, Env& env);
uint64_t f64_to_u64(uint64_t a, Env& env);

// Integer to float, rounded in env.rm.
uint32_t i32_to_f32(uint32_t a, Env& env);
uint32_t u32_to_f32(uint32_t a, Env& env);
uint32_t i64_to_f32(uint64_t a, Env& env);
uint32_t u64_to_f32(uint64_t a, Env& env);
uint64_t i32_to_f64(uint32_t a, Env& env);
uint64_t u32_to_f64(uint32_t a, Env& env);
uint64_t i64_to_f64(uint64_t a, Env& env);
uint64_t u64_to_f64(uint64_t a, Env& env);

}  // namespace silica::fp
