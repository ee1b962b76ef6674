#include "traces/filter_parse.h"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace silica::trace {
namespace {

[[noreturn]] void bad(const std::string& what, const std::string& text) {
  throw std::invalid_argument("invalid " + what + " '" + text + "'");
}

bool parse_number(const std::string& text, uint64_t& out) {
  if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ') return false;
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char* begin = text.c_str() + (hex ? 2 : 0);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(begin, &end, hex ? 16 : 10);
  if (errno != 0 || end == begin || *end != '\0') return false;
  out = v;
  return true;
}

}  // namespace

uint64_t parse_address(const std::string& text) {
  uint64_t v = 0;
  if (!parse_number(text, v)) bad("address", text);
  return v;
}

AddressRange parse_range(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) bad("address range (expected LO:HI)", text);
  AddressRange r;
  if (!parse_number(text.substr(0, colon), r.lo) || !parse_number(text.substr(colon + 1), r.hi)) {
    bad("address range (expected LO:HI)", text);
  }
  if (r.hi <= r.lo) bad("address range (HI must be above LO)", text);
  return r;
}

uint8_t parse_priv_mask(const std::string& text) {
  uint8_t mask = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string item =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item == "m" || item == "M") {
      mask |= kPrivM;
    } else if (item == "s" || item == "S") {
      mask |= kPrivS;
    } else if (item == "u" || item == "U") {
      mask |= kPrivU;
    } else {
      bad("privilege list (expected m, s, u separated by commas)", text);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return mask;
}

void parse_window(const std::string& text, TraceFilter& filter) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) bad("instruction window (expected FIRST:LAST)", text);
  std::string a = text.substr(0, colon), b = text.substr(colon + 1);
  uint64_t first = 0, last = std::numeric_limits<uint64_t>::max();
  if ((!a.empty() && !parse_number(a, first)) || (!b.empty() && !parse_number(b, last))) {
    bad("instruction window (expected FIRST:LAST)", text);
  }
  if (last <= first) bad("instruction window (LAST must be above FIRST)", text);
  filter.first = first;
  filter.last = last;
}

}  // namespace silica::trace
