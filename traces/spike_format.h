// The line Spike's --log-commits prints for one retired instruction, so a
// silica trace diffs against `spike -l --log-commits` output:
//
//   core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000
//   core   0: 3 0x0000000080000010 (0x0082b283) x5  0x0000000000000001 mem 0x0000000080001000
//   core   0: 3 0x0000000080000014 (0x00532023) mem 0x0000000080001008 0x00000001
//   core   0: 3 0x0000000080000018 (0x4501) x10 0x0000000000000000
//
// "core", the hart id in 4 columns, ": ", the privilege, the pc in XLEN/4
// hex digits, the encoding in 4 or 8 digits, then " x<n> " with n left-aligned
// in 2 columns and the value in XLEN/4 digits per register written (x0 never),
// then " mem <addr>" per load and " mem <addr> <value>" per store (value in
// 2*size digits), loads before stores. Spike prints nothing for traps.
//
// Inline because the text writer calls it for every instruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "traces/trace_record.h"

namespace silica::trace {

// Longest line format_spike_commit writes, newline included.
inline constexpr size_t kMaxSpikeLine = 256;

namespace spike_detail {

// The 8 hex digits of a 32-bit value, most significant first, as 8 bytes in
// memory order: each nibble moves into a byte of its own, then becomes an
// ASCII digit, all nibbles at once (SWAR), with no loop and no table.
inline uint64_t hex8(uint32_t v) {
  uint64_t x = v;
  x = (x & 0xffff0000u) << 16 | (x & 0xffffu);
  x = (x & 0x0000ff000000ff00u) << 8 | (x & 0x000000ff000000ffu);
  x = (x & 0x00f000f000f000f0u) << 4 | (x & 0x000f000f000f000fu);
  // Bytes holding 10..15 get the gap between '9' + 1 and 'a' added.
  const uint64_t letters = ((x + 0x0606060606060606u) >> 4) & 0x0101010101010101u;
  x += 0x3030303030303030u + letters * ('a' - '0' - 10);
  return __builtin_bswap64(x);  // the most significant digit first in memory
}

// "0x" and the low `digits` hex digits of v (leading zeros kept; more than
// 16 digits pad with zeros). Whole 8-byte stores only, which may write up
// to 8 bytes past the digits: the line's later fields overwrite them, and
// kMaxSpikeLine leaves room at its end.
inline char* put_hex(char* p, uint64_t v, unsigned digits) {
  *p++ = '0';
  *p++ = 'x';
  for (unsigned i = digits; i > 16; --i) *p++ = '0';  // wider than 64 bits
  unsigned n = digits > 16 ? 16 : (digits == 0 ? 1 : digits);
  if (n > 8) {
    const unsigned high = n - 8;  // digits from the upper half
    const uint64_t text = hex8(uint32_t(v >> 32) << (4 * (8 - high)));
    std::memcpy(p, &text, 8);
    p += high;
    n = 8;
  }
  const uint64_t text = hex8(uint32_t(v) << (4 * (8 - n)));
  std::memcpy(p, &text, 8);
  return p + n;
}

// printf("%*u", width, v) for small widths.
inline char* put_decimal(char* p, unsigned v, unsigned width) {
  char tmp[12];
  unsigned n = 0;
  do {
    tmp[n++] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (unsigned i = n; i < width; ++i) *p++ = ' ';
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// printf("%-2u", v): left-aligned, padded to 2 columns.
inline char* put_decimal_left2(char* p, unsigned v) {
  char* start = p;
  p = put_decimal(p, v, 0);
  if (p - start < 2) *p++ = ' ';
  return p;
}

inline unsigned xlen_digits(unsigned xlen) {
  return xlen == 32 ? 8 : 16;
}

}  // namespace spike_detail

// Writes the line for `r` (with its newline) at `out`, which must have room
// for kMaxSpikeLine bytes, and returns the number of bytes written.
inline size_t format_spike_commit(const Retired& r, char* out) {
  using namespace spike_detail;
  const unsigned xdigits = xlen_digits(r.xlen);
  char* p = out;
  std::memcpy(p, "core", 4);  // NOLINT(bugprone-not-null-terminated-result): fields, not C strings
  p = put_decimal(p + 4, r.hart, 4);
  *p++ = ':';
  *p++ = ' ';
  p = put_decimal(p, r.priv, 1);
  *p++ = ' ';
  p = put_hex(p, r.xlen == 32 ? uint32_t(r.pc) : r.pc, xdigits);
  *p++ = ' ';
  *p++ = '(';
  const unsigned len = r.len == 0 ? 4 : (r.len > 8 ? 8 : r.len);
  const uint64_t raw = len == 2 ? r.raw & 0xffff : r.raw;
  p = put_hex(p, raw, len * 2);
  *p++ = ')';

  const unsigned n_writes = r.n_writes > 2 ? 2 : r.n_writes;
  for (unsigned i = 0; i < n_writes; ++i) {
    const RegWrite& w = r.writes[i];
    // Spike skips x0 (its log key is 0); files it does not know are left out
    // rather than printed in a layout Spike never uses.
    if (w.file > 1 || (w.file == 0 && w.index == 0)) continue;
    *p++ = ' ';
    *p++ = w.file == 0 ? 'x' : 'f';
    p = put_decimal_left2(p, w.index);
    *p++ = ' ';
    // x registers print XLEN bits; f registers FLEN bits, 64 with D.
    uint64_t value = w.file == 0 && r.xlen == 32 ? uint32_t(w.value) : w.value;
    p = put_hex(p, value, w.file == 0 ? xdigits : 16);
  }

  const unsigned n_mem = r.n_mem > 2 ? 2 : r.n_mem;
  for (unsigned i = 0; i < n_mem; ++i) {  // loads first, as Spike prints them
    const MemAccess& m = r.mem[i];
    if (m.write) continue;
    std::memcpy(p, " mem ", 5);  // NOLINT(bugprone-not-null-terminated-result)
    p = put_hex(p + 5, r.xlen == 32 ? uint32_t(m.addr) : m.addr, xdigits);
  }
  for (unsigned i = 0; i < n_mem; ++i) {
    const MemAccess& m = r.mem[i];
    if (!m.write) continue;
    std::memcpy(p, " mem ", 5);  // NOLINT(bugprone-not-null-terminated-result)
    p = put_hex(p + 5, r.xlen == 32 ? uint32_t(m.addr) : m.addr, xdigits);
    *p++ = ' ';
    unsigned digits = m.size == 0 ? 2 : (m.size > 16 ? 32 : m.size * 2u);
    p = put_hex(p, m.value, digits);
  }
  *p++ = '\n';
  return size_t(p - out);
}

}  // namespace silica::trace
