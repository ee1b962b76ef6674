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

inline char* put_hex(char* p, uint64_t v, unsigned digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  *p++ = '0';
  *p++ = 'x';
  for (unsigned i = digits; i > 16; --i) *p++ = '0';  // wider than 64 bits
  unsigned n = digits > 16 ? 16 : digits;
  for (unsigned i = n; i > 0; --i) {
    p[i - 1] = kDigits[v & 0xf];
    v >>= 4;
  }
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
