// The command-line spellings of trace filters.
#include <gtest/gtest.h>

#include <stdexcept>

#include "traces/filter_parse.h"
#include "traces/trace_open.h"

namespace silica::trace {
namespace {

TEST(FilterParse, Addresses) {
  EXPECT_EQ(parse_address("0x80000000"), 0x80000000u);
  EXPECT_EQ(parse_address("0X10"), 0x10u);
  EXPECT_EQ(parse_address("4096"), 4096u);
  EXPECT_EQ(parse_address("0xffffffffffffffff"), ~0ULL);
  for (const char* bad : {"", "0x", "-1", "12abc", "0x1g", "main", " 1", "0x10000000000000000"}) {
    EXPECT_THROW(parse_address(bad), std::invalid_argument) << bad;
  }
}

TEST(FilterParse, Ranges) {
  AddressRange r = parse_range("0x80000000:0x80001000");
  EXPECT_EQ(r.lo, 0x80000000u);
  EXPECT_EQ(r.hi, 0x80001000u);
  for (const char* bad : {"0x10", "0x20:0x10", "0x10:0x10", ":0x10", "0x10:", "a:b"}) {
    EXPECT_THROW(parse_range(bad), std::invalid_argument) << bad;
  }
}

TEST(FilterParse, ErrorMessagesQuoteTheText) {
  try {
    parse_range("0x20:0x10");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'0x20:0x10'"), std::string::npos) << e.what();
  }
}

TEST(FilterParse, PrivilegeLists) {
  EXPECT_EQ(parse_priv_mask("m"), kPrivM);
  EXPECT_EQ(parse_priv_mask("m,s,u"), kPrivM | kPrivS | kPrivU);
  EXPECT_EQ(parse_priv_mask("U,S"), kPrivU | kPrivS);
  for (const char* bad : {"", "h", "m,", ",m", "m s", "machine"}) {
    EXPECT_THROW(parse_priv_mask(bad), std::invalid_argument) << bad;
  }
}

TEST(FilterParse, Windows) {
  TraceFilter f;
  parse_window("100:200", f);
  EXPECT_EQ(f.first, 100u);
  EXPECT_EQ(f.last, 200u);
  parse_window(":0x10", f);
  EXPECT_EQ(f.first, 0u);
  EXPECT_EQ(f.last, 16u);
  parse_window("5:", f);
  EXPECT_EQ(f.first, 5u);
  EXPECT_EQ(f.last, ~0ULL);
  for (const char* bad : {"5", "5:5", "6:5", "a:b"}) {
    EXPECT_THROW(parse_window(bad, f), std::invalid_argument) << bad;
  }
}

TEST(FilterParse, TraceFormats) {
  EXPECT_EQ(parse_trace_format("text"), TraceOptions::kText);
  EXPECT_EQ(parse_trace_format("bin"), TraceOptions::kBinary);
  EXPECT_EQ(parse_trace_format("binary"), TraceOptions::kBinary);
  EXPECT_THROW(parse_trace_format("json"), std::invalid_argument);
}

}  // namespace
}  // namespace silica::trace
