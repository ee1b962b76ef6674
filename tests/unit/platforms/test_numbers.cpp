#include "platforms/numbers.h"

#include <gtest/gtest.h>

namespace silica {
namespace {

TEST(PlatformNumbers, ParsesSizes) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("0x1000"), 0x1000u);
  EXPECT_EQ(parse_size("0X80000000"), 0x80000000u);
  EXPECT_EQ(parse_size("0x8000_0000"), 0x80000000u);
  EXPECT_EQ(parse_size("4K"), 4096u);
  EXPECT_EQ(parse_size("4k"), 4096u);
  EXPECT_EQ(parse_size("128M"), 128u << 20);
  EXPECT_EQ(parse_size("2G"), uint64_t{2} << 30);
  EXPECT_EQ(parse_size("1T"), uint64_t{1} << 40);
  EXPECT_EQ(parse_size("0x10M"), 16u << 20);
  EXPECT_EQ(parse_size("0xffffffffffffffff"), ~uint64_t{0});
}

TEST(PlatformNumbers, RejectsMalformedSizes) {
  for (const char* bad : {"", "M", "0x", "12Q", "1.5M", "-1", "0x1g0", "_1", "1_", "12 M",
                          "0x10000000000000000", "18446744073709551616", "16777216T"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
}

TEST(PlatformNumbers, ParsesFrequencies) {
  EXPECT_EQ(parse_hz("1GHz"), 1'000'000'000u);
  EXPECT_EQ(parse_hz("100MHz"), 100'000'000u);
  EXPECT_EQ(parse_hz("10kHz"), 10'000u);
  EXPECT_EQ(parse_hz("50Hz"), 50u);
  EXPECT_EQ(parse_hz("10000000"), 10'000'000u);
  EXPECT_EQ(parse_hz("32768hz"), 32768u);
  EXPECT_FALSE(parse_hz("fast").has_value());
  EXPECT_FALSE(parse_hz("MHz").has_value());
  EXPECT_FALSE(parse_hz("1.5GHz").has_value());
}

}  // namespace
}  // namespace silica
