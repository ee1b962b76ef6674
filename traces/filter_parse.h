// Parsers for the trace-filter command-line values, so every front end
// (silica run, silica-trace) accepts the same spellings:
//   --trace-range LO:HI      0x80000000:0x80001000   (hex with 0x, or decimal)
//   --trace-priv m,s,u       any of m, s, u, separated by commas
//   --trace-window A:B       instret window [A, B); either side may be empty
// Each throws std::invalid_argument with a one-line message quoting the text.
#pragma once

#include <cstdint>
#include <string>

#include "traces/trace_filter.h"

namespace silica::trace {

// A number: 0x-prefixed hex, or decimal.
uint64_t parse_address(const std::string& text);
AddressRange parse_range(const std::string& text);
uint8_t parse_priv_mask(const std::string& text);
// Sets filter.first and filter.last.
void parse_window(const std::string& text, TraceFilter& filter);

}  // namespace silica::trace
