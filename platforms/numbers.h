// Numbers as written in platform files and on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace silica {

// Decimal or 0x hex, '_' allowed between digits, optional binary suffix
// K/M/G/T (either case): "128M", "0x8000_0000", "4k". nullopt when malformed
// or too large for 64 bits.
std::optional<uint64_t> parse_size(std::string_view text);

// A frequency: "1GHz", "100MHz", "10kHz", "50Hz", or a plain number of Hz.
// Decimal multipliers; the unit is case-insensitive.
std::optional<uint64_t> parse_hz(std::string_view text);

}  // namespace silica
